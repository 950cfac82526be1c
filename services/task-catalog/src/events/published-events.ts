import type { StoredEvent } from '@taskforge/event-store'
import { TaskEvent, WebhookEvent } from '@taskforge/proto/catalog/v1/events'
import { decodeTaskEvent, TASK_STREAM } from './task-codec.js'
import { decodeWebhookEvent, WEBHOOK_STREAM } from './webhook-codec.js'

/**
 * The copy of a stored event published on JetStream. Events recorded before decision 18 carry a task's
 * secret key or a webhook's secret in clear; they are published with it blanked (the sealed value
 * is what the catalog reads), so no secret reaches the EVENTS stream in clear whatever the age of
 * the event. Events recorded since carry only sealed values and go out as they are.
 */
export function withoutClearSecrets<E extends Pick<StoredEvent, 'streamType' | 'eventId' | 'data'>>(
  stored: E,
): E {
  if (stored.streamType === TASK_STREAM) {
    const event = decodeTaskEvent(stored)
    if ((event.$case === 'created' || event.$case === 'secretRotated') && event.value.secret !== '') {
      const blanked = { ...event, value: { ...event.value, secret: '' } } as typeof event
      return { ...stored, data: TaskEvent.encode({ event: blanked }).finish() }
    }
  }
  if (stored.streamType === WEBHOOK_STREAM) {
    const event = decodeWebhookEvent(stored)
    if (event.$case === 'created' && event.value.secret !== '') {
      const blanked = { $case: 'created' as const, value: { ...event.value, secret: '' } }
      return { ...stored, data: WebhookEvent.encode({ event: blanked }).finish() }
    }
  }
  return stored
}
