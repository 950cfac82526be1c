import { Envelope } from '@taskforge/proto/events/v1/envelope'

/** Metadata stored with every event (structurally the event store's EventMetadata). */
export interface EventMetadataLike {
  customer: string
  correlationId?: string
  causationId?: string
  traceparent?: string
  tracestate?: string
  author?: string
}

/** A stored event as the event store answers it; the bus does not depend on the store. */
export interface StoredEventLike {
  eventId: string
  streamType: string
  streamId: string
  streamVersion: bigint
  type: string
  data: Uint8Array
  metadata: EventMetadataLike
  occurredAt: Date
  transactionId: bigint
  position: bigint
}

/** The Envelope published for a stored event. */
export function toEnvelope(event: StoredEventLike): Envelope {
  const { metadata } = event
  return {
    eventId: event.eventId,
    type: event.type,
    occurredAt: event.occurredAt,
    customer: metadata.customer,
    streamType: event.streamType,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    correlationId: metadata.correlationId ?? '',
    causationId: metadata.causationId ?? '',
    trace: metadata.traceparent
      ? { traceparent: metadata.traceparent, tracestate: metadata.tracestate ?? '' }
      : undefined,
    author: metadata.author ?? '',
    data: Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength),
    transactionId: event.transactionId,
    globalPosition: event.position,
  }
}

/** Encodes the Envelope of a stored event. */
export function encodeEnvelope(event: StoredEventLike): Uint8Array {
  return Envelope.encode(toEnvelope(event)).finish()
}

/** Decodes a message of the EVENTS stream. */
export function decodeEnvelope(data: Uint8Array): Envelope {
  return Envelope.decode(data)
}
