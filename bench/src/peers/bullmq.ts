import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { type PeerAdapter, type PeerStore, QUEUE, seqOf } from './peer.js'

/** BullMQ wants ioredis clients made by the application when it runs as an ES module. */
function connection(store: PeerStore): Redis {
  if (store.kind !== 'redis') throw new Error('BullMQ needs Redis')
  return new Redis({ host: store.host, port: store.port, maxRetriesPerRequest: null })
}

/** BullMQ: `Queue.add` → a `Worker` processor, on a private redis-server without persistence. */
export const bullmq: PeerAdapter = {
  name: 'BullMQ',
  settings: (concurrency) => ({
    enqueue: 'Queue.add',
    concurrency,
    removeOnComplete: true,
    redisPersistence: 'none (no RDB, no AOF)',
  }),
  async prepare() {},
  async producer(store) {
    const redis = connection(store)
    const queue = new Queue(QUEUE, {
      connection: redis,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    })
    await queue.waitUntilReady()
    return {
      enqueue: async (seq) => {
        await queue.add('job', { seq })
      },
      close: async () => {
        await queue.close()
        redis.disconnect()
      },
    }
  },
  async worker(store, concurrency, handle) {
    const redis = connection(store)
    const worker = new Worker(
      QUEUE,
      async (job) => {
        await handle(seqOf(job.data))
      },
      { connection: redis, concurrency },
    )
    await worker.waitUntilReady()
    return {
      close: async () => {
        await worker.close()
        redis.disconnect()
      },
    }
  },
}
