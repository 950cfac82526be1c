import type { Projection, StoredEvent } from '@taskforge/event-store'
import type { Kysely, Transaction } from 'kysely'
import { decodeScriptEvent, SCRIPT_STREAM } from '../events/script-codec.js'
import type { CatalogTables } from './catalog-tables.js'

async function createTables(db: Kysely<CatalogTables>): Promise<void> {
  await db.schema
    .createTable('scripts')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('scripts_customer_created')
    .ifNotExists()
    .on('scripts')
    .columns(['customer', 'created_at', 'id'])
    .execute()
}

async function applyOne(trx: Transaction<CatalogTables>, stored: StoredEvent): Promise<void> {
  const event = decodeScriptEvent(stored)
  const id = stored.streamId
  const version = Number(stored.streamVersion)
  switch (event.$case) {
    case 'created':
      await trx
        .insertInto('scripts')
        .values({
          id,
          customer: event.value.customer,
          version,
          filename: event.value.filename,
          description: event.value.description,
          content: event.value.content,
          created_at: stored.occurredAt,
          updated_at: stored.occurredAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
      return
    case 'updated': {
      const { filename, description, content } = event.value
      await trx
        .updateTable('scripts')
        .set({
          version,
          updated_at: stored.occurredAt,
          ...(filename === undefined ? {} : { filename }),
          ...(description === undefined ? {} : { description }),
          ...(content === undefined ? {} : { content }),
        })
        .where('id', '=', id)
        .where('version', '<', version)
        .execute()
      return
    }
    case 'deleted':
      await trx.deleteFrom('scripts').where('id', '=', id).execute()
      return
  }
}

/** Projects script streams into the `scripts` read table. */
export function scriptsProjection(): Projection {
  return {
    name: 'scripts',
    version: 1,
    streamTypes: [SCRIPT_STREAM],
    async apply(trx: Transaction<CatalogTables>, events: StoredEvent[]) {
      for (const event of events) await applyOne(trx, event)
    },
    async reset(trx: Transaction<CatalogTables>) {
      await trx.schema.dropTable('scripts').ifExists().execute()
      await createTables(trx)
    },
    setup: (db: Kysely<CatalogTables>) => createTables(db),
  }
}
