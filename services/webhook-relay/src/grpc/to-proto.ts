import type { Delivery, Subscription } from '@taskforge/proto/webhooks/v1/webhook_relay_service'
import type { DeliveryWithAttempts } from '../delivery/delivery-store.js'
import type { SubscriptionRow } from '../projection/subscription-queries.js'

/** A subscription row as the `webhooks.v1.Subscription` message. */
export function toProtoSubscription(row: SubscriptionRow, now: Date = new Date()): Subscription {
  const overlapping =
    row.previous_secret !== '' &&
    row.previous_secret_expires_at !== null &&
    row.previous_secret_expires_at.getTime() > now.getTime()
  return {
    id: row.id,
    customer: row.customer,
    url: row.url,
    events: row.events,
    description: row.description,
    token: row.token,
    secret: row.secret,
    enabled: row.enabled,
    disabledReason: row.enabled ? '' : row.disabled_reason,
    previousSecretExpiresAt: overlapping ? (row.previous_secret_expires_at ?? undefined) : undefined,
    creationDate: row.created_at,
    lastUpdate: row.updated_at,
    version: row.version,
  }
}

/** A delivery with its attempts as the `webhooks.v1.Delivery` message. */
export function toProtoDelivery(delivery: DeliveryWithAttempts): Delivery {
  return {
    id: delivery.id,
    subscriptionId: delivery.subscription_id,
    eventId: delivery.event_id,
    eventName: delivery.event_name,
    status: delivery.status,
    attemptCount: delivery.attempt_count,
    nextAttemptAt: delivery.status === 'pending' ? (delivery.next_attempt_at ?? undefined) : undefined,
    creationDate: delivery.created_at,
    lastUpdate: delivery.updated_at,
    attempts: delivery.attempts.map((attempt) => ({
      number: attempt.number,
      startedAt: attempt.started_at,
      durationMs: attempt.duration_ms,
      ...(attempt.status_code === null ? {} : { statusCode: attempt.status_code }),
      responseExcerpt: attempt.response_excerpt,
      error: attempt.error,
      outcome: attempt.outcome,
    })),
  }
}
