import { makeWorkerUtils, run, runMigrations } from 'graphile-worker'
import { type PeerAdapter, postgresUrl, QUEUE, seqOf } from './peer.js'

const silentLogger = async () => {
  const { Logger } = await import('graphile-worker')
  return new Logger(() => () => undefined)
}

/** Graphile Worker: `addJob` (the `add_job` SQL function) → a task handler woken by LISTEN/NOTIFY. */
export const graphileWorker: PeerAdapter = {
  name: 'Graphile Worker',
  settings: (concurrency) => ({
    enqueue: 'WorkerUtils.addJob (graphile_worker.add_job)',
    concurrency,
    pollInterval: '2000 ms (default; LISTEN/NOTIFY wakes workers)',
    preparedStatements: true,
  }),
  async prepare(store) {
    await runMigrations({ connectionString: postgresUrl(store), logger: await silentLogger() })
  },
  async producer(store) {
    const utils = await makeWorkerUtils({
      connectionString: postgresUrl(store),
      maxPoolSize: 16,
      logger: await silentLogger(),
    })
    return {
      enqueue: async (seq) => {
        await utils.addJob(QUEUE, { seq })
      },
      close: async () => {
        await utils.release()
      },
    }
  },
  async worker(store, concurrency, handle) {
    const runner = await run({
      connectionString: postgresUrl(store),
      concurrency,
      noHandleSignals: true,
      logger: await silentLogger(),
      taskList: {
        [QUEUE]: async (payload) => {
          await handle(seqOf(payload))
        },
      },
    })
    return { close: () => runner.stop() }
  },
}
