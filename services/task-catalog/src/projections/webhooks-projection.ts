import type { Projection, StoredEvent } from '@taskforge/event-store'
import type { ColumnType, Kysely, Transaction } from 'kysely'
import { decodeWebhookEvent, WEBHOOK_STREAM } from '../events/webhook-codec.js'
import type { SecretSealer } from '../secrets/secret-sealer.js'

/** Read table of live incoming webhooks; deleted ones are removed. */
export interface WebhooksTable {
  id: string
  customer: string
  name: string
  /** The secret, sealed (decision 18). */
  sealed_secret: Buffer
  version: number
  fired_count: number
  last_fired_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  created_at: Date
  updated_at: Date
}

export interface WebhookTables {
  webhooks: WebhooksTable
}

async function createTables(db: Kysely<WebhookTables>): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sealed_secret', 'bytea', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('fired_count', 'integer', (c) => c.notNull())
    .addColumn('last_fired_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('webhooks_customer_created')
    .ifNotExists()
    .on('webhooks')
    .columns(['customer', 'created_at', 'id'])
    .execute()
}

async function applyOne(
  trx: Transaction<WebhookTables>,
  stored: StoredEvent,
  sealer: SecretSealer,
): Promise<void> {
  const event = decodeWebhookEvent(stored)
  const id = stored.streamId
  const version = Number(stored.streamVersion)
  switch (event.$case) {
    case 'created':
      await trx
        .insertInto('webhooks')
        .values({
          id,
          customer: event.value.customer,
          name: event.value.name,
          // Webhooks created before decision 18 recorded the secret in clear: sealed here.
          sealed_secret: Buffer.from(
            event.value.sealedSecret.length > 0
              ? event.value.sealedSecret
              : sealer.seal(event.value.secret, {
                  purpose: 'webhook-secret',
                  customer: event.value.customer,
                  webhookId: id,
                }),
          ),
          version,
          fired_count: 0,
          created_at: stored.occurredAt,
          updated_at: stored.occurredAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
      return
    case 'fired':
      await trx
        .updateTable('webhooks')
        .set((eb) => ({
          version,
          fired_count: eb('fired_count', '+', 1),
          last_fired_at: event.value.firedAt ?? stored.occurredAt,
          updated_at: stored.occurredAt,
        }))
        .where('id', '=', id)
        .where('version', '<', version)
        .execute()
      return
    case 'deleted':
      await trx.deleteFrom('webhooks').where('id', '=', id).execute()
      return
  }
}

/** Projects webhook streams into the `webhooks` read table; secrets are kept sealed. */
export function webhooksProjection(sealer: SecretSealer): Projection {
  return {
    name: 'webhooks',
    // 2: the secret is kept sealed (decision 18).
    version: 2,
    streamTypes: [WEBHOOK_STREAM],
    async apply(trx: Transaction<WebhookTables>, events: StoredEvent[]) {
      for (const event of events) {
        if (event.streamType === WEBHOOK_STREAM) await applyOne(trx, event, sealer)
      }
    },
    async reset(trx: Transaction<WebhookTables>) {
      await trx.schema.dropTable('webhooks').ifExists().execute()
      await createTables(trx)
    },
    setup: (db: Kysely<WebhookTables>) => createTables(db),
  }
}
