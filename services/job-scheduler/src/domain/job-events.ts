import type { EventMetadata, NewEvent, StoredEvent } from '@taskforge/event-store'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import type { JobDomainEvent } from './job-decider.js'

/** Stream type of job streams in the event store (and in `events.job.<type>` subjects). */
export const JOB_STREAM_TYPE = 'job'

/** A job event as stored: type = the oneof case, data = the encoded `jobs.v1.JobEvent`. */
export function encodeJobEvent(event: JobDomainEvent, metadata: EventMetadata): NewEvent {
  return { type: event.$case, data: JobEvent.encode({ event }).finish(), metadata }
}

/** The domain event in a stored job event; an empty union means the store holds something we cannot read. */
export function decodeJobEvent(stored: Pick<StoredEvent, 'data' | 'eventId'>): JobDomainEvent {
  const { event } = JobEvent.decode(stored.data)
  if (event === undefined) throw new Error(`stored job event ${stored.eventId} has no known case`)
  return event
}
