import type { Projection, StoredEvent } from '@taskforge/event-store'
import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { type Kysely, sql, type Transaction } from 'kysely'
import { decodeTaskEvent, TASK_STREAM } from '../events/task-codec.js'
import type { CatalogTables } from './catalog-tables.js'

async function createTables(db: Kysely<CatalogTables>): Promise<void> {
  await db.schema
    .createTable('tasks')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('host_id', 'text', (c) => c.notNull())
    .addColumn('script_id', 'text', (c) => c.notNull())
    .addColumn('tags', sql`text[]`, (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('tasks_customer_created')
    .ifNotExists()
    .on('tasks')
    .columns(['customer', 'created_at', 'id'])
    .execute()
  await db.schema
    .createIndex('tasks_customer_host')
    .ifNotExists()
    .on('tasks')
    .columns(['customer', 'host_id'])
    .execute()
  await db.schema.createIndex('tasks_tags').ifNotExists().on('tasks').using('gin').column('tags').execute()
}

/** The columns that mirror definition fields, so lists can filter without reading JSON. */
function definitionColumns(definition: TaskDefinition | undefined) {
  const d = definition ?? TaskDefinition.create()
  return {
    definition: JSON.stringify(d),
    name: d.name,
    host_id: d.hostId,
    script_id: d.scriptId,
    tags: d.tags,
  }
}

async function applyOne(trx: Transaction<CatalogTables>, stored: StoredEvent): Promise<void> {
  const event = decodeTaskEvent(stored)
  const id = stored.streamId
  const version = Number(stored.streamVersion)
  const touched = { version, updated_at: stored.occurredAt }
  switch (event.$case) {
    case 'created':
      await trx
        .insertInto('tasks')
        .values({
          id,
          customer: event.value.customer,
          ...touched,
          ...definitionColumns(event.value.definition),
          secret: event.value.secret,
          created_at: stored.occurredAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
      return
    case 'updated':
      await trx
        .updateTable('tasks')
        .set({ ...touched, ...definitionColumns(event.value.definition) })
        .where('id', '=', id)
        .where('version', '<', version)
        .execute()
      return
    case 'secretRotated':
      await trx
        .updateTable('tasks')
        .set({ ...touched, secret: event.value.secret })
        .where('id', '=', id)
        .where('version', '<', version)
        .execute()
      return
    case 'deleted':
      await trx.deleteFrom('tasks').where('id', '=', id).execute()
      return
  }
}

/** Projects task streams into the `tasks` read table. */
export function tasksProjection(): Projection {
  return {
    name: 'tasks',
    version: 1,
    streamTypes: [TASK_STREAM],
    async apply(trx: Transaction<CatalogTables>, events: StoredEvent[]) {
      for (const event of events) await applyOne(trx, event)
    },
    async reset(trx: Transaction<CatalogTables>) {
      await trx.schema.dropTable('tasks').ifExists().execute()
      await createTables(trx)
    },
    setup: (db: Kysely<CatalogTables>) => createTables(db),
  }
}
