import type { Kysely, Transaction } from 'kysely'

/**
 * A database handle. Each service keeps its own tables beside the event store's in the same
 * database, so the schema is left open.
 */
// biome-ignore lint/suspicious/noExplicitAny: the schema is open: every service adds its own tables
export type Db = Kysely<any>
/** A transaction on a {@link Db}. */
// biome-ignore lint/suspicious/noExplicitAny: see Db
export type Trx = Transaction<any>

/** Who and what caused an event; travels with it to JetStream headers and envelopes. */
export interface EventMetadata {
  customer: string
  correlationId?: string
  causationId?: string
  traceparent?: string
  tracestate?: string
  author?: string
}

/** An event to append: `type` is the oneof case of the aggregate's union message, `data` that message encoded. */
export interface NewEvent {
  type: string
  data: Uint8Array
  /** Defaults to a new uuid v7. It becomes the JetStream message id, so a retry with the same id is deduplicated. */
  eventId?: string
  metadata: EventMetadata
}

/** A place in the global commit order: (writing transaction id, position). */
export interface GlobalPosition {
  transactionId: bigint
  position: bigint
}

export interface StoredEvent {
  eventId: string
  streamType: string
  streamId: string
  /** 1 for the first event of a stream. */
  streamVersion: bigint
  type: string
  data: Uint8Array
  metadata: EventMetadata
  occurredAt: Date
  transactionId: bigint
  position: bigint
}

/**
 * What the writer believes the stream's version (its number of events) is: an exact version
 * (`0n` means no stream yet), `no_stream`, `stream_exists`, or `any` (no check).
 */
export type ExpectedVersion = bigint | 'no_stream' | 'stream_exists' | 'any'

export interface AppendResult {
  /** The stream's version after the append: pass it as the next `expectedVersion`. */
  nextExpectedVersion: bigint
  events: StoredEvent[]
}

/** One stream's part of a multi-stream append: its events, if the stream is at `expectedVersion` (0n: new). */
export interface StreamAppend {
  streamType: string
  streamId: string
  events: NewEvent[]
  expectedVersion: bigint
}
