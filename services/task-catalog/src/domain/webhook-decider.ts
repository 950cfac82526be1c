import { checkSize, conflict, type Decider, Limits, notFound, validationFailed } from '@taskforge/core'
import type { WebhookEvent } from '@taskforge/proto/catalog/v1/events'

/** One fact of a webhook stream: the ts-proto oneof case of `WebhookEvent`. */
export type WebhookDomainEvent = NonNullable<WebhookEvent['event']>

export type WebhookCommand =
  | {
      type: 'createWebhook'
      webhookId: string
      customer: string
      name: string
      /** The secret, sealed by the caller. */
      sealedSecret: Buffer
    }
  | { type: 'deleteWebhook'; webhookId: string; customer: string }
  | {
      type: 'fireWebhook'
      webhookId: string
      customer: string
      fireId: string
      /** The request body as JSON text; empty for no body. */
      payloadJson: string
      firedAt: Date
    }

export type WebhookState =
  | { status: 'absent' }
  | { status: 'active' | 'deleted'; webhookId: string; customer: string; name: string }

/** Trims and checks a webhook's name. */
export function validateWebhookName(name: unknown): string {
  const value = typeof name === 'string' ? name.trim() : ''
  if (value === '') throw validationFailed('name is required', { field: 'name' })
  checkSize(Limits.webhookName, 'name', value)
  if (value.includes('\0')) throw validationFailed('name may not contain NUL characters', { field: 'name' })
  return value
}

/** The payload as canonical JSON text: "null" for no body; refused when not JSON or too large. */
export function normalizePayload(payloadJson: string): string {
  if (payloadJson.trim() === '') return 'null'
  let parsed: unknown
  try {
    parsed = JSON.parse(payloadJson)
  } catch {
    throw validationFailed('the payload is not JSON', { field: 'payload' })
  }
  const text = JSON.stringify(parsed)
  checkSize(Limits.webhookPayload, 'payload', text)
  // Postgres text cannot hold NUL, which JSON text may carry as the escape \u0000.
  if (text.includes('\\u0000'))
    throw validationFailed('the payload may not contain NUL characters', { field: 'payload' })
  return text
}

function activeOf(state: WebhookState, command: { webhookId: string; customer: string }) {
  // Another customer's webhook is reported exactly like a missing one, so ids leak nothing.
  if (state.status !== 'active' || state.customer !== command.customer) {
    throw notFound('webhook', command.webhookId)
  }
  return state
}

function decide(command: WebhookCommand, state: WebhookState): WebhookDomainEvent[] {
  switch (command.type) {
    case 'createWebhook': {
      if (state.status !== 'absent') throw conflict(`webhook ${command.webhookId} already exists`)
      if (command.sealedSecret.length === 0) {
        throw validationFailed('a webhook needs a secret', { field: 'secret' })
      }
      return [
        {
          $case: 'created',
          value: {
            webhookId: command.webhookId,
            customer: command.customer,
            name: validateWebhookName(command.name),
            secret: '',
            sealedSecret: command.sealedSecret,
          },
        },
      ]
    }
    case 'deleteWebhook':
      activeOf(state, command)
      return [{ $case: 'deleted', value: {} }]
    case 'fireWebhook':
      activeOf(state, command)
      return [
        {
          $case: 'fired',
          value: {
            fireId: command.fireId,
            payloadJson: normalizePayload(command.payloadJson),
            firedAt: command.firedAt,
          },
        },
      ]
  }
}

function evolve(state: WebhookState, event: WebhookDomainEvent): WebhookState {
  switch (event.$case) {
    case 'created':
      return {
        status: 'active',
        webhookId: event.value.webhookId,
        customer: event.value.customer,
        name: event.value.name,
      }
    case 'deleted':
      return state.status === 'absent' ? state : { ...state, status: 'deleted' }
    case 'fired':
      return state
  }
}

/**
 * The rules of one incoming webhook: created with a name and a secret (chosen and sealed by the
 * caller: commands carry all randomness), fired with a JSON payload while it exists, deleted. The secret itself is
 * checked before a fire is decided, in constant time (see `task-secret.ts`).
 */
export const webhookDecider: Decider<WebhookCommand, WebhookState, WebhookDomainEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
}
