import type { Db, Trx } from '@taskforge/event-store'
import { isTerminalLifecycle, type JobStatus, type NotStartedLifecycles } from '@taskforge/model'
import type { ColumnType, Generated, Kysely } from 'kysely'

/** Where a job that has not ended stands, as far as scheduling goes: its lifecycle, or running. */
export type SchedulePhase = (typeof NotStartedLifecycles)[number] | 'running'

/**
 * The phase of a job's status (the shared fold of its events): `running` once its bot reported the
 * start; none once it ended (its row is deleted).
 */
export function schedulePhase(status: JobStatus | undefined): SchedulePhase | undefined {
  // A workflow step waiting for people is no work of any bot's: it holds no row (decision 32).
  if (status === undefined || isTerminalLifecycle(status.lifecycle) || status.lifecycle === 'waiting')
    return undefined
  if (status.started) return 'running'
  return status.lifecycle as (typeof NotStartedLifecycles)[number]
}

/**
 * One row per job that has not ended: the scheduler's own working state, written in the same
 * transaction as the job's events (never lagging like a read model), so that decisions taken from it
 * (multitasking, the next job of a task, leases) see every committed job. It is also the timer table:
 * `lease_expires_at` of a running job is renewed by its bot's heartbeats and output.
 */
export interface JobScheduleTable {
  job_id: string
  customer: string
  task_id: string
  /** The bot assigned, or the task's host while the job waits (empty when the task has none). */
  bot_id: string
  multitasking: boolean
  phase: SchedulePhase
  attempt: number
  /** Queue order: jobs of a task run one at a time in this order. */
  seq: Generated<string>
  lease_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>
}

export interface ScheduleDatabase {
  job_schedule: JobScheduleTable
}

export const JOB_SCHEDULE_TABLE = 'job_schedule'

/** The table as the schedule's queries type it. */
export type ScheduleDb = Kysely<ScheduleDatabase>

/** The service's database or transaction (open schema) seen through the schedule table's types. */
export function scheduleDb(db: Db | Trx): ScheduleDb {
  return db as ScheduleDb
}

/** Creates the table and its indexes when missing. */
export async function createJobScheduleTable(db: ScheduleDb): Promise<void> {
  await db.schema
    .createTable(JOB_SCHEDULE_TABLE)
    .ifNotExists()
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('bot_id', 'text', (c) => c.notNull())
    .addColumn('multitasking', 'boolean', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('seq', 'bigserial', (c) => c.notNull())
    .addColumn('lease_expires_at', 'timestamptz')
    .execute()
  await db.schema
    .createIndex('job_schedule_task_phase_seq')
    .ifNotExists()
    .on(JOB_SCHEDULE_TABLE)
    .columns(['task_id', 'phase', 'seq'])
    .execute()
  // Counts of an organization's jobs not started (its queue quota) read a range of this index.
  await db.schema
    .createIndex('job_schedule_customer_phase')
    .ifNotExists()
    .on(JOB_SCHEDULE_TABLE)
    .columns(['customer', 'phase'])
    .execute()
  await db.schema
    .createIndex('job_schedule_lease')
    .ifNotExists()
    .on(JOB_SCHEDULE_TABLE)
    .column('lease_expires_at')
    .execute()
}
