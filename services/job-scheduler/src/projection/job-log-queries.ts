import { type Kysely, sql } from 'kysely'
import { JOB_LOG_CHUNKS_TABLE, JOB_LOG_STATUS_TABLE, type JobLogDatabase } from './job-log-table.js'

export type JobLogDb = Kysely<JobLogDatabase>

export interface JobLogStatus {
  done: boolean
  truncatedBytes: number
}

/** A chunk of a job's log: its text, or (read raw) the bytes the script wrote. */
export interface JobLogChunk {
  seq: number
  stream: string
  text: string
  data?: Buffer
}

export interface JobLogPage {
  chunks: JobLogChunk[]
  /** Chunks after these are there already (the page was full). */
  more: boolean
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

/**
 * The chunks of a job's log after `afterSeq`, in order: at most `limit`, and no more than those
 * whose content starts within `maxBytes` (always the first), so that a page of a large log stays a
 * message gRPC carries. Raw, each chunk is the bytes the script wrote; a chunk whose bot did not send
 * them gives its text's UTF-8.
 */
export async function readJobLog(
  db: JobLogDb,
  jobId: string,
  afterSeq: number,
  page: { limit: number; maxBytes: number; raw?: boolean },
): Promise<JobLogPage> {
  const content = page.raw ? sql`coalesce(data, convert_to(text, 'UTF8'))` : sql`text`
  // One row past the page says whether there is more; content is read only for the rows kept.
  const { rows } = await sql<{ seq: number; stream: string; content: Buffer | string | null }>`
    SELECT seq, stream, CASE WHEN before < ${page.maxBytes} THEN content END AS content
    FROM (
      SELECT seq, stream, ${content} AS content,
        coalesce(sum(octet_length(${content})) OVER (ORDER BY seq ROWS UNBOUNDED PRECEDING EXCLUDE CURRENT ROW), 0) AS before
      FROM ${sql.table(JOB_LOG_CHUNKS_TABLE)}
      WHERE job_id = ${jobId} AND seq > ${afterSeq}
      ORDER BY seq
      LIMIT ${page.limit + 1}
    ) page
    ORDER BY seq
  `.execute(db)
  const kept = rows.slice(0, page.limit).filter((row) => row.content !== null)
  return {
    chunks: kept.map(({ seq, stream, content }) =>
      typeof content === 'string'
        ? { seq, stream, text: content }
        : { seq, stream, text: '', data: content! },
    ),
    more: kept.length < rows.length,
  }
}
