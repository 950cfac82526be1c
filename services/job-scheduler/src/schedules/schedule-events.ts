import type { EventMetadata, NewEvent, StoredEvent } from '@taskforge/event-store'
import { ScheduleEvent } from '@taskforge/proto/jobs/v1/schedules'
import type { ScheduleDomainEvent } from './schedule-decider.js'

/** Stream type of schedule streams in the event store (and in `events.schedule.<type>` subjects). */
export const SCHEDULE_STREAM_TYPE = 'schedule'

/** A schedule stream's `fired` events each carry the whole firing state: only the last one is read. */
export const SCHEDULE_LATEST_OF: readonly string[] = ['fired']

/** A schedule event as stored: type = the oneof case, data = the encoded `jobs.v1.ScheduleEvent`. */
export function encodeScheduleEvent(event: ScheduleDomainEvent, metadata: EventMetadata): NewEvent {
  return { type: event.$case, data: ScheduleEvent.encode({ event }).finish(), metadata }
}

export function decodeScheduleEvent(stored: Pick<StoredEvent, 'data' | 'eventId'>): ScheduleDomainEvent {
  const { event } = ScheduleEvent.decode(stored.data)
  if (event === undefined) throw new Error(`stored schedule event ${stored.eventId} has no known case`)
  return event
}
