import type { Db, Trx } from '@taskforge/event-store'
import { type RawBuilder, sql } from 'kysely'
import { JOB_SCHEDULE_TABLE, scheduleDb } from './job-schedule-table.js'

/** Database time `leaseMs` from now: every lease is stamped and compared on the database's clock. */
export function leaseDeadline(leaseMs: number): RawBuilder<Date> {
  return sql<Date>`now() + (${leaseMs}::double precision * interval '1 millisecond')`
}

/** Renews the leases of the jobs a bot says it is running (its heartbeat); answers how many. */
export async function renewLeases(
  conn: Db | Trx,
  botId: string,
  jobIds: readonly string[],
  leaseMs: number,
): Promise<number> {
  const db = scheduleDb(conn)
  if (jobIds.length === 0) return 0
  const result = await db
    .updateTable(JOB_SCHEDULE_TABLE)
    .set({ lease_expires_at: leaseDeadline(leaseMs) })
    .where('bot_id', '=', botId)
    .where('phase', '=', 'running')
    .where('job_id', 'in', [...jobIds])
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * Gives every running job at least one full lease from now. Run when a scheduler starts: while no
 * scheduler ran, nobody renewed leases, and their bots deserve the time to be heard again.
 */
export async function extendRunningLeases(conn: Db | Trx, leaseMs: number): Promise<number> {
  const db = scheduleDb(conn)
  const result = await db
    .updateTable(JOB_SCHEDULE_TABLE)
    .set({ lease_expires_at: sql<Date>`greatest(lease_expires_at, ${leaseDeadline(leaseMs)})` })
    .where('phase', '=', 'running')
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export interface ExpiredLease {
  jobId: string
  customer: string
  botId: string
  attempt: number
}

/** Running jobs whose lease ran out, oldest deadline first. */
export async function expiredLeases(conn: Db | Trx, limit: number): Promise<ExpiredLease[]> {
  const db = scheduleDb(conn)
  const rows = await db
    .selectFrom(JOB_SCHEDULE_TABLE)
    .select(['job_id', 'customer', 'bot_id', 'attempt'])
    .where('phase', '=', 'running')
    .where('lease_expires_at', '<', sql<Date>`now()`)
    .orderBy('lease_expires_at')
    .limit(limit)
    .execute()
  return rows.map((row) => ({
    jobId: row.job_id,
    customer: row.customer,
    botId: row.bot_id,
    attempt: row.attempt,
  }))
}

/** Takes the sweeper's lock for this transaction if no other replica holds it. */
export async function trySweeperLock(trx: Db | Trx): Promise<boolean> {
  const { rows } = await sql<{
    locked: boolean
  }>`SELECT pg_try_advisory_xact_lock(hashtext('job-scheduler:lease-sweeper')) AS locked`.execute(trx)
  return rows[0]?.locked === true
}
