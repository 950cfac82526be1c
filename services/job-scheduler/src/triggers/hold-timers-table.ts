import type { Db, Trx } from '@taskforge/event-store'
import { type Kysely, sql } from 'kysely'

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

/** The database's clock, which stamps and compares every due time whatever the replica. */
export async function databaseNow(conn: Db | Trx, plusMs = 0): Promise<Date> {
  const { rows } = await sql<{
    at: Date
  }>`SELECT now() + (${plusMs}::double precision * interval '1 millisecond') AS at`.execute(conn)
  return rows[0]!.at
}

/**
 * Claims the timer due first at `at` (default: the database's now) for the caller's transaction,
 * skipping those another replica is firing; undefined when none is due.
 */
export async function claimDueTimer(
  trx: Trx,
  at: Date | undefined,
  skip: readonly string[],
): Promise<HoldTimersTable | undefined> {
  let query = holdTimersDb(trx)
    .selectFrom(HOLD_TIMERS_TABLE)
    .selectAll()
    .where('due_at', '<=', at ?? sql<Date>`now()`)
    .orderBy('due_at')
    .limit(1)
    .forUpdate()
    .skipLocked()
  if (skip.length > 0) query = query.where('job_id', 'not in', [...skip])
  return query.executeTakeFirst()
}

export async function deleteHoldTimer(conn: Db | Trx, jobId: string): Promise<void> {
  await holdTimersDb(conn).deleteFrom(HOLD_TIMERS_TABLE).where('job_id', '=', jobId).execute()
}

/** How long until the next timer is due, by the database's clock (0 when overdue); undefined when none. */
export async function msUntilNextDue(conn: Db | Trx): Promise<number | undefined> {
  const { rows } = await sql<{
    ms: number | string | null
  }>`SELECT extract(epoch FROM min(due_at) - now()) * 1000 AS ms FROM ${sql.table(HOLD_TIMERS_TABLE)}`.execute(
    conn,
  )
  const ms = rows[0]?.ms
  return ms === null || ms === undefined ? undefined : Math.max(0, Math.ceil(Number(ms)))
}
