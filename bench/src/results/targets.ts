import type { CaseResult, Metric, TargetResult } from './model.js'

function find(cases: readonly CaseResult[], caseId: string, metricId: string): Metric | undefined {
  return cases.find((c) => c.id === caseId)?.metrics.find((m) => m.id === metricId)
}

interface TargetSpec {
  id: string
  description: string
  value: [caseId: string, metricId: string]
  /** The bound: a fixed number, or a factor of another figure of the run. */
  bound: number | { of: [caseId: string, metricId: string]; factor: number }
  /** `max`: the value must not exceed the bound; `min`: it must reach it. */
  kind: 'max' | 'min'
  unit: string
}

/** The targets of the benchmark issue, each compared on medians of the same run. */
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
    description: "REST run → script start p50 (100 jobs/s) ≤ Graphile Worker's enqueue → handler start p50",
    value: ['ours.jobs', 'start.p50'],
    bound: { of: ['peer.graphile-worker', 'start.p50'], factor: 1 },
    kind: 'max',
    unit: 'ms',
  },
  {
    id: 'start.p99',
    description: 'REST run → script start p99 ≤ 3 × our p50 (100 jobs/s)',
    value: ['ours.jobs', 'start.p99'],
    bound: { of: ['ours.jobs', 'start.p50'], factor: 3 },
    kind: 'max',
    unit: 'ms',
  },
  {
    id: 'sustained',
    description: "sustained jobs/s with one bot ≥ Graphile Worker's enqueue + process rate",
    value: ['ours.jobs', 'rate'],
    bound: { of: ['peer.graphile-worker', 'rate'], factor: 1 },
    kind: 'min',
    unit: 'jobs/s',
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
    bound: { of: ['ours.webhooks', 'rate'], factor: 0.9 },
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

export function evaluateTargets(cases: readonly CaseResult[]): TargetResult[] {
  return TARGETS.map((target) => {
    const value = find(cases, ...target.value)
    const bound =
      typeof target.bound === 'number'
        ? target.bound
        : (find(cases, ...target.bound.of)?.median ?? Number.NaN) * target.bound.factor
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
