import { nakDelayMs, RedeliverLater } from '@taskforge/bus'
import { idTime, storableJson } from '@taskforge/core'
import type { EventStore } from '@taskforge/event-store'
import type { Envelope } from '@taskforge/proto/events/v1/envelope'
import type { Logger } from '@taskforge/telemetry'
import type { Kysely } from 'kysely'
import { FOLLOWED_STREAMS, type MappedEvent, mapEvent, type SourceEvent } from '../mapping/public-events.js'
import type { SubscriptionQueries } from '../projection/subscription-queries.js'
import type { DeliveryStore } from './delivery-store.js'
import type { RelayTables } from './delivery-tables.js'
import type { FollowedCustomers } from './followed-customers.js'

/**
 * Redeliveries of an event that arrived before an earlier one of its stream, before folding it anyway
 * (the earlier one is then never sent). With the nak back-off (1 s, 2 s, 4 s ... 30 s) that is about a
 * minute: it must outlast the EVENTS ack wait (30 s), after which JetStream gives back an earlier event
 * held by a relay that died.
 */
export const GAP_RETRIES = 7

/**
 * How much earlier than the start of following a stream's id must date for the relay to take the
 * stream's first event it sees as its start. Ids are stamped by other services' clocks: the margin
 * covers their skew, and a stream made within it waits for its earlier events like a new one.
 */
export const FOLLOW_CLOCK_MARGIN_MS = 10_000

/**
 * The body every receiver gets: Kanboard's envelope. Its strings are well-formed text (U+FFFD for
 * NUL and lone surrogates), as events recorded before the scheduler made a job's texts so may hold them.
 */
export function webhookBody(name: string, data: Record<string, unknown>, author: string): string {
  return storableJson({ event_name: name, event_data: data, event_author: author })
}

export interface EventIntakeDeps {
  store: EventStore
  deliveries: DeliveryStore
  subscriptions: SubscriptionQueries
  /** Organizations with subscriptions: the events of any other are skipped without a query. */
  followed: FollowedCustomers
  /** Names the inbox rows. */
  consumer: string
  logger: Logger
  /** Called after deliveries were committed, to wake the dispatcher. */
  onDeliveries: () => void
}

/**
 * Turns each domain event into deliveries. In one transaction with the inbox claim of the event, it
 * folds the event into the object it concerns and writes one delivery per matching subscription,
 * so an event redelivered by JetStream never yields a second delivery, and one whose transaction
 * failed is retried whole.
 */
export class EventIntake {
  readonly #deps: EventIntakeDeps

  constructor(deps: EventIntakeDeps) {
    this.#deps = deps
  }

  /** Handles one envelope; answers how many deliveries it created. Throws to have it redelivered. */
  async handle(envelope: Envelope, deliveryCount = 1): Promise<number> {
    if (!FOLLOWED_STREAMS.has(envelope.streamType)) return 0
    // Nobody to tell, and no object to keep: a later first subscription starts from what it sees.
    const followedSince = this.#deps.followed.since(envelope.customer)
    if (followedSince === undefined) return 0
    const { store, consumer } = this.#deps
    const created = await store.transaction(async (trx) => {
      if (!(await store.claimInbox(trx, consumer, envelope.eventId))) return 0
      return this.#apply(trx as unknown as Kysely<RelayTables>, envelope, deliveryCount, followedSince)
    })
    if (created > 0) this.#deps.onDeliveries()
    return created
  }

  async #apply(
    db: Kysely<RelayTables>,
    envelope: Envelope,
    deliveryCount: number,
    followedSince: number,
  ): Promise<number> {
    const version = Number(envelope.streamVersion)
    const known = await db
      .selectFrom('webhook_objects')
      .select(['version', 'object'])
      .where('stream_id', '=', envelope.streamId)
      .forUpdate()
      .executeTakeFirst()
    // A stream not seen yet is at version 0: its first event may also come after a later one. Unless
    // the stream is older than the following: its earlier events went by unfolded, none is coming.
    const madeAt = idTime(envelope.streamId)
    const olderThanFollowing = madeAt !== undefined && madeAt < followedSince - FOLLOW_CLOCK_MARGIN_MS
    const knownVersion = known?.version ?? (olderThanFollowing ? version - 1 : 0)
    if (version <= knownVersion) return 0
    if (version > knownVersion + 1 && deliveryCount < GAP_RETRIES) {
      // JetStream redelivers a failed message after later ones; wait for it so the fold stays in order.
      // Nothing failed here: the bus puts the event back (on the usual back-off) without an error log.
      throw new RedeliverLater(
        `event ${version} of ${envelope.streamType} ${envelope.streamId} came before event ${knownVersion + 1}`,
        nakDelayMs(deliveryCount),
      )
    }
    const source: SourceEvent = {
      eventId: envelope.eventId,
      streamType: envelope.streamType,
      streamId: envelope.streamId,
      streamVersion: version,
      type: envelope.type,
      customer: envelope.customer,
      author: envelope.author,
      occurredAt: envelope.occurredAt ?? new Date(),
      data: envelope.data,
    }
    let mapped: MappedEvent
    try {
      mapped = mapEvent(source, known?.object)
    } catch (error) {
      this.#deps.logger.warn(
        { err: error, event_id: envelope.eventId, stream_type: envelope.streamType, type: envelope.type },
        'event not understood; no webhook for it',
      )
      return 0
    }
    await this.#keep(db, source, mapped)
    const event = mapped.publicEvent
    if (event === undefined) return 0
    const subscriptionIds = await this.#deps.subscriptions.matching(db, envelope.customer, event.name)
    const payload = webhookBody(event.name, event.data, envelope.author || 'system')
    return this.#deps.deliveries.insert(db, {
      customer: envelope.customer,
      eventId: envelope.eventId,
      eventName: event.name,
      payload,
      subscriptionIds,
    })
  }

  async #keep(db: Kysely<RelayTables>, source: SourceEvent, mapped: MappedEvent): Promise<void> {
    if (mapped.deleted || mapped.object === undefined) {
      await db.deleteFrom('webhook_objects').where('stream_id', '=', source.streamId).execute()
      return
    }
    const row = {
      stream_id: source.streamId,
      stream_type: source.streamType,
      customer: source.customer,
      version: source.streamVersion,
      object: storableJson(mapped.object),
      updated_at: new Date(),
    }
    await db
      .insertInto('webhook_objects')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('stream_id')
          .doUpdateSet({ version: row.version, object: row.object, updated_at: row.updated_at }),
      )
      .execute()
  }
}
