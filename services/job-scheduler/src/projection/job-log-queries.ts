import type { Kysely } from 'kysely'
import { JOB_LOG_CHUNKS_TABLE, JOB_LOG_STATUS_TABLE, type JobLogDatabase } from './job-log-table.js'

export type JobLogDb = Kysely<JobLogDatabase>

export interface JobLogStatus {
  done: boolean
  truncatedBytes: number
}

export interface JobLogChunk {
  seq: number
  stream: string
  text: string
}

/** Whether a customer's job log is complete, or undefined when the job is not theirs (or unknown). */
export async function findJobLogStatus(
  db: JobLogDb,
  customer: string,
  jobId: string,
): Promise<JobLogStatus | undefined> {
  const row = await db
    .selectFrom(JOB_LOG_STATUS_TABLE)
    .select(['done', 'truncated_bytes'])
    .where('job_id', '=', jobId)
    .where('customer', '=', customer)
    .executeTakeFirst()
  return row === undefined ? undefined : { done: row.done, truncatedBytes: Number(row.truncated_bytes) }
}

/** Up to `limit` chunks of a job's log after `afterSeq`, in order. */
export async function readJobLog(
  db: JobLogDb,
  jobId: string,
  afterSeq: number,
  limit: number,
): Promise<JobLogChunk[]> {
  return db
    .selectFrom(JOB_LOG_CHUNKS_TABLE)
    .select(['seq', 'stream', 'text'])
    .where('job_id', '=', jobId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute()
}
