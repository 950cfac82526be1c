import type { Trx } from '@taskforge/event-store'
import { sql } from 'kysely'

/** The channel the job projections notify, with the job id as payload, when they changed a job. */
export const JOB_CHANGES_CHANNEL = 'taskforge_job_changes'

/**
 * Jobs each transaction notified already. Postgres delivers one notification for the same one sent
 * twice in a transaction, so the projections applied together (`jobs` and `job_log`, which change
 * the same jobs) need not send it twice.
 */
const notifiedIn = new WeakMap<Trx, Set<string>>()

/**
 * Tells every listener (once the transaction commits) that the read model of these jobs changed.
 * Call it last in a projection's apply: what a savepoint rolls back (a failed apply) then never
 * holds a notification the transaction counts as sent.
 */
export async function notifyJobsChanged(trx: Trx, jobIds: Iterable<string>): Promise<void> {
  const notified = notifiedIn.get(trx) ?? new Set<string>()
  const ids = [...new Set(jobIds)].filter((id) => !notified.has(id))
  if (ids.length === 0) return
  await sql`SELECT pg_notify(${JOB_CHANGES_CHANNEL}, id) FROM unnest(${ids}::text[]) AS id`.execute(trx)
  for (const id of ids) notified.add(id)
  notifiedIn.set(trx, notified)
}
