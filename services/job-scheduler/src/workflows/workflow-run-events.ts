import type { EventMetadata, NewEvent, StoredEvent } from '@taskforge/event-store'
import { WorkflowRunEvent } from '@taskforge/proto/jobs/v1/workflow_runs'
import type { RunDomainEvent } from './workflow-run-decider.js'

/** Stream type of workflow run streams in the event store (and in `events.workflow_run.<type>` subjects). */
export const WORKFLOW_RUN_STREAM_TYPE = 'workflow_run'

/** A run event as stored: type = the oneof case, data = the encoded `jobs.v1.WorkflowRunEvent`. */
export function encodeRunEvent(event: RunDomainEvent, metadata: EventMetadata): NewEvent {
  return { type: event.$case, data: WorkflowRunEvent.encode({ event }).finish(), metadata }
}

export function decodeRunEvent(stored: Pick<StoredEvent, 'data' | 'eventId'>): RunDomainEvent {
  const { event } = WorkflowRunEvent.decode(stored.data)
  if (event === undefined) throw new Error(`stored workflow run event ${stored.eventId} has no known case`)
  return event
}
