import type { Projection, StoredEvent } from '@taskforge/event-store'
import type { Kysely, Transaction } from 'kysely'
import { decodeSubscriptionEvent, SUBSCRIPTION_STREAM } from '../events/subscription-codec.js'
import { createSubscriptionsTable, type SubscriptionTables } from './subscriptions-table.js'

async function applyOne(trx: Transaction<SubscriptionTables>, stored: StoredEvent): Promise<void> {
  const event = decodeSubscriptionEvent(stored)
  const id = stored.streamId
  const version = Number(stored.streamVersion)
  const touched = { version, updated_at: stored.occurredAt }
  const later = trx.updateTable('subscriptions').where('id', '=', id).where('version', '<', version)
  switch (event.$case) {
    case 'created':
      await trx
        .insertInto('subscriptions')
        .values({
          id,
          customer: event.value.customer,
          url: event.value.url,
          events: event.value.events,
          description: event.value.description,
          token: event.value.token,
          secret: event.value.secret,
          previous_secret: '',
          previous_secret_expires_at: null,
          enabled: true,
          disabled_reason: '',
          created_at: stored.occurredAt,
          ...touched,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
      return
    case 'updated':
      await later
        .set({
          url: event.value.url,
          events: event.value.events,
          description: event.value.description,
          ...touched,
        })
        .execute()
      return
    case 'secretRotated':
      await later
        .set({
          secret: event.value.secret,
          previous_secret: event.value.previousSecret,
          previous_secret_expires_at: event.value.previousSecretExpiresAt ?? null,
          ...touched,
        })
        .execute()
      return
    case 'disabled':
      await later.set({ enabled: false, disabled_reason: event.value.reason, ...touched }).execute()
      return
    case 'enabled':
      await later.set({ enabled: true, disabled_reason: '', ...touched }).execute()
      return
    case 'deleted':
      await trx.deleteFrom('subscriptions').where('id', '=', id).execute()
      return
  }
}

/** Projects subscription streams into the `subscriptions` read table. */
export function subscriptionsProjection(): Projection {
  return {
    name: 'subscriptions',
    version: 1,
    streamTypes: [SUBSCRIPTION_STREAM],
    async apply(trx: Transaction<SubscriptionTables>, events: StoredEvent[]) {
      for (const event of events) await applyOne(trx, event)
    },
    async reset(trx: Transaction<SubscriptionTables>) {
      await trx.schema.dropTable('subscriptions').ifExists().execute()
      await createSubscriptionsTable(trx)
    },
    setup: (db: Kysely<SubscriptionTables>) => createSubscriptionsTable(db),
  }
}
