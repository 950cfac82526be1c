import type { NewEvent, StoredEvent } from '@taskforge/event-store'
import { WebhookEvent } from '@taskforge/proto/catalog/v1/events'
import type { WebhookDomainEvent } from '../domain/webhook-decider.js'
import { type CommandContext, eventMetadata } from './command-context.js'

/** Stream type of incoming webhooks; JetStream subjects are `events.webhook.<type>`. */
export const WEBHOOK_STREAM = 'webhook'

/** The stored form of a webhook event: type = oneof case, data = `WebhookEvent` encoded. */
export function encodeWebhookEvent(event: WebhookDomainEvent, ctx: CommandContext): NewEvent {
  return { type: event.$case, data: WebhookEvent.encode({ event }).finish(), metadata: eventMetadata(ctx) }
}

export function decodeWebhookEvent(stored: Pick<StoredEvent, 'eventId' | 'data'>): WebhookDomainEvent {
  const { event } = WebhookEvent.decode(stored.data)
  if (event === undefined) throw new Error(`stored webhook event ${stored.eventId} holds no known case`)
  return event
}
