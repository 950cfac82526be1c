import { checkSize, conflict, type Decider, Limits, notFound } from '@taskforge/core'
import type { SubscriptionEvent } from '@taskforge/proto/webhooks/v1/events'
import { normalizeSubscriptionUrl } from '../delivery/target-url.js'
import { validateEventFilter } from '../mapping/event-names.js'

/** One event of a subscription stream: the oneof case of `webhooks.v1.SubscriptionEvent`. */
export type SubscriptionDomainEvent = NonNullable<SubscriptionEvent['event']>

export interface CreateSubscription {
  type: 'Create'
  subscriptionId: string
  customer: string
  url: string
  events: string[]
  description: string
  token: string
  secret: string
}
/** Only the fields given change; `enabled` turns deliveries back on (or off). */
export interface UpdateSubscription {
  type: 'Update'
  customer: string
  url?: string
  events?: string[]
  description?: string
  enabled?: boolean
  author: string
}
export interface RotateSecret {
  type: 'RotateSecret'
  customer: string
  secret: string
  now: Date
  /** How long the previous secret keeps signing. */
  overlapMs: number
}
export interface DisableSubscription {
  type: 'Disable'
  customer: string
  reason: string
}
export interface DeleteSubscription {
  type: 'Delete'
  customer: string
}
export type SubscriptionCommand =
  | CreateSubscription
  | UpdateSubscription
  | RotateSecret
  | DisableSubscription
  | DeleteSubscription

export interface SubscriptionState {
  id: string | undefined
  deleted: boolean
  customer: string
  url: string
  events: string[]
  description: string
  enabled: boolean
  secret: string
}

const initialState = (): SubscriptionState => ({
  id: undefined,
  deleted: false,
  customer: '',
  url: '',
  events: [],
  description: '',
  enabled: false,
  secret: '',
})

function description(text: string): string {
  checkSize(Limits.subscriptionDescription, 'description', text)
  return text
}

/** The subscription, when it exists for this customer (another customer's is as good as missing). */
function live(state: SubscriptionState, customer: string): string {
  if (state.id === undefined || state.deleted || state.customer !== customer) {
    throw notFound('subscription', state.id)
  }
  return state.id
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((item, index) => item === b[index])

function update(command: UpdateSubscription, state: SubscriptionState): SubscriptionDomainEvent[] {
  live(state, command.customer)
  const url = command.url === undefined ? state.url : normalizeSubscriptionUrl(command.url)
  const events = command.events === undefined ? state.events : validateEventFilter(command.events)
  const text = command.description === undefined ? state.description : description(command.description)
  const changed = [
    ...(url !== state.url ? ['url'] : []),
    ...(!sameList(events, state.events) ? ['events'] : []),
    ...(text !== state.description ? ['description'] : []),
  ]
  const out: SubscriptionDomainEvent[] = []
  if (changed.length > 0) {
    out.push({
      $case: 'updated',
      value: { url, events, description: text, changedFields: changed },
    })
  }
  if (command.enabled === true && !state.enabled) out.push({ $case: 'enabled', value: {} })
  if (command.enabled === false && state.enabled) {
    out.push({ $case: 'disabled', value: { reason: `disabled by ${command.author || 'a user'}` } })
  }
  return out
}

function decide(command: SubscriptionCommand, state: SubscriptionState): SubscriptionDomainEvent[] {
  switch (command.type) {
    case 'Create': {
      if (state.id !== undefined) throw conflict(`subscription ${state.id} already exists`)
      return [
        {
          $case: 'created',
          value: {
            subscriptionId: command.subscriptionId,
            customer: command.customer,
            url: normalizeSubscriptionUrl(command.url),
            events: validateEventFilter(command.events),
            description: description(command.description),
            token: command.token,
            secret: command.secret,
          },
        },
      ]
    }
    case 'Update':
      return update(command, state)
    case 'RotateSecret':
      live(state, command.customer)
      return [
        {
          $case: 'secretRotated',
          value: {
            secret: command.secret,
            previousSecret: state.secret,
            previousSecretExpiresAt: new Date(command.now.getTime() + command.overlapMs),
          },
        },
      ]
    case 'Disable':
      live(state, command.customer)
      return state.enabled ? [{ $case: 'disabled', value: { reason: command.reason } }] : []
    case 'Delete':
      live(state, command.customer)
      return [{ $case: 'deleted', value: {} }]
  }
}

function evolve(state: SubscriptionState, event: SubscriptionDomainEvent): SubscriptionState {
  switch (event.$case) {
    case 'created':
      return {
        ...state,
        id: event.value.subscriptionId,
        customer: event.value.customer,
        url: event.value.url,
        events: event.value.events,
        description: event.value.description,
        enabled: true,
        secret: event.value.secret,
      }
    case 'updated':
      return {
        ...state,
        url: event.value.url,
        events: event.value.events,
        description: event.value.description,
      }
    case 'secretRotated':
      return { ...state, secret: event.value.secret }
    case 'disabled':
      return { ...state, enabled: false }
    case 'enabled':
      return { ...state, enabled: true }
    case 'deleted':
      return { ...state, deleted: true }
  }
}

/**
 * The subscription aggregate: created with its token and signing secret, changed, disabled (by
 * its owner, by a 410 answer, or after failing for days), enabled again, its secret rotated, deleted.
 */
export const subscriptionDecider: Decider<SubscriptionCommand, SubscriptionState, SubscriptionDomainEvent> = {
  decide,
  evolve,
  initialState,
}
