import type { Projection, StoredEvent } from '@taskforge/event-store'
import { WorkflowDefinition } from '@taskforge/proto/catalog/v1/model'
import { type Kysely, sql, type Transaction } from 'kysely'
import { taskIdsOf } from '../domain/workflow-definition.js'
import { decodeWorkflowEvent, WORKFLOW_STREAM } from '../events/workflow-codec.js'

/** Read table of live workflows at their latest version; deleted ones are removed. */
export interface WorkflowsTable {
  id: string
  customer: string
  version: number
  /** The definition as its events carry it (protobuf). */
  definition: Buffer
  name: string
  /** The tasks its nodes run: what a task's deletion is checked against. */
  task_ids: string[]
  created_at: Date
  updated_at: Date
}

/** Every version of every live workflow, as saved. */
export interface WorkflowVersionsTable {
  id: string
  version: number
  customer: string
  definition: Buffer
  saved_at: Date
}

/** The key of runs by secret of each live workflow that has one, sealed. */
export interface WorkflowSecretsTable {
  id: string
  customer: string
  sealed_secret: Buffer
}

export interface WorkflowTables {
  workflows: WorkflowsTable
  workflow_versions: WorkflowVersionsTable
  workflow_secrets: WorkflowSecretsTable
}

async function createTables(db: Kysely<WorkflowTables>): Promise<void> {
  await db.schema
    .createTable('workflows')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'bytea', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('task_ids', sql`text[]`, (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('workflows_customer_created')
    .ifNotExists()
    .on('workflows')
    .columns(['customer', 'created_at', 'id'])
    .execute()
  await db.schema
    .createIndex('workflows_task_ids')
    .ifNotExists()
    .on('workflows')
    .using('gin')
    .column('task_ids')
    .execute()
  await db.schema
    .createTable('workflow_versions')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('definition', 'bytea', (c) => c.notNull())
    .addColumn('saved_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('workflow_versions_pk', ['id', 'version'])
    .execute()
  await db.schema
    .createTable('workflow_secrets')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('sealed_secret', 'bytea', (c) => c.notNull())
    .execute()
}

async function saveSecret(
  trx: Transaction<WorkflowTables>,
  row: { id: string; customer: string; sealed_secret: Buffer },
): Promise<void> {
  if (row.sealed_secret.length === 0) return
  await trx
    .insertInto('workflow_secrets')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ sealed_secret: row.sealed_secret }))
    .execute()
}

function columnsOf(definition: WorkflowDefinition | undefined) {
  const d = definition ?? WorkflowDefinition.create()
  return {
    definition: Buffer.from(WorkflowDefinition.encode(d).finish()),
    name: d.name,
    task_ids: taskIdsOf(d),
  }
}

async function saveVersion(
  trx: Transaction<WorkflowTables>,
  row: { id: string; version: number; customer: string; definition: Buffer; saved_at: Date },
): Promise<void> {
  await trx
    .insertInto('workflow_versions')
    .values(row)
    .onConflict((oc) => oc.columns(['id', 'version']).doNothing())
    .execute()
}

async function applyOne(trx: Transaction<WorkflowTables>, stored: StoredEvent): Promise<void> {
  const event = decodeWorkflowEvent(stored)
  const id = stored.streamId
  switch (event.$case) {
    case 'created': {
      const columns = columnsOf(event.value.definition)
      await trx
        .insertInto('workflows')
        .values({
          id,
          customer: event.value.customer,
          version: 1,
          ...columns,
          created_at: stored.occurredAt,
          updated_at: stored.occurredAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
      await saveVersion(trx, {
        id,
        version: 1,
        customer: event.value.customer,
        definition: columns.definition,
        saved_at: stored.occurredAt,
      })
      await saveSecret(trx, {
        id,
        customer: event.value.customer,
        sealed_secret: Buffer.from(event.value.sealedSecret),
      })
      return
    }
    case 'updated': {
      const columns = columnsOf(event.value.definition)
      const version = event.value.version
      const updated = await trx
        .updateTable('workflows')
        .set({ version, ...columns, updated_at: stored.occurredAt })
        .where('id', '=', id)
        .where('version', '<', version)
        .returning('customer')
        .executeTakeFirst()
      if (updated !== undefined) {
        await saveVersion(trx, {
          id,
          version,
          customer: updated.customer,
          definition: columns.definition,
          saved_at: stored.occurredAt,
        })
      }
      return
    }
    case 'deleted':
      await trx.deleteFrom('workflows').where('id', '=', id).execute()
      await trx.deleteFrom('workflow_versions').where('id', '=', id).execute()
      await trx.deleteFrom('workflow_secrets').where('id', '=', id).execute()
      return
    case 'secretRotated':
      await saveSecret(trx, {
        id,
        customer: stored.metadata.customer,
        sealed_secret: Buffer.from(event.value.sealedSecret),
      })
      return
  }
}

/**
 * Projects workflow streams into `workflows` (the latest version of each), `workflow_versions`
 * (every version, for `?version=N`) and `workflow_secrets` (the sealed key of runs by secret). All
 * are rebuilt from the events alone.
 */
export function workflowsProjection(): Projection {
  return {
    name: 'workflows',
    // 2: the keys of runs by secret (`workflow_secrets`).
    version: 2,
    streamTypes: [WORKFLOW_STREAM],
    async apply(trx: Transaction<WorkflowTables>, events: StoredEvent[]) {
      for (const event of events) await applyOne(trx, event)
    },
    async reset(trx: Transaction<WorkflowTables>) {
      await trx.schema.dropTable('workflow_secrets').ifExists().execute()
      await trx.schema.dropTable('workflow_versions').ifExists().execute()
      await trx.schema.dropTable('workflows').ifExists().execute()
      await createTables(trx)
    },
    setup: (db: Kysely<WorkflowTables>) => createTables(db),
  }
}
