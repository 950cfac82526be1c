import type { ChildProcess } from 'node:child_process'
import { assertNoFailures, type CaseContext } from '../cases/case.js'
import { wallClockMs } from '../lib/clock.js'
import { closedLoop, openLoop } from '../lib/load.js'
import { forkTs, nextMessage, stopChild } from '../lib/node-child.js'
import { cpuPerUnit, cpuSnapshot } from '../lib/process-cpu.js'
import { summarizeLatencies } from '../lib/stats.js'
import type { CaseResult } from '../results/model.js'
import { Series } from '../results/series.js'
import type { PeerStore } from './peer.js'
import { PEERS, type PeerId } from './registry.js'
import type { FromWorker, ToWorker } from './worker-protocol.js'

export interface PeerLoad {
  /** Arrivals per second of the latency pass. */
  rate: number
  /** Jobs of the latency pass. */
  latencyJobs: number
  /** Jobs of the throughput pass, enqueued by `producers` callers at once. */
  throughputJobs: number
  producers: number
  /** Handlers the worker runs at once. */
  concurrency: number
}

const DONE_TIMEOUT_MS = 180_000

class WorkerProcess {
  #next = 0

  constructor(readonly child: ChildProcess) {}

  /** Tells the worker which jobs come next; resolves once it listens for them, with their start times. */
  async expect(count: number): Promise<{ from: number; starts: Promise<number[]> }> {
    const from = this.#next
    this.#next += count
    const listening = nextMessage<FromWorker, true>(
      this.child,
      (m) => (m.type === 'expecting' && m.from === from ? true : undefined),
      10_000,
      'worker',
    )
    const starts = nextMessage<FromWorker, number[]>(
      this.child,
      (m) => {
        if (m.type === 'error') throw new Error(m.message)
        return m.type === 'done' && m.from === from ? m.starts : undefined
      },
      DONE_TIMEOUT_MS,
      `worker (${count} jobs from ${from})`,
    )
    starts.catch(() => undefined)
    this.child.send({ type: 'expect', from, count } satisfies ToWorker)
    await listening
    return { from, starts }
  }
}

/**
 * One peer as its users run it: the application enqueues from its own process (here, the bench),
 * a worker process handles. Latency: open-loop arrivals at `rate`, enqueue call → handler start.
 * Throughput: `throughputJobs` enqueued by `producers` concurrent callers while the worker drains
 * them; first enqueue → last handler start.
 */
export async function peerCase(
  ctx: CaseContext,
  peerId: PeerId,
  store: PeerStore,
  load: PeerLoad,
): Promise<CaseResult> {
  const peer = PEERS[peerId]
  const series = new Series()
    .declare('start.p50', `enqueue → handler start p50 at ${load.rate} jobs/s`, 'latency-p50')
    .declare('start.p99', `enqueue → handler start p99 at ${load.rate} jobs/s`, 'latency-p99')
    .declare('rate', 'enqueue + process', 'rate', 'jobs/s')
    .declare('enqueue.rate', 'enqueue calls alone (during the throughput pass)', 'rate', 'jobs/s')
  let cpuPerJob: Record<string, number> = {}
  await peer.prepare(store)
  const child = forkTs(new URL('./worker-main.ts', import.meta.url), [
    peerId,
    JSON.stringify(store),
    String(load.concurrency),
  ])
  const worker = new WorkerProcess(child)
  const producer = await peer.producer(store)
  try {
    await nextMessage<FromWorker, true>(
      child,
      (m) => {
        if (m.type === 'error') throw new Error(m.message)
        return m.type === 'ready' ? true : undefined
      },
      60_000,
      `${peer.name} worker start`,
    )
    const warmUp = await worker.expect(200)
    await closedLoop({ workers: 4, count: 200, call: (i) => producer.enqueue(warmUp.from + i) })
    await warmUp.starts

    for (let rep = 0; rep < ctx.repetitions; rep++) {
      const latency = await worker.expect(load.latencyJobs)
      const intended = new Array<number>(load.latencyJobs).fill(0)
      const arrivals = await openLoop({
        rate: load.rate,
        count: load.latencyJobs,
        fire: async (i, at) => {
          intended[i] = at
          await producer.enqueue(latency.from + i)
        },
      })
      assertNoFailures(`${peer.name} enqueue`, arrivals)
      const starts = await latency.starts
      const summary = summarizeLatencies(starts.map((start, i) => start - intended[i]!))
      series.add('start.p50', summary.p50)
      series.add('start.p99', summary.p99)

      const throughput = await worker.expect(load.throughputJobs)
      const names = new Map([[`${peer.name} worker`, child.pid ?? 0]])
      const cpuBefore = cpuSnapshot(names)
      const began = wallClockMs()
      const enqueued = await closedLoop({
        workers: load.producers,
        count: load.throughputJobs,
        call: (i) => producer.enqueue(throughput.from + i),
      })
      const enqueueEnded = wallClockMs()
      assertNoFailures(`${peer.name} enqueue`, enqueued)
      const lastStart = Math.max(...(await throughput.starts))
      cpuPerJob = cpuPerUnit(cpuBefore, cpuSnapshot(names), load.throughputJobs)
      const rate = load.throughputJobs / ((lastStart - began) / 1000)
      series.add('rate', rate)
      series.add('enqueue.rate', load.throughputJobs / ((enqueueEnded - began) / 1000))
      ctx.log(
        `${peer.name} ${rep + 1}/${ctx.repetitions}: start p50 ${summary.p50.toFixed(2)} ms, p99 ${summary.p99.toFixed(2)} ms, ${Math.round(rate)} jobs/s`,
      )
    }
  } finally {
    await producer.close().catch(() => undefined)
    await stopChild(child, { type: 'stop' } satisfies ToWorker, 15_000)
  }
  return {
    id: `peer.${peerId}`,
    title: peer.name,
    group: 'peer',
    settings: {
      ...peer.settings(load.concurrency),
      latencyRate: load.rate,
      latencyJobs: load.latencyJobs,
      throughputJobs: load.throughputJobs,
      producers: load.producers,
      handler: 'no-op (notes its start time)',
      process: 'worker in its own process; enqueue from the bench process',
    },
    metrics: series.metrics(),
    cpuPerUnitMs: {
      unit: 'job (throughput pass, last repetition; the bench process is the producer)',
      byProcess: cpuPerJob,
    },
  }
}
