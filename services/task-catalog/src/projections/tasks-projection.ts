import type { Projection, StoredEvent } from '@taskforge/event-store'
import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { type Kysely, sql, type Transaction } from 'kysely'
import { decodeTaskEvent, TASK_STREAM } from '../events/task-codec.js'
import type { SecretSealer } from '../secrets/secret-sealer.js'
import { type CatalogTables, definitionJson } from './catalog-tables.js'

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
    .addColumn('sealed_secret', 'bytea', (c) => c.notNull())
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
    definition: definitionJson(d),
    name: d.name,
    host_id: d.hostId,
    script_id: d.scriptId,
    tags: d.tags,
  }
}

async function applyOne(
  trx: Transaction<CatalogTables>,
  stored: StoredEvent,
  sealer: SecretSealer,
): Promise<void> {
  const event = decodeTaskEvent(stored)
  const id = stored.streamId
  // Tasks before decision 18 recorded their secret key in clear: it is sealed here, for the
  // organization every event of the task names.
  const sealedSecret = (value: { secret: string; sealedSecret: Uint8Array }) =>
    Buffer.from(
      value.sealedSecret.length > 0
        ? value.sealedSecret
        : sealer.seal(value.secret, {
            purpose: 'task-secret',
            customer: stored.metadata.customer,
            taskId: id,
          }),
    )
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
          sealed_secret: sealedSecret(event.value),
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
        .set({ ...touched, sealed_secret: sealedSecret(event.value) })
        .where('id', '=', id)
        .where('version', '<', version)
        .execute()
      return
    case 'deleted':
      await trx.deleteFrom('tasks').where('id', '=', id).execute()
      return
  }
}

/** Projects task streams into the `tasks` read table; the secret key is kept sealed. */
export function tasksProjection(sealer: SecretSealer): Projection {
  return {
    name: 'tasks',
    // 2: the secret key is kept sealed, and the definition holds sealed secret variables (decision 18).
    version: 2,
    streamTypes: [TASK_STREAM],
    async apply(trx: Transaction<CatalogTables>, events: StoredEvent[]) {
      for (const event of events) await applyOne(trx, event, sealer)
    },
    async reset(trx: Transaction<CatalogTables>) {
      await trx.schema.dropTable('tasks').ifExists().execute()
      await createTables(trx)
    },
    setup: (db: Kysely<CatalogTables>) => createTables(db),
  }
}
