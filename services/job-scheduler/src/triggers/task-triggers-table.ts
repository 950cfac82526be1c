import type { Db, Trx } from '@taskforge/event-store'
import type { Kysely } from 'kysely'

/** What starts a task: another task's outcome, or an incoming webhook. */
export type TriggerSourceKind = 'task' | 'webhook'

/**
 * One trigger of a task, as the scheduler knows it from the catalog's task events: the task `task_id`
 * runs when `source_id` (a task with `outcome` success|failure, or a webhook with outcome '') fires.
 */
export interface TaskTriggersTable {
  customer: string
  task_id: string
  source_kind: TriggerSourceKind
  source_id: string
  outcome: string
}

/** The last task event applied per task, so a redelivered or late event changes nothing. */
export interface TaskTriggerVersionsTable {
  task_id: string
  version: number
  deleted: boolean
}

export interface TriggersDatabase {
  task_triggers: TaskTriggersTable
  task_trigger_versions: TaskTriggerVersionsTable
}

export const TASK_TRIGGERS_TABLE = 'task_triggers'
export const TASK_TRIGGER_VERSIONS_TABLE = 'task_trigger_versions'

/** The service's database or transaction (open schema) seen through the trigger tables' types. */
export function triggersDb(db: Db | Trx): Kysely<TriggersDatabase> {
  return db as Kysely<TriggersDatabase>
}

/** Creates the tables and their index when missing. */
export async function createTaskTriggersTables(db: Kysely<TriggersDatabase>): Promise<void> {
  await db.schema
    .createTable(TASK_TRIGGERS_TABLE)
    .ifNotExists()
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_triggers_pk', ['task_id', 'source_kind', 'source_id', 'outcome'])
    .execute()
  await db.schema
    .createIndex('task_triggers_source')
    .ifNotExists()
    .on(TASK_TRIGGERS_TABLE)
    .columns(['customer', 'source_kind', 'source_id', 'outcome'])
    .execute()
  await db.schema
    .createTable(TASK_TRIGGER_VERSIONS_TABLE)
    .ifNotExists()
    .addColumn('task_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('deleted', 'boolean', (c) => c.notNull())
    .execute()
}
