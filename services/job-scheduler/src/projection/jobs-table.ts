import type { JobResultView } from '@taskforge/model'
import type { ColumnType, Kysely } from 'kysely'

type Json<T> = ColumnType<T, string, string>

/** The `jobs` read model table (snake_case, as the API names the fields). */
export interface JobsTable {
  id: string
  customer: string
  task_id: string
  name: string
  host_id: string
  lifecycle: string
  state: string
  task_arguments_values: Json<string[]>
  output: Json<string[]>
  result: Json<JobResultView | null>
  origin: string
  creation_date: ColumnType<Date, Date, Date>
  last_update: ColumnType<Date, Date, Date>
  version: number
  author: string
  schedule_id: string | null
  scheduled_for: ColumnType<Date | null, Date | null, Date | null>
  hold_until: ColumnType<Date | null, Date | null, Date | null>
  workflow_run_id: string | null
  workflow_node: string | null
}

export interface JobsDatabase {
  jobs: JobsTable
}

export const JOBS_TABLE = 'jobs'

/** Creates the table and its indexes when missing. */
export async function createJobsTable(db: Kysely<JobsDatabase>): Promise<void> {
  await db.schema
    .createTable(JOBS_TABLE)
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('host_id', 'text', (c) => c.notNull())
    .addColumn('lifecycle', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('task_arguments_values', 'jsonb', (c) => c.notNull())
    .addColumn('output', 'jsonb', (c) => c.notNull())
    .addColumn('result', 'jsonb')
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('creation_date', 'timestamptz', (c) => c.notNull())
    .addColumn('last_update', 'timestamptz', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('schedule_id', 'text')
    .addColumn('scheduled_for', 'timestamptz')
    .addColumn('hold_until', 'timestamptz')
    .addColumn('workflow_run_id', 'text')
    .addColumn('workflow_node', 'text')
    .execute()
  await db.schema
    .createIndex('jobs_customer_created')
    .ifNotExists()
    .on(JOBS_TABLE)
    .columns(['customer', 'creation_date desc', 'id desc'])
    .execute()
  await db.schema
    .createIndex('jobs_customer_task_created')
    .ifNotExists()
    .on(JOBS_TABLE)
    .columns(['customer', 'task_id', 'creation_date desc', 'id desc'])
    .execute()
}
