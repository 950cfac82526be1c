import type { EventMetadata, StoredEvent } from './types.js'

/** An `events` row as pg answers it: int8 and xid8 as strings, bytea as a Buffer. */
export interface EventRow {
  position: string
  transaction_id: string
  event_id: string
  stream_id: string
  stream_type: string
  stream_version: string
  type: string
  data: Uint8Array
  metadata: EventMetadata
  occurred_at: Date
}

export const EVENT_COLUMNS = [
  'position',
  'transaction_id',
  'event_id',
  'stream_id',
  'stream_type',
  'stream_version',
  'type',
  'data',
  'metadata',
  'occurred_at',
] as const

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    eventId: row.event_id,
    streamType: row.stream_type,
    streamId: row.stream_id,
    streamVersion: BigInt(row.stream_version),
    type: row.type,
    // A view, not a copy: callers get a plain Uint8Array whatever pg hands us.
    data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength),
    metadata: row.metadata,
    occurredAt: row.occurred_at,
    transactionId: BigInt(row.transaction_id),
    position: BigInt(row.position),
  }
}
