import { contentSha256 } from '@taskforge/core'
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
    .addColumn('content_sha256', 'text', (c) => c.notNull())
    .addColumn('content_size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('scripts_customer_created')
    .ifNotExists()
    .on('scripts')
    .columns(['customer', 'created_at', 'id'])
    .execute()
  await db.schema
    .createTable('script_contents')
    .ifNotExists()
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('script_contents_pkey', ['customer', 'sha256'])
    .execute()
}

/** Keeps `content` under its hash for the customer (once: the same content is the same row). */
async function keepContent(
  trx: Transaction<CatalogTables>,
  customer: string,
  content: Uint8Array,
): Promise<{ content_sha256: string; content_size: number }> {
  const sha256 = contentSha256(content)
  await trx
    .insertInto('script_contents')
    .values({ customer, sha256, size: content.length, content: Buffer.from(content) })
    .onConflict((oc) => oc.columns(['customer', 'sha256']).doNothing())
    .execute()
  return { content_sha256: sha256, content_size: content.length }
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
          ...(await keepContent(trx, event.value.customer, event.value.content)),
          created_at: stored.occurredAt,
          updated_at: stored.occurredAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
      return
    case 'updated': {
      const { filename, description, content } = event.value
      const kept =
        content === undefined
          ? undefined
          : await trx
              .selectFrom('scripts')
              .select('customer')
              .where('id', '=', id)
              .executeTakeFirst()
              .then((row) => (row === undefined ? undefined : keepContent(trx, row.customer, content)))
      await trx
        .updateTable('scripts')
        .set({
          version,
          updated_at: stored.occurredAt,
          ...(filename === undefined ? {} : { filename }),
          ...(description === undefined ? {} : { description }),
          ...(content === undefined ? {} : { content }),
          ...kept,
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

/**
 * Projects script streams into the `scripts` read table, and every content a script had into
 * `script_contents`, in the same transaction: a job that names a content read from `scripts`
 * finds it there.
 */
export function scriptsProjection(): Projection {
  return {
    name: 'scripts',
    version: 2,
    streamTypes: [SCRIPT_STREAM],
    async apply(trx: Transaction<CatalogTables>, events: StoredEvent[]) {
      for (const event of events) await applyOne(trx, event)
    },
    async reset(trx: Transaction<CatalogTables>) {
      await trx.schema.dropTable('scripts').ifExists().execute()
      await trx.schema.dropTable('script_contents').ifExists().execute()
      await createTables(trx)
    },
    setup: (db: Kysely<CatalogTables>) => createTables(db),
  }
}
