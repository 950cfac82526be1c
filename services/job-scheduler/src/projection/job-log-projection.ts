import { wellFormedText } from '@taskforge/core'
import type { Db, Projection, StoredEvent } from '@taskforge/event-store'
import { type Insertable, sql, type Transaction } from 'kysely'
import { notifyJobsChanged } from '../changes/notify-job-changes.js'
import { decodeJobEvent, JOB_STREAM_TYPE } from '../domain/job-events.js'
import {
  createJobLogTables,
  dropJobLogTables,
  JOB_LOG_CHUNKS_TABLE,
  JOB_LOG_STATUS_TABLE,
  type JobLogChunksTable,
  type JobLogDatabase,
  type JobLogStatusTable,
} from './job-log-table.js'

/**
 * The `job_log` read model: each job's output as the chunks its bot streamed, numbered by their
 * position in the job's stream, and whether the job ended. It is apart from the `jobs` row so that a
 * log is read (and followed) chunk by chunk, and its completeness is known from the same projection
 * as its chunks: a job seen ended here has every chunk here. Each chunk keeps its text and the bytes
 * the script wrote (version 2), and where it lies in the log's lines (version 3: a range of lines reads
 * only its chunks); text from events recorded before the scheduler made it well-formed is made so here.
 */
export const jobLogProjection: Projection = {
  name: 'job_log',
  version: 3,
  streamTypes: [JOB_STREAM_TYPE],

  async setup(db: Db) {
    await createJobLogTables(db)
  },

  async reset(trx: Transaction<JobLogDatabase>) {
    await dropJobLogTables(trx)
    await createJobLogTables(trx)
  },

  async apply(trx: Transaction<JobLogDatabase>, events: StoredEvent[]) {
    // A batch is gathered first, then written in at most three statements whatever its size.
    const statuses: Insertable<JobLogStatusTable>[] = []
    const chunks: Omit<Insertable<JobLogChunksTable>, 'first_line' | 'end_line' | 'open_after'>[] = []
    const ended = new Map<string, number>()
    const changed = new Set<string>()
    for (const stored of events) {
      if (stored.streamType !== JOB_STREAM_TYPE) continue
      const event = decodeJobEvent(stored)
      const jobId = stored.streamId
      switch (event.$case) {
        case 'queued':
          statuses.push({ job_id: jobId, customer: event.value.customer, done: false, truncated_bytes: 0 })
          break
        case 'outputAppended':
          chunks.push({
            job_id: jobId,
            seq: Number(stored.streamVersion),
            stream: wellFormedText(event.value.stream),
            text: wellFormedText(event.value.text),
            data: event.value.data ?? null,
          })
          break
        case 'finished':
        case 'canceled':
        case 'leaseExpired':
          ended.set(jobId, event.$case === 'finished' ? Number(event.value.result?.truncatedBytes ?? 0n) : 0)
          break
        default:
          continue
      }
      changed.add(jobId)
    }
    if (statuses.length > 0) {
      await trx
        .insertInto(JOB_LOG_STATUS_TABLE)
        .values(statuses)
        .onConflict((oc) => oc.column('job_id').doNothing())
        .execute()
    }
    if (chunks.length > 0) {
      const lines = await linesBefore(trx, chunks)
      await trx
        .insertInto(JOB_LOG_CHUNKS_TABLE)
        .values(
          chunks.map((chunk) => {
            const before = lines.get(chunk.job_id) ?? { endLine: 0, open: false }
            const text = chunk.text as string
            const endLine = before.endLine + newlines(text)
            const open = text === '' ? before.open : !text.endsWith('\n')
            lines.set(chunk.job_id, { endLine, open })
            return { ...chunk, first_line: before.endLine, end_line: endLine, open_after: open }
          }),
        )
        .onConflict((oc) => oc.columns(['job_id', 'seq']).doNothing())
        .execute()
    }
    if (ended.size > 0) {
      await sql`
        UPDATE ${sql.table(JOB_LOG_STATUS_TABLE)} AS status SET done = true, truncated_bytes = ended.truncated
        FROM unnest(${[...ended.keys()]}::text[], ${[...ended.values()]}::bigint[]) AS ended (job_id, truncated)
        WHERE status.job_id = ended.job_id
      `.execute(trx)
    }
    await notifyJobsChanged(trx, changed)
  },
}

function newlines(text: string): number {
  let count = 0
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++
  return count
}

/**
 * Per job of a batch, where its log stands before the batch's first chunk of it: the line its last
 * stored chunk before that one ends in, and whether it ends within that line. Read before the seq,
 * not at the end of the log, so that a batch applied again numbers its chunks as the first time.
 */
async function linesBefore(
  trx: Transaction<JobLogDatabase>,
  chunks: readonly { job_id: string; seq: number }[],
): Promise<Map<string, { endLine: number; open: boolean }>> {
  const first = new Map<string, number>()
  for (const chunk of chunks) if (!first.has(chunk.job_id)) first.set(chunk.job_id, chunk.seq)
  const { rows } = await sql<{ job_id: string; end_line: number; open_after: boolean }>`
    SELECT batch.job_id, last.end_line, last.open_after
    FROM unnest(${[...first.keys()]}::text[], ${[...first.values()]}::integer[]) AS batch (job_id, seq)
    CROSS JOIN LATERAL (
      SELECT end_line, open_after FROM ${sql.table(JOB_LOG_CHUNKS_TABLE)} AS chunk
      WHERE chunk.job_id = batch.job_id AND chunk.seq < batch.seq
      ORDER BY chunk.seq DESC LIMIT 1
    ) AS last
  `.execute(trx)
  return new Map(rows.map((row) => [row.job_id, { endLine: row.end_line, open: row.open_after }]))
}
