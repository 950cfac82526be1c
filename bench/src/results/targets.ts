import type { CaseResult, Metric, TargetResult } from './model.js'

function find(cases: readonly CaseResult[], caseId: string, metricId: string): Metric | undefined {
  return cases.find((c) => c.id === caseId)?.metrics.find((m) => m.id === metricId)
}

interface TargetSpec {
  id: string
  description: string
  value: [caseId: string, metricId: string]
  /**
   * The bound: a fixed number, or a factor of the best (lowest or highest median) of other figures
   * of the run; figures not measured in the run are left out of the best.
   */
  bound:
    | number
    | { best: 'min' | 'max'; of: readonly (readonly [caseId: string, metricId: string])[]; factor: number }
  /** `max`: the value must not exceed the bound; `min`: it must reach it. */
  kind: 'max' | 'min'
  unit: string
}

/** The peers whose handler spawns the job's script as our bot does (`peer.<id>.spawn`). */
const SPAWN_PEERS = ['peer.graphile-worker.spawn', 'peer.pg-boss.spawn', 'peer.bullmq.spawn'] as const
/** Those of them that keep their jobs in Postgres, as we do. */
const DURABLE_SPAWN_PEERS = ['peer.graphile-worker.spawn', 'peer.pg-boss.spawn'] as const

/** The targets of the benchmark issues, each compared on medians of the same run. */
export const TARGETS: readonly TargetSpec[] = [
  {
    id: 'console.script',
    description: 'console first load: compressed script < 250 KB',
    value: ['ours.console', 'script.kb'],
    bound: 250,
    kind: 'max',
    unit: 'KB',
  },
  {
    id: 'console.jobs',
    description: 'console jobs page interactive with 10,000 jobs in the organization < 1 s',
    value: ['ours.console', 'jobs.ms'],
    bound: 1000,
    kind: 'max',
    unit: 'ms',
  },
  {
    id: 'console.log',
    description: 'console: a 200,000-line log opened and scrolled to its end < 2 s',
    value: ['ours.console', 'log.ms'],
    bound: 2000,
    kind: 'max',
    unit: 'ms',
  },
  {
    id: 'start.p50',
    description:
      "REST run → script start p50 at 10 jobs/s ≤ the best peer-with-spawn's enqueue → script start p50",
    value: ['ours.jobs', 'low.start.p50'],
    bound: { best: 'min', of: SPAWN_PEERS.map((peer) => [peer, 'start.p50'] as const), factor: 1 },
    kind: 'max',
    unit: 'ms',
  },
  {
    id: 'start.p99',
    description: 'REST run → script start p99 at 10 jobs/s ≤ 3 × our p50',
    value: ['ours.jobs', 'low.start.p99'],
    bound: { best: 'min', of: [['ours.jobs', 'low.start.p50']], factor: 3 },
    kind: 'max',
    unit: 'ms',
  },
  {
    id: 'sustained',
    description: 'sustained jobs/s with one bot ≥ the best Postgres-backed peer-with-spawn',
    value: ['ours.jobs', 'rate'],
    bound: { best: 'max', of: DURABLE_SPAWN_PEERS.map((peer) => [peer, 'rate'] as const), factor: 1 },
    kind: 'min',
    unit: 'jobs/s',
  },
  {
    id: 'cpu',
    description:
      "CPU per job in every process, the script's own excluded, ≤ 2 × Graphile-Worker-with-spawn's",
    value: ['ours.jobs', 'cpu.job'],
    bound: { best: 'min', of: [['peer.graphile-worker.spawn', 'cpu.job']], factor: 2 },
    kind: 'max',
    unit: 'ms',
  },
  {
    id: 'cpu.load',
    description:
      'CPU per job falls as load rises: sustained pass ≤ 10 jobs/s (idle cost subtracted from both)',
    value: ['ours.jobs', 'cpu.job.sustained'],
    bound: { best: 'min', of: [['ours.jobs', 'cpu.job.low']], factor: 1 },
    kind: 'max',
    unit: 'ms',
  },
  {
    id: 'gateway',
    description: 'gateway GET /:customer/task ≥ 25 % of a bare fastify route',
    value: ['ours.gateway', 'gateway.rate'],
    bound: { best: 'min', of: [['ours.gateway', 'bare.rate']], factor: 0.25 },
    kind: 'min',
    unit: 'req/s',
  },
  {
    id: 'webhook.rate',
    description: 'webhook deliveries/s ≥ 2,000',
    value: ['ours.webhooks', 'rate'],
    bound: 2_000,
    kind: 'min',
    unit: 'deliveries/s',
  },
  {
    id: 'webhook.p99',
    description: 'webhook event → first attempt p99 ≤ 250 ms',
    value: ['ours.webhooks', 'p99'],
    bound: 250,
    kind: 'max',
    unit: 'ms',
  },
  {
    id: 'webhook.dead.rate',
    description: 'deliveries/s with a dead receiver subscribed ≥ 90 % of those without',
    value: ['ours.webhooks', 'dead.rate'],
    bound: { best: 'min', of: [['ours.webhooks', 'rate']], factor: 0.9 },
    kind: 'min',
    unit: 'deliveries/s',
  },
  {
    id: 'webhook.dead.p99',
    description: 'event → first attempt p99 with a dead receiver subscribed ≤ 250 ms',
    value: ['ours.webhooks', 'dead.p99'],
    bound: 250,
    kind: 'max',
    unit: 'ms',
  },
  {
    id: 'rebuild',
    description: 'projection rebuild ≥ 50,000 events/s',
    value: ['ours.rebuild', 'rate'],
    bound: 50_000,
    kind: 'min',
    unit: 'events/s',
  },
  {
    id: 'schedules.lag',
    description: 'schedule fire lag (scheduled time → job created) p99 < 100 ms with 1,000 active schedules',
    value: ['ours.schedules', 'lag.p99'],
    bound: 100,
    kind: 'max',
    unit: 'ms',
  },
]

function boundOf(cases: readonly CaseResult[], bound: Exclude<TargetSpec['bound'], number>): number {
  const medians = bound.of.flatMap(([caseId, metricId]) => {
    const metric = find(cases, caseId, metricId)
    return metric === undefined ? [] : [metric.median]
  })
  if (medians.length === 0) return Number.NaN
  return (bound.best === 'min' ? Math.min(...medians) : Math.max(...medians)) * bound.factor
}

export function evaluateTargets(cases: readonly CaseResult[]): TargetResult[] {
  return TARGETS.map((target) => {
    const value = find(cases, ...target.value)
    const bound = typeof target.bound === 'number' ? target.bound : boundOf(cases, target.bound)
    const base = { id: target.id, description: target.description, unit: target.unit }
    if (value === undefined || !Number.isFinite(bound)) {
      return { ...base, value: Number.NaN, bound, status: 'n/a', note: 'not measured in this run' }
    }
    const pass = target.kind === 'max' ? value.median <= bound : value.median >= bound
    return {
      ...base,
      value: value.median,
      bound: Math.round(bound * 100) / 100,
      status: pass ? 'pass' : 'miss',
    }
  })
}
