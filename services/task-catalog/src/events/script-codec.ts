import type { NewEvent, StoredEvent } from '@taskforge/event-store'
import { ScriptEvent } from '@taskforge/proto/catalog/v1/events'
import type { ScriptDomainEvent } from '../domain/script-decider.js'
import { type CommandContext, eventMetadata } from './command-context.js'

/** Stream type of script aggregates; JetStream subjects are `events.script.<type>`. */
export const SCRIPT_STREAM = 'script'

/** The stored form of a script event: type = oneof case, data = `ScriptEvent` encoded. */
export function encodeScriptEvent(event: ScriptDomainEvent, ctx: CommandContext): NewEvent {
  return { type: event.$case, data: ScriptEvent.encode({ event }).finish(), metadata: eventMetadata(ctx) }
}

export function decodeScriptEvent(stored: Pick<StoredEvent, 'eventId' | 'data'>): ScriptDomainEvent {
  const { event } = ScriptEvent.decode(stored.data)
  if (event === undefined) throw new Error(`stored script event ${stored.eventId} holds no known case`)
  return event
}
