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

/** A range of a log's lines, as {@link readJobLogLines} answers it. */
export interface JobLogLines {
  /** The 0-based number of the first line answered. */
  offset: number
  lines: string[]
  /** How many lines the log has: a last line without its `\n` counts, the final `\n` opens none. */
  total: number
}

/** A range of lines: from `offset` at most `limit`, or the last `tail`. */
export type LineRange = { offset: number; limit: number } | { tail: number }

/**
 * The lines of a job's log a range asks for, read from the chunks that hold them only: the last
 * chunk gives the line count, the `(job_id, end_line)` index the first and last chunk of the range,
 * so the tail of a 200,000-line log reads about what the tail of a 10-line one does. Lines end at
 * `\n` (a `\r` before it stays). Fewer lines than asked when they would pass `maxBytes` (always one).
 */
export async function readJobLogLines(
  db: JobLogDb,
  jobId: string,
  range: LineRange,
  maxBytes: number,
): Promise<JobLogLines> {
  const last = await db
    .selectFrom(JOB_LOG_CHUNKS_TABLE)
    .select(['end_line', 'open_after'])
    .where('job_id', '=', jobId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
  const total = last === undefined ? 0 : last.end_line + (last.open_after ? 1 : 0)
  const tail = 'tail' in range
  const start = tail ? Math.max(0, total - range.tail) : Math.min(range.offset, total)
  const end = Math.min(total, tail ? total : start + range.limit)
  if (end <= start) return { offset: start, lines: [], total }
  // The first chunk ending at or past line `start` holds its beginning; the first ending past line
  // `end - 1` (at or past `end`) holds that line's `\n`. Without one, the range runs to the log's end.
  const { rows } = await sql<{ text: string; first_line: number }>`
    SELECT text, first_line FROM ${sql.table(JOB_LOG_CHUNKS_TABLE)}
    WHERE job_id = ${jobId}
      AND seq >= (
        SELECT seq FROM ${sql.table(JOB_LOG_CHUNKS_TABLE)}
        WHERE job_id = ${jobId} AND end_line >= ${start} ORDER BY end_line, seq LIMIT 1
      )
      AND seq <= coalesce((
        SELECT seq FROM ${sql.table(JOB_LOG_CHUNKS_TABLE)}
        WHERE job_id = ${jobId} AND end_line >= ${end} ORDER BY end_line, seq LIMIT 1
      ), 2147483647)
    ORDER BY seq
  `.execute(db)
  const base = rows[0]?.first_line ?? start
  const all = rows
    .map((row) => row.text)
    .join('')
    .split('\n')
    .slice(start - base, end - base)
  const lines = capped(all, maxBytes, tail)
  return { offset: tail ? end - lines.length : start, lines, total }
}

/** How many of `lines` fit in `maxBytes`, counted from the end (at least one). */
function cappedFromEnd(lines: readonly string[], maxBytes: number): number {
  let bytes = 0
  for (let i = lines.length - 1; i >= 0; i--) {
    bytes += Buffer.byteLength(lines[i]!) + 1
    if (bytes > maxBytes && i < lines.length - 1) return lines.length - 1 - i
  }
  return lines.length
}

function capped(lines: string[], maxBytes: number, fromEnd: boolean): string[] {
  if (fromEnd) return lines.slice(lines.length - cappedFromEnd(lines, maxBytes))
  let bytes = 0
  for (let i = 0; i < lines.length; i++) {
    bytes += Buffer.byteLength(lines[i]!) + 1
    if (bytes > maxBytes && i > 0) return lines.slice(0, i)
  }
  return lines
}
