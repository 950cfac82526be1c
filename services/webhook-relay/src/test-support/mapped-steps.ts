import { type MappedEvent, mapEvent, type SourceEvent } from '../mapping/public-events.js'
import type { PublicObject } from '../mapping/public-objects.js'

/** Second `second` of the first minute of 2026: the time of a test event. */
export const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second))

/** A domain event of organization `acme` as the relay receives it, at second `version`. */
export function sourceEvent(
  streamType: string,
  streamId: string,
  version: number,
  type: string,
  data: Uint8Array,
  author = 'ops',
): SourceEvent {
  return {
    eventId: `${streamId}-${version}`,
    streamType,
    streamId,
    streamVersion: version,
    type,
    customer: 'acme',
    author,
    occurredAt: at(version),
    data,
  }
}

/** Folds a stream's events as the relay does, answering every mapped step. */
export function mappedSteps(events: SourceEvent[]): MappedEvent[] {
  let object: PublicObject | undefined
  return events.map((event) => {
    const mapped = mapEvent(event, object)
    object = mapped.object
    return mapped
  })
}
