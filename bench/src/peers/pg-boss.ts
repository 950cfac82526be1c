import { PgBoss } from 'pg-boss'
import { type PeerAdapter, postgresUrl, QUEUE, seqOf } from './peer.js'

const POLLING_SECONDS = 0.5
/** Jobs one fetch takes; `localConcurrency` fetch loops of this many make the worker's capacity. */
const BATCH_SIZE = 8

function connect(url: string, max: number): PgBoss {
  const boss = new PgBoss({ connectionString: url, max, useListenNotify: true })
  boss.on('error', (error: unknown) => console.error('pg-boss:', error))
  return boss
}

/**
 * pg-boss: `send` → a `work` handler. Its workers poll; the queue opts in to LISTEN/NOTIFY (pg-boss
 * 12) so a new job wakes them, both poll intervals are the smallest it accepts, and its workers take
 * batches and fetch again at once while batches come back full (`burstWhenBatchFull`): with one job
 * per fetch a worker waits a poll interval after every job, and drains about 80 jobs/s here.
 */
export const pgBoss: PeerAdapter = {
  name: 'pg-boss',
  settings: (concurrency) => ({
    enqueue: 'send',
    localConcurrency: Math.max(1, Math.round(concurrency / BATCH_SIZE)),
    batchSize: BATCH_SIZE,
    burstWhenBatchFull: true,
    pollingIntervalSeconds: POLLING_SECONDS,
    notifyPollingIntervalSeconds: POLLING_SECONDS,
    useListenNotify: true,
  }),
  async prepare(store) {
    const boss = connect(postgresUrl(store), 2)
    await boss.start()
    await boss.createQueue(QUEUE, { notify: true })
    await boss.stop({ graceful: false })
  },
  async producer(store) {
    const boss = connect(postgresUrl(store), 16)
    await boss.start()
    return {
      enqueue: async (seq) => {
        await boss.send(QUEUE, { seq })
      },
      close: () => boss.stop({ graceful: false }),
    }
  },
  async worker(store, concurrency, handle) {
    const boss = connect(postgresUrl(store), concurrency + 4)
    await boss.start()
    await boss.work(
      QUEUE,
      {
        localConcurrency: Math.max(1, Math.round(concurrency / BATCH_SIZE)),
        batchSize: BATCH_SIZE,
        burstWhenBatchFull: true,
        pollingIntervalSeconds: POLLING_SECONDS,
        notifyPollingIntervalSeconds: POLLING_SECONDS,
      },
      async (jobs) => {
        await Promise.all(jobs.map((job) => handle(seqOf(job.data))))
      },
    )
    return { close: () => boss.stop({ graceful: false }) }
  },
}
