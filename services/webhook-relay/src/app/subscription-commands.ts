import { newId, newSecret, Quotas, quotaExceeded } from '@taskforge/core'
import {
  type EventMetadata,
  type EventStore,
  handleCommand,
  type Projector,
  type StoredEvent,
  type Trx,
} from '@taskforge/event-store'
import { currentTraceContext } from '@taskforge/telemetry'
import type { Kysely } from 'kysely'
import type { DeliveryStore } from '../delivery/delivery-store.js'
import type { RelayTables } from '../delivery/delivery-tables.js'
import { webhookBody } from '../delivery/event-intake.js'
import type { FollowedCustomers } from '../delivery/followed-customers.js'
import { newSigningSecret } from '../delivery/signature.js'
import { type SubscriptionCommand, subscriptionDecider } from '../domain/subscription-decider.js'
import {
  decodeSubscriptionEvent,
  encodeSubscriptionEvent,
  SUBSCRIPTION_STREAM,
} from '../events/subscription-codec.js'
import { PING_EVENT } from '../mapping/event-names.js'

/** Who asks: the organization, and the token name (or `system`) recorded as the events' author. */
export interface CommandContext {
  customer: string
  author?: string | undefined
}

export interface SubscriptionChanges {
  url?: string
  events?: string[]
  description?: string
  enabled?: boolean
}

function metadataOf(ctx: CommandContext): EventMetadata {
  const trace = currentTraceContext()
  return {
    customer: ctx.customer,
    ...(ctx.author ? { author: ctx.author } : {}),
    ...(trace
      ? { traceparent: trace.traceparent, ...(trace.tracestate ? { tracestate: trace.tracestate } : {}) }
      : {}),
  }
}

export interface SubscriptionCommandsDeps {
  store: EventStore
  projector: Projector
  deliveries: DeliveryStore
  /** Organizations with subscriptions, counted in the transactions that create and delete them. */
  followed: FollowedCustomers
  /** How long a rotated-out secret keeps signing. */
  secretOverlapMs: number
  /** Live subscriptions of one organization at most (a quota: 429 past it). */
  maxSubscriptions: number
  /** New deliveries were committed (a ping, or a subscription enabled again). */
  onDeliveries: () => void
}

/**
 * The subscription commands. Each appends to the subscription's stream and answers once the read
 * table shows the change (read-your-writes for the gRPC answers).
 */
export class SubscriptionCommands {
  readonly #deps: SubscriptionCommandsDeps

  constructor(deps: SubscriptionCommandsDeps) {
    this.#deps = deps
  }

  /** Creates a subscription with a new token and signing secret, and queues its `ping` in the same transaction. */
  async create(
    ctx: CommandContext,
    input: { url: string; events: string[]; description: string },
  ): Promise<string> {
    const subscriptionId = newId()
    const author = ctx.author || 'system'
    await this.#run(
      ctx,
      subscriptionId,
      {
        type: 'Create',
        subscriptionId,
        customer: ctx.customer,
        url: input.url,
        events: input.events,
        description: input.description,
        token: newSecret(),
        secret: newSigningSecret(),
      },
      async (trx, appended) => {
        const created = decodeSubscriptionEvent(appended[0] as StoredEvent)
        if (created.$case !== 'created') return
        const { url, events, description } = created.value
        const count = await this.#deps.followed.follow(trx, ctx.customer)
        // Thrown inside the transaction: nothing of the refused subscription is kept.
        if (count > this.#deps.maxSubscriptions)
          throw quotaExceeded(
            Quotas.subscriptionsPerOrganization,
            this.#deps.maxSubscriptions,
            `organization ${ctx.customer} has ${count - 1} subscriptions`,
          )
        await this.#deps.deliveries.insert(trx, {
          customer: ctx.customer,
          eventId: (appended[0] as StoredEvent).eventId,
          eventName: PING_EVENT,
          payload: webhookBody(
            PING_EVENT,
            { subscription_id: subscriptionId, url, events, description },
            author,
          ),
          subscriptionIds: [subscriptionId],
        })
      },
    )
    await this.#deps.followed.changed(ctx.customer, true)
    this.#deps.onDeliveries()
    return subscriptionId
  }

  async update(ctx: CommandContext, subscriptionId: string, changes: SubscriptionChanges): Promise<void> {
    await this.#run(ctx, subscriptionId, {
      type: 'Update',
      customer: ctx.customer,
      ...changes,
      author: ctx.author ?? '',
    })
    if (changes.enabled === true) this.#deps.onDeliveries()
  }

  async rotateSecret(ctx: CommandContext, subscriptionId: string): Promise<void> {
    await this.#run(ctx, subscriptionId, {
      type: 'RotateSecret',
      customer: ctx.customer,
      secret: newSigningSecret(),
      now: new Date(),
      overlapMs: this.#deps.secretOverlapMs,
    })
  }

  /** Turns deliveries off with a reason the subscription shows (used by the relay itself). */
  async disable(customer: string, subscriptionId: string, reason: string): Promise<void> {
    await this.#run({ customer, author: 'system' }, subscriptionId, { type: 'Disable', customer, reason })
  }

  /** Deletes the subscription and, in the same transaction, its deliveries. */
  async delete(ctx: CommandContext, subscriptionId: string): Promise<void> {
    await this.#run(ctx, subscriptionId, { type: 'Delete', customer: ctx.customer }, async (trx) => {
      await this.#deps.deliveries.deleteForSubscription(trx, subscriptionId)
      await this.#deps.followed.unfollow(trx, ctx.customer)
    })
    await this.#deps.followed.changed(ctx.customer, false)
  }

  async #run(
    ctx: CommandContext,
    subscriptionId: string,
    command: SubscriptionCommand,
    alongside?: (trx: Kysely<RelayTables>, appended: StoredEvent[]) => Promise<void>,
  ): Promise<void> {
    const { store, projector } = this.#deps
    const appended = await store.transaction(async (trx: Trx) => {
      const result = await handleCommand(store, {
        streamType: SUBSCRIPTION_STREAM,
        streamId: subscriptionId,
        decider: subscriptionDecider,
        command,
        encode: (event) => encodeSubscriptionEvent(event, metadataOf(ctx)),
        decode: decodeSubscriptionEvent,
        trx,
      })
      if (result.appended.length > 0 && alongside !== undefined) {
        await alongside(trx as unknown as Kysely<RelayTables>, result.appended)
      }
      return result.appended
    })
    await projector.waitForAppended(appended)
  }
}
