import type { EventMetadata, NewEvent, StoredEvent } from '@taskforge/event-store'
import { SubscriptionEvent } from '@taskforge/proto/webhooks/v1/events'
import type { SubscriptionDomainEvent } from '../domain/subscription-decider.js'

/** Stream type of subscriptions; JetStream subjects are `events.subscription.<type>`. */
export const SUBSCRIPTION_STREAM = 'subscription'

/** The stored form: type = oneof case, data = `SubscriptionEvent` encoded. */
export function encodeSubscriptionEvent(event: SubscriptionDomainEvent, metadata: EventMetadata): NewEvent {
  return { type: event.$case, data: SubscriptionEvent.encode({ event }).finish(), metadata }
}

export function decodeSubscriptionEvent(
  stored: Pick<StoredEvent, 'eventId' | 'data'>,
): SubscriptionDomainEvent {
  const { event } = SubscriptionEvent.decode(stored.data)
  if (event === undefined) throw new Error(`stored subscription event ${stored.eventId} holds no known case`)
  return event
}

/**
 * The copy published on JetStream: tokens and signing secrets never leave the relay's database, so
 * other consumers of EVENTS learn that a subscription changed, not how to forge its deliveries.
 */
export function redactForPublishing<E extends Pick<StoredEvent, 'streamType' | 'eventId' | 'data'>>(
  stored: E,
): E {
  if (stored.streamType !== SUBSCRIPTION_STREAM) return stored
  const event = decodeSubscriptionEvent(stored)
  let redacted: SubscriptionDomainEvent = event
  if (event.$case === 'created')
    redacted = { $case: 'created', value: { ...event.value, token: '', secret: '' } }
  if (event.$case === 'secretRotated') {
    redacted = { $case: 'secretRotated', value: { ...event.value, secret: '', previousSecret: '' } }
  }
  return redacted === event
    ? stored
    : { ...stored, data: SubscriptionEvent.encode({ event: redacted }).finish() }
}
