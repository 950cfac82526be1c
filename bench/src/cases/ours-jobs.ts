import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pollUntil, sleep, wallClockMs } from '../lib/clock.js'
import { closedLoop, openLoop } from '../lib/load.js'
import { cpuPerUnit, cpuSnapshot, cpuWithoutScripts } from '../lib/process-cpu.js'
import { type LatencySummary, summarizeLatencies } from '../lib/stats.js'
import type { CaseResult } from '../results/model.js'
import { Series } from '../results/series.js'
import type { BenchPlatform } from './bench-platform.js'
import { assertNoFailures, type CaseContext } from './case.js'

export const FIXED_RATE = 100
/** A rate well below what the platform sustains here: the path's own latency, without queueing. */
export const LOW_RATE = 10
const BURST_PRODUCERS = 16
/** Tasks the spread sustained pass runs: job commands of one task are serialized by its lock. */
const SPREAD_TASKS = 16
/** How long scripts may still start after the last run was answered. */
const MARK_WAIT_MS = 120_000

interface Run {
  id: string
  /** When the run was due (open loop) or sent (closed loop). */
  sentAt: number
  answeredAt: number
  /** With wait_result: `lifecycle/state` of a job that did not end finished/success. */
  badEnd?: string
}

/** Jobs that did not end well, counted by how they ended; the report lists them. */
export class Problems {
  readonly #counts = new Map<string, number>()

  add(what: string, count = 1): void {
    if (count > 0) this.#counts.set(what, (this.#counts.get(what) ?? 0) + count)
  }

  list(): string[] {
    return [...this.#counts].map(([what, count]) => `${count} × ${what}`)
  }
}

/**
 * One REST run of a no-op task (the main one unless another is given); with `wait`,
 * `?wait_result=true` answers once the job ended.
 */
async function runJob(bp: BenchPlatform, wait: boolean, sentAt: number, taskId = bp.taskId): Promise<Run> {
  const path = `/${bp.customer}/task/${taskId}/job${wait ? '?wait_result=true&wait_timeout=60' : ''}`
  const answer = await bp.api.request('POST', path, { task_arguments: [] })
  const answeredAt = wallClockMs()
  const job = answer.body as { id?: unknown; lifecycle?: unknown; state?: unknown } | undefined
  const expected = wait ? 200 : 201
  if (answer.status !== expected || typeof job?.id !== 'string') {
    throw new Error(`run answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`)
  }
  const run: Run = { id: job.id, sentAt, answeredAt }
  if (wait && (job.lifecycle !== 'finished' || job.state !== 'success')) {
    run.badEnd = `${String(job.lifecycle)}/${String(job.state)}`
  }
  return run
}

function noteBadEnds(runs: readonly Run[], problems: Problems): void {
  for (const run of runs) if (run.badEnd !== undefined) problems.add(`job ended ${run.badEnd}`)
}

async function readMark(markDir: string, jobId: string): Promise<number | undefined> {
  const text = (await readFile(join(markDir, jobId), 'utf8')).trim().replace(',', '.')
  const seconds = Number(text)
  return text === '' || !Number.isFinite(seconds) ? undefined : seconds * 1000
}

/**
 * The wall-clock time each job's script began (undefined for a script that never ran), waiting
 * (bounded) for the scripts still to start. The marker directory is polled, which adds no load;
 * once a second, while some are missing, whether any job still waits or runs: if none does, the
 * missing scripts will never run.
 */
async function scriptStarts(bp: BenchPlatform, runs: readonly Run[]): Promise<(number | undefined)[]> {
  const marks = new Map<string, number>()
  const wanted = new Set(runs.map((run) => run.id))
  const collect = async () => {
    for (const name of await readdir(bp.markDir)) {
      if (!wanted.has(name) || marks.has(name)) continue
      const mark = await readMark(bp.markDir, name)
      if (mark !== undefined) marks.set(name, mark)
    }
  }
  const deadline = Date.now() + MARK_WAIT_MS
  let nextIdleCheck = Date.now() + 1_000
  while (Date.now() < deadline) {
    await collect()
    if (marks.size === wanted.size) break
    if (Date.now() >= nextIdleCheck) {
      nextIdleCheck = Date.now() + 1_000
      if (await idle(bp)) {
        await collect()
        break
      }
    }
    await sleep(50)
  }
  return runs.map((run) => marks.get(run.id))
}

/** Latencies from each run's send to `ends`; runs without an end are counted as a problem instead. */
function latencies(
  runs: readonly Run[],
  ends: readonly (number | undefined)[],
  problems: Problems,
  missing: string,
): LatencySummary {
  const samples: number[] = []
  runs.forEach((run, i) => {
    const end = ends[i]
    if (end === undefined) problems.add(missing)
    else samples.push(end - run.sentAt)
  })
  return summarizeLatencies(samples)
}

async function noneIn(bp: BenchPlatform, lifecycle: string): Promise<boolean> {
  const answer = await bp.api.request('GET', `/${bp.customer}/job?lifecycle=${lifecycle}&limit=1`)
  return Array.isArray(answer.body) && answer.body.length === 0
}

/** Whether no job of the organization waits or runs: what GET shows is then every job ended. */
async function idle(bp: BenchPlatform): Promise<boolean> {
  return (await noneIn(bp, 'ready')) && (await noneIn(bp, 'assigned'))
}

function waitIdle(bp: BenchPlatform, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  return pollUntil(() => idle(bp), { timeoutMs, intervalMs })
}

/** `count` runs arriving in an open loop at `rate`, not waiting for their results; each when its script started. */
async function openLoopRuns(bp: BenchPlatform, rate: number, count: number) {
  const runs: Run[] = []
  const outcome = await openLoop({
    rate,
    count,
    fire: async (_, at) => {
      runs.push(await runJob(bp, false, at))
    },
  })
  assertNoFailures(`runs at ${rate} jobs/s`, outcome)
  return { runs, starts: await scriptStarts(bp, runs) }
}

/** Open loop at the fixed rate, not waiting: REST answer and script start of every run. */
export async function fixedRatePass(bp: BenchPlatform, count: number, problems: Problems) {
  const { runs, starts } = await openLoopRuns(bp, FIXED_RATE, count)
  return {
    start: latencies(runs, starts, problems, 'script never started (fixed rate)'),
    answer: latencies(
      runs,
      runs.map((run) => run.answeredAt),
      problems,
      '',
    ),
  }
}

/**
 * Open loop at `rate` with `wait_result`: script start, and the answer, which comes once the read
 * model GET reads shows the job ended.
 */
export async function waitingPass(bp: BenchPlatform, rate: number, count: number, problems: Problems) {
  const runs: Run[] = []
  const outcome = await openLoop({
    rate,
    count,
    fire: async (_, at) => {
      runs.push(await runJob(bp, true, at))
    },
  })
  assertNoFailures('runs waiting for their result', outcome)
  noteBadEnds(runs, problems)
  const starts = await scriptStarts(bp, runs)
  return {
    start: latencies(runs, starts, problems, `script never started (${rate} jobs/s)`),
    finished: latencies(
      runs,
      runs.map((run) => run.answeredAt),
      problems,
      '',
    ),
  }
}

/**
 * Saturation: `workers` callers each run a job and wait for its result, then run the next, so the
 * bot is always full and the queue bounded. Script start, finished, and the jobs/s it sustains.
 */
export async function saturationPass(bp: BenchPlatform, workers: number, count: number, problems: Problems) {
  const runs: Run[] = []
  const began = wallClockMs()
  const outcome = await closedLoop({
    workers,
    count,
    call: async () => {
      runs.push(await runJob(bp, true, wallClockMs()))
    },
  })
  const ended = wallClockMs()
  assertNoFailures('runs at saturation', outcome)
  noteBadEnds(runs, problems)
  const starts = await scriptStarts(bp, runs)
  return {
    start: latencies(runs, starts, problems, 'script never started (saturation)'),
    finished: latencies(
      runs,
      runs.map((run) => run.answeredAt),
      problems,
      '',
    ),
    rate: count / ((ended - began) / 1000),
  }
}

/**
 * Sustained throughput, shaped like the peers' enqueue + process: `count` runs sent by 16 callers
 * as fast as the API takes them, the bot draining meanwhile; first run → every job ended in GET.
 * Until the last script started only the marker directory is watched, so the wait adds no load.
 * Answers the CPU time every process spent per job meanwhile, too.
 */
export async function burstPass(bp: BenchPlatform, count: number, problems: Problems, tasks = 1) {
  const taskIds = [bp.taskId, ...bp.spareTaskIds].slice(0, tasks)
  const names = bp.pids()
  const cpuBefore = cpuSnapshot(names)
  const runs: Run[] = []
  const began = wallClockMs()
  const outcome = await closedLoop({
    workers: BURST_PRODUCERS,
    count,
    call: async (i) => {
      runs.push(await runJob(bp, false, wallClockMs(), taskIds[i % taskIds.length]))
    },
  })
  const sent = wallClockMs()
  assertNoFailures('burst runs', outcome)
  const starts = await scriptStarts(bp, runs)
  problems.add('script never started (sustained)', starts.filter((start) => start === undefined).length)
  if (!(await waitIdle(bp, MARK_WAIT_MS, 20))) throw new Error('the sustained pass did not drain')
  const ended = wallClockMs()
  return {
    rate: count / ((ended - began) / 1000),
    runRate: count / ((sent - began) / 1000),
    cpuPerJob: cpuPerUnit(cpuBefore, cpuSnapshot(names), count),
    msPerJob: (ended - began) / count,
  }
}

/** Jobs of the task that ended badly, each with what its result says (the first few in full). */
async function endedBadly(bp: BenchPlatform, filter: string, problems: Problems): Promise<void> {
  const answer = await bp.api.request('GET', `/${bp.customer}/job?${filter}&limit=1000`)
  if (!Array.isArray(answer.body)) return
  problems.add(`job with ${filter}`, answer.body.length)
  for (const job of answer.body.slice(0, 3) as { id?: unknown; state?: unknown; result?: unknown }[]) {
    problems.add(`job ${String(job.id)} ${String(job.state)}: ${JSON.stringify(job.result).slice(0, 300)}`)
  }
}

/** CPU per millisecond every process spends while the platform does nothing (heartbeats, timers, sweeps). */
export async function idleCpu(bp: BenchPlatform, ms: number): Promise<Record<string, number>> {
  const names = bp.pids()
  const from = cpuSnapshot(names)
  const began = wallClockMs()
  await sleep(ms)
  return cpuPerUnit(from, cpuSnapshot(names), wallClockMs() - began)
}

/**
 * `count` runs arriving in an open loop at `rate`, not waiting for their results, then drained: the
 * CPU every process spent per job meanwhile, and how long each job's share of the pass lasted.
 */
export async function openLoopCpuPass(bp: BenchPlatform, rate: number, count: number, problems: Problems) {
  const names = bp.pids()
  const from = cpuSnapshot(names)
  const began = wallClockMs()
  const { starts } = await openLoopRuns(bp, rate, count)
  problems.add(
    `script never started (${rate} jobs/s, CPU pass)`,
    starts.filter((s) => s === undefined).length,
  )
  if (!(await waitIdle(bp, MARK_WAIT_MS, 20))) throw new Error(`the ${rate} jobs/s pass did not drain`)
  return { cpuPerJob: cpuPerUnit(from, cpuSnapshot(names), count), msPerJob: (wallClockMs() - began) / count }
}

/**
 * What the platform costs per job at `rate`, its idle cost taken away: {@link openLoopCpuPass} less
 * what the same processes spent doing nothing for as long just before. The scripts' own CPU is left
 * out. Compared with the sustained pass's figure (the same subtraction), it tells whether a job
 * costs less as load rises, as batching should make it.
 */
export async function marginalCpuPass(bp: BenchPlatform, rate: number, count: number, problems: Problems) {
  const idle = await idleCpu(bp, (count / rate) * 1000)
  const busy = await openLoopCpuPass(bp, rate, count, problems)
  return { perJob: marginalPerJob(busy.cpuPerJob, idle, busy.msPerJob), idlePerMs: idle }
}

/**
 * CPU per job without the scripts and without the idle cost: `busy` per job, less `idlePerMs` (CPU
 * per millisecond of doing nothing) times the milliseconds each job's share of the pass lasted.
 */
function marginalPerJob(
  busy: Record<string, number>,
  idlePerMs: Record<string, number>,
  msPerJob: number,
): number {
  const idle = cpuWithoutScripts(idlePerMs) * msPerJob
  return Math.round((cpuWithoutScripts(busy) - idle) * 100) / 100
}

/** Our job path end to end: REST run → gateway → scheduler → relay → JetStream → dispatch → bot → script. */
export async function oursJobs(ctx: CaseContext, bp: BenchPlatform): Promise<CaseResult> {
  const sizes = ctx.quick
    ? { fixed: 200, low: 40, saturation: 150, burst: 300 }
    : { fixed: 500, low: 100, saturation: 200, burst: 400 }
  const workers = bp.botConcurrency * 2
  const problems = new Problems()
  const series = new Series()
    .declare('start.p50', `REST run → script started p50 at ${FIXED_RATE} jobs/s`, 'latency-p50')
    .declare('start.p99', `REST run → script started p99 at ${FIXED_RATE} jobs/s`, 'latency-p99')
    .declare('answer.p50', `REST run answered (201) p50 at ${FIXED_RATE} jobs/s`, 'latency-p50')
    .declare('answer.p99', `REST run answered (201) p99 at ${FIXED_RATE} jobs/s`, 'latency-p99')
    .declare('low.start.p50', `REST run → script started p50 at ${LOW_RATE} jobs/s`, 'latency-p50')
    .declare('low.start.p99', `REST run → script started p99 at ${LOW_RATE} jobs/s`, 'latency-p99')
    .declare('low.finished.p50', `REST run → finished visible p50 at ${LOW_RATE} jobs/s`, 'latency-p50')
    .declare('low.finished.p99', `REST run → finished visible p99 at ${LOW_RATE} jobs/s`, 'latency-p99')
    .declare(
      'sat.start.p50',
      `REST run → script started p50 at saturation (${workers} callers)`,
      'latency-p50',
    )
    .declare(
      'sat.start.p99',
      `REST run → script started p99 at saturation (${workers} callers)`,
      'latency-p99',
    )
    .declare('sat.finished.p50', 'REST run → finished visible p50 at saturation', 'latency-p50')
    .declare('sat.finished.p99', 'REST run → finished visible p99 at saturation', 'latency-p99')
    .declare('sat.rate', `run and wait for the result, ${workers} callers`, 'rate', 'jobs/s')
    .declare('rate', `sustained: ${sizes.burst} runs, then drained`, 'rate', 'jobs/s')
    .declare('spread.rate', `sustained, runs spread over ${SPREAD_TASKS} tasks`, 'rate', 'jobs/s')
    .declare('run.rate', 'REST runs accepted (during the sustained pass)', 'rate', 'jobs/s')
    .declare(
      'cpu.job',
      "CPU per job in every process (sustained pass), the scripts' own excluded",
      'duration',
    )
    .declare(
      'cpu.job.low',
      `CPU per job at ${LOW_RATE} jobs/s, idle cost subtracted, the scripts' own excluded`,
      'duration',
    )
    .declare(
      'cpu.job.sustained',
      "CPU per job in the sustained pass, idle cost subtracted, the scripts' own excluded",
      'duration',
    )
  let cpuPerJob: Record<string, number> = {}

  ctx.log('warming up')
  await saturationPass(bp, workers, ctx.quick ? 50 : 100, new Problems())
  for (let rep = 0; rep < ctx.repetitions; rep++) {
    const fixed = await fixedRatePass(bp, sizes.fixed, problems)
    series.add('start.p50', fixed.start.p50)
    series.add('start.p99', fixed.start.p99)
    series.add('answer.p50', fixed.answer.p50)
    series.add('answer.p99', fixed.answer.p99)
    await waitIdle(bp, MARK_WAIT_MS)
    const low = await waitingPass(bp, LOW_RATE, sizes.low, problems)
    series.add('low.start.p50', low.start.p50)
    series.add('low.start.p99', low.start.p99)
    series.add('low.finished.p50', low.finished.p50)
    series.add('low.finished.p99', low.finished.p99)
    const lowCpu = await marginalCpuPass(bp, LOW_RATE, sizes.low, problems)
    series.add('cpu.job.low', lowCpu.perJob)
    const saturation = await saturationPass(bp, workers, sizes.saturation, problems)
    series.add('sat.start.p50', saturation.start.p50)
    series.add('sat.start.p99', saturation.start.p99)
    series.add('sat.finished.p50', saturation.finished.p50)
    series.add('sat.finished.p99', saturation.finished.p99)
    series.add('sat.rate', saturation.rate)
    const burst = await burstPass(bp, sizes.burst, problems)
    series.add('rate', burst.rate)
    series.add('run.rate', burst.runRate)
    cpuPerJob = burst.cpuPerJob
    series.add('cpu.job', cpuWithoutScripts(cpuPerJob))
    series.add('cpu.job.sustained', marginalPerJob(cpuPerJob, lowCpu.idlePerMs, burst.msPerJob))
    const spread = await burstPass(bp, sizes.burst, problems, SPREAD_TASKS)
    series.add('spread.rate', spread.rate)
    ctx.log(
      `ours ${rep + 1}/${ctx.repetitions}: start p50 ${fixed.start.p50.toFixed(1)} ms p99 ${fixed.start.p99.toFixed(1)} ms ` +
        `(at ${LOW_RATE}/s ${low.start.p50.toFixed(1)} ms), finished p50 ${low.finished.p50.toFixed(1)} ms, ` +
        `saturation ${Math.round(saturation.rate)} jobs/s, sustained ${Math.round(burst.rate)} jobs/s ` +
        `(${Math.round(spread.rate)} over ${SPREAD_TASKS} tasks), ${cpuPerJob.total} ms CPU per job ` +
        `(idle subtracted, scripts excluded: ${lowCpu.perJob} ms at ${LOW_RATE}/s, ` +
        `${marginalPerJob(cpuPerJob, lowCpu.idlePerMs, burst.msPerJob)} ms sustained)`,
    )
  }
  await endedBadly(bp, 'lifecycle=terminated', problems)
  await endedBadly(bp, 'state=failure', problems)
  return {
    id: 'ours.jobs',
    title: 'Taskforge job path (REST → five services → bot → script)',
    group: 'ours',
    settings: {
      script: 'bash, writes $EPOCHREALTIME to a file named after the job (no other process)',
      scriptStarted: "the script's own stamp (not the bot's JobStarted started_at)",
      fixedRate: FIXED_RATE,
      fixedRateJobs: sizes.fixed,
      lowRate: LOW_RATE,
      lowRateJobs: sizes.low,
      finishedVisible: '?wait_result=true answer (the read model GET reads shows the job ended)',
      saturationCallers: workers,
      saturationJobs: sizes.saturation,
      sustainedJobs: sizes.burst,
      sustainedProducers: BURST_PRODUCERS,
      sustainedEnd:
        "GET /:customer/job?lifecycle=ready|assigned (the organization's jobs) both empty, polled every 20 ms once every script started",
      tasks: `1 (the spread pass: ${SPREAD_TASKS})`,
      botConcurrency: bp.botConcurrency,
      botHosts: 1,
      logLevel: 'warn',
    },
    metrics: series.metrics(),
    cpuPerUnitMs: { unit: 'job (sustained pass, last repetition)', byProcess: cpuPerJob },
    notes: problems.list(),
  }
}
