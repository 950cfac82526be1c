import type { EventMetadata, NewEvent, StoredEvent } from '@taskforge/event-store'
import { BotEvent } from '@taskforge/proto/bots/v1/events'
import type { BotDomainEvent } from './bot-decider.js'

/** Stream type of bot streams in the event store (and in `events.bot.<type>` subjects). */
export const BOT_STREAM_TYPE = 'bot'

/** A bot event as stored: type = the oneof case, data = the encoded `bots.v1.BotEvent`. */
export function encodeBotEvent(event: BotDomainEvent, metadata: EventMetadata): NewEvent {
  return { type: event.$case, data: BotEvent.encode({ event }).finish(), metadata }
}

export function decodeBotEvent(stored: Pick<StoredEvent, 'data' | 'eventId'>): BotDomainEvent {
  const { event } = BotEvent.decode(stored.data)
  if (event === undefined) throw new Error(`stored bot event ${stored.eventId} has no known case`)
  return event
}
