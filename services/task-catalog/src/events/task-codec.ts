import type { NewEvent, StoredEvent } from '@taskforge/event-store'
import { TaskEvent } from '@taskforge/proto/catalog/v1/events'
import type { TaskDomainEvent } from '../domain/task-decider.js'
import { type CommandContext, eventMetadata } from './command-context.js'

/** Stream type of task aggregates; JetStream subjects are `events.task.<type>`. */
export const TASK_STREAM = 'task'

/** The stored form of a task event: type = oneof case, data = `TaskEvent` encoded. */
export function encodeTaskEvent(event: TaskDomainEvent, ctx: CommandContext): NewEvent {
  return { type: event.$case, data: TaskEvent.encode({ event }).finish(), metadata: eventMetadata(ctx) }
}

export function decodeTaskEvent(stored: Pick<StoredEvent, 'eventId' | 'data'>): TaskDomainEvent {
  const { event } = TaskEvent.decode(stored.data)
  if (event === undefined) throw new Error(`stored task event ${stored.eventId} holds no known case`)
  return event
}
