import type { Db, Projection, StoredEvent } from '@taskforge/event-store'
import type { Transaction } from 'kysely'
import { notifyJobsChanged } from '../changes/notify-job-changes.js'
import { decodeJobEvent, JOB_STREAM_TYPE } from '../domain/job-events.js'
import {
  createJobLogTables,
  dropJobLogTables,
  JOB_LOG_CHUNKS_TABLE,
  JOB_LOG_STATUS_TABLE,
  type JobLogDatabase,
} from './job-log-table.js'

/**
 * The `job_log` read model: each job's output as the chunks its bot streamed, numbered by their
 * position in the job's stream, and whether the job ended. It is apart from the `jobs` row so that a
 * log is read (and followed) chunk by chunk, and its completeness is known from the same projection
 * as its chunks: a job seen ended here has every chunk here.
 */
export const jobLogProjection: Projection = {
  name: 'job_log',
  version: 1,
  streamTypes: [JOB_STREAM_TYPE],

  async setup(db: Db) {
    await createJobLogTables(db)
  },

  async reset(trx: Transaction<JobLogDatabase>) {
    await dropJobLogTables(trx)
    await createJobLogTables(trx)
  },

  async apply(trx: Transaction<JobLogDatabase>, events: StoredEvent[]) {
    const changed = new Set<string>()
    for (const stored of events) {
      if (stored.streamType !== JOB_STREAM_TYPE) continue
      const event = decodeJobEvent(stored)
      const jobId = stored.streamId
      switch (event.$case) {
        case 'queued':
          await trx
            .insertInto(JOB_LOG_STATUS_TABLE)
            .values({ job_id: jobId, customer: event.value.customer, done: false, truncated_bytes: 0 })
            .onConflict((oc) => oc.column('job_id').doNothing())
            .execute()
          break
        case 'outputAppended':
          await trx
            .insertInto(JOB_LOG_CHUNKS_TABLE)
            .values({
              job_id: jobId,
              seq: Number(stored.streamVersion),
              stream: event.value.stream,
              text: event.value.text,
            })
            .onConflict((oc) => oc.columns(['job_id', 'seq']).doNothing())
            .execute()
          break
        case 'finished':
        case 'canceled':
        case 'leaseExpired':
          await trx
            .updateTable(JOB_LOG_STATUS_TABLE)
            .set({
              done: true,
              truncated_bytes:
                event.$case === 'finished' ? Number(event.value.result?.truncatedBytes ?? 0n) : 0,
            })
            .where('job_id', '=', jobId)
            .execute()
          break
        default:
          continue
      }
      changed.add(jobId)
    }
    await notifyJobsChanged(trx, changed)
  },
}
