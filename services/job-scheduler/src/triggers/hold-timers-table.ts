import type { Db, Trx } from '@taskforge/event-store'
import type { Kysely } from 'kysely'
import type { DueTimerTable } from '../timers/due-timer-table.js'

/**
 * One timer per job on hold: when its grace time runs out. Written in the transaction that queued the
 * job and removed in the one that released it, so a timer is never lost nor fired twice, whichever
 * process stops in between.
 */
export interface HoldTimersTable {
  job_id: string
  customer: string
  task_id: string
  due_at: Date
}

export interface HoldTimersDatabase {
  job_hold_timers: HoldTimersTable
}

export const HOLD_TIMERS_TABLE = 'job_hold_timers'

/** The service's database or transaction (open schema) seen through the timers table's types. */
export function holdTimersDb(db: Db | Trx): Kysely<HoldTimersDatabase> {
  return db as Kysely<HoldTimersDatabase>
}

/** Creates the table and its index when missing. */
export async function createHoldTimersTable(db: Kysely<HoldTimersDatabase>): Promise<void> {
  await db.schema
    .createTable(HOLD_TIMERS_TABLE)
    .ifNotExists()
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('job_hold_timers_due')
    .ifNotExists()
    .on(HOLD_TIMERS_TABLE)
    .column('due_at')
    .execute()
}

/** Sets the timer of a job on hold (in the transaction that queued it). */
export async function setHoldTimer(conn: Db | Trx, timer: HoldTimersTable): Promise<void> {
  await holdTimersDb(conn)
    .insertInto(HOLD_TIMERS_TABLE)
    .values(timer)
    .onConflict((oc) => oc.column('job_id').doUpdateSet({ due_at: timer.due_at }))
    .execute()
}

export async function deleteHoldTimer(conn: Db | Trx, jobId: string): Promise<void> {
  await holdTimersDb(conn).deleteFrom(HOLD_TIMERS_TABLE).where('job_id', '=', jobId).execute()
}

/** The hold timers as a table of due times. */
export const HOLD_TIMERS: DueTimerTable = { table: HOLD_TIMERS_TABLE, key: 'job_id' }
