import type { NewEvent, StoredEvent } from '@taskforge/event-store'
import { WorkflowEvent } from '@taskforge/proto/catalog/v1/events'
import type { WorkflowDomainEvent } from '../domain/workflow-decider.js'
import { type CommandContext, eventMetadata } from './command-context.js'

/** Stream type of workflow definitions; JetStream subjects are `events.workflow.<type>`. */
export const WORKFLOW_STREAM = 'workflow'

/** The stored form of a workflow event: type = oneof case, data = `WorkflowEvent` encoded. */
export function encodeWorkflowEvent(event: WorkflowDomainEvent, ctx: CommandContext): NewEvent {
  return { type: event.$case, data: WorkflowEvent.encode({ event }).finish(), metadata: eventMetadata(ctx) }
}

export function decodeWorkflowEvent(stored: Pick<StoredEvent, 'eventId' | 'data'>): WorkflowDomainEvent {
  const { event } = WorkflowEvent.decode(stored.data)
  if (event === undefined) throw new Error(`stored workflow event ${stored.eventId} holds no known case`)
  return event
}
