import type { Trx } from '@taskforge/event-store'
import { sql } from 'kysely'

/** The channel the job projections notify, with the job id as payload, when they changed a job. */
export const JOB_CHANGES_CHANNEL = 'taskforge_job_changes'

/** Tells every listener (once the transaction commits) that the read model of these jobs changed. */
export async function notifyJobsChanged(trx: Trx, jobIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(jobIds)]
  if (ids.length === 0) return
  await sql`SELECT pg_notify(${JOB_CHANGES_CHANNEL}, id) FROM unnest(${ids}::text[]) AS id`.execute(trx)
}
