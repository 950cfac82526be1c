import type { ChildProcess } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assertNoFailures, type CaseContext } from '../cases/case.js'
import { markerScript } from '../cases/marker-script.js'
import { wallClockMs } from '../lib/clock.js'
import { closedLoop, openLoop } from '../lib/load.js'
import { forkTs, nextMessage, stopChild } from '../lib/node-child.js'
import { cpuPerUnit, cpuSnapshot, cpuWithoutScripts } from '../lib/process-cpu.js'
import { BOT_SPAWN_DEFAULTS } from '../lib/spawn-script.js'
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

/**
 * What the worker's handler does: `call` notes its own start (the library alone); `spawn` runs the
 * job's marker script as the bot does (lib/spawn-script.ts), whose stamp is the job's start.
 */
export type PeerHandler = 'call' | 'spawn'

/** The marker script of a spawning peer and the directory its stamps go to. */
class Marks {
  private constructor(
    readonly dir: string,
    readonly script: string,
  ) {}

  static async create(): Promise<Marks> {
    const dir = await mkdtemp(join(tmpdir(), 'bench-peer-spawn-'))
    const script = join(dir, 'marker.sh')
    await writeFile(script, markerScript(dir))
    await chmod(script, 0o755)
    return new Marks(dir, script)
  }

  /** The scripts' own start stamps of jobs `from` .. `from + count - 1`, in ms. */
  async starts(from: number, count: number): Promise<number[]> {
    const starts: number[] = []
    for (let i = 0; i < count; i++) {
      const file = join(this.dir, String(from + i))
      starts.push(Number((await readFile(file, 'utf8')).trim().replace(',', '.')) * 1000)
      await rm(file)
    }
    return starts
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true })
  }
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
 * them; first enqueue → last handler start. With `handler: 'spawn'` the handler spawns the job's
 * marker script as the bot does and waits for it to end; "start" is then the script's own stamp.
 */
export async function peerCase(
  ctx: CaseContext,
  peerId: PeerId,
  store: PeerStore,
  load: PeerLoad,
  handler: PeerHandler = 'call',
): Promise<CaseResult> {
  const peer = PEERS[peerId]
  const started = handler === 'spawn' ? 'script start' : 'handler start'
  const title = handler === 'spawn' ? `${peer.name} + spawn` : peer.name
  const series = new Series()
    .declare('start.p50', `enqueue → ${started} p50 at ${load.rate} jobs/s`, 'latency-p50')
    .declare('start.p99', `enqueue → ${started} p99 at ${load.rate} jobs/s`, 'latency-p99')
    .declare('rate', 'enqueue + process', 'rate', 'jobs/s')
    .declare('enqueue.rate', 'enqueue calls alone (during the throughput pass)', 'rate', 'jobs/s')
    .declare('cpu.job', "CPU per job in every process, the scripts' own excluded", 'duration')
  let cpuPerJob: Record<string, number> = {}
  await peer.prepare(store)
  const marks = handler === 'spawn' ? await Marks.create() : undefined
  const child = forkTs(new URL('./worker-main.ts', import.meta.url), [
    peerId,
    JSON.stringify(store),
    String(load.concurrency),
    marks?.script ?? '',
  ])
  const worker = new WorkerProcess(child)
  const workerName = `${title} worker`
  /** A spawning worker's reaped children are the scripts: their CPU is counted apart. */
  const scriptParents = new Set(marks === undefined ? [] : [workerName])
  const startsOf = async (from: number, count: number, handled: number[]) =>
    marks === undefined ? handled : marks.starts(from, count)
  const producer = await peer.producer(store)
  try {
    await nextMessage<FromWorker, true>(
      child,
      (m) => {
        if (m.type === 'error') throw new Error(m.message)
        return m.type === 'ready' ? true : undefined
      },
      60_000,
      `${title} worker start`,
    )
    const warmUp = await worker.expect(200)
    await closedLoop({ workers: 4, count: 200, call: (i) => producer.enqueue(warmUp.from + i) })
    await startsOf(warmUp.from, 200, await warmUp.starts)

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
      assertNoFailures(`${title} enqueue`, arrivals)
      const starts = await startsOf(latency.from, load.latencyJobs, await latency.starts)
      const summary = summarizeLatencies(starts.map((start, i) => start - intended[i]!))
      series.add('start.p50', summary.p50)
      series.add('start.p99', summary.p99)

      const throughput = await worker.expect(load.throughputJobs)
      const names = new Map([[workerName, child.pid ?? 0]])
      const cpuBefore = cpuSnapshot(names)
      const began = wallClockMs()
      const enqueued = await closedLoop({
        workers: load.producers,
        count: load.throughputJobs,
        call: (i) => producer.enqueue(throughput.from + i),
      })
      const enqueueEnded = wallClockMs()
      assertNoFailures(`${title} enqueue`, enqueued)
      const handled = await throughput.starts
      cpuPerJob = cpuPerUnit(cpuBefore, cpuSnapshot(names), load.throughputJobs, scriptParents)
      series.add('cpu.job', cpuWithoutScripts(cpuPerJob))
      const lastStart = Math.max(...(await startsOf(throughput.from, load.throughputJobs, handled)))
      const rate = load.throughputJobs / ((lastStart - began) / 1000)
      series.add('rate', rate)
      series.add('enqueue.rate', load.throughputJobs / ((enqueueEnded - began) / 1000))
      ctx.log(
        `${title} ${rep + 1}/${ctx.repetitions}: start p50 ${summary.p50.toFixed(2)} ms, p99 ${summary.p99.toFixed(2)} ms, ${Math.round(rate)} jobs/s`,
      )
    }
  } finally {
    await producer.close().catch(() => undefined)
    await stopChild(child, { type: 'stop' } satisfies ToWorker, 15_000)
    await marks?.remove()
  }
  return {
    id: handler === 'spawn' ? `peer.${peerId}.spawn` : `peer.${peerId}`,
    title,
    group: 'peer',
    settings: {
      ...peer.settings(load.concurrency),
      latencyRate: load.rate,
      latencyJobs: load.latencyJobs,
      throughputJobs: load.throughputJobs,
      producers: load.producers,
      handler:
        handler === 'spawn'
          ? `spawns the job's marker script as the bot does: no shell, detached process group, stdout/stderr piped (kept up to ${BOT_SPAWN_DEFAULTS.outputLimitBytes} bytes), SIGTERM to the group after ${BOT_SPAWN_DEFAULTS.timeoutMs / 1000} s and SIGKILL ${BOT_SPAWN_DEFAULTS.killGraceMs / 1000} s later, leftovers of the group killed at exit; waits for it to end`
          : 'no-op (notes its start time)',
      ...(handler === 'spawn'
        ? { scriptStarted: "the script's own stamp ($EPOCHREALTIME)", rateEnd: 'last script start' }
        : {}),
      process: 'worker in its own process; enqueue from the bench process',
    },
    metrics: series.metrics(),
    cpuPerUnitMs: {
      unit: 'job (throughput pass, last repetition; the bench process is the producer)',
      byProcess: cpuPerJob,
    },
  }
}
