/**
 * What a metric measures, which decides the floor it is compared with; `duration` (ms) and `size`
 * (bytes, KB, ...) have no floor.
 */
export type MetricKind = 'latency-p50' | 'latency-p99' | 'rate' | 'duration' | 'size'

export interface Metric {
  id: string
  label: string
  kind: MetricKind
  /** 'ms' for latencies; for rates what is counted per second (jobs/s, msgs/s, ...). */
  unit: string
  /** One value per repetition, in the order they ran. */
  runs: number[]
  min: number
  median: number
  max: number
}

export interface CaseResult {
  id: string
  title: string
  group: 'ours' | 'peer' | 'floor'
  settings: Record<string, string | number | boolean>
  metrics: Metric[]
  /** CPU time of every process of the run divided by the work done (from /proc). */
  cpuPerUnitMs?: { unit: string; byProcess: Record<string, number> }
  /** Why the case did not run (a missing server, a component not there yet). */
  skipped?: string
  notes?: string[]
}

export interface MachineInfo {
  cpuModel: string
  cores: number
  memoryGiB: number
  os: string
  node: string
  postgres: string
  natsServer: string
  redisServer: string
}

export interface TargetResult {
  id: string
  description: string
  /** Median of our figure and the bound it is held to, in `unit`. */
  value: number
  bound: number
  unit: string
  status: 'pass' | 'miss' | 'n/a'
  note?: string
}

/** Top of one process's CPU profile. */
export interface ProfileSummary {
  /** The load the profile was cut to. */
  pass: string
  process: string
  file: string
  /** Share of the profiled time the process was on a CPU. */
  busyPercent: number
  totalMs: number
  topFrames: { frame: string; selfPercent: number }[]
  topModules: { module: string; selfPercent: number }[]
}

/** The costliest statements of one service's database during one profiled pass (pg_stat_statements). */
export interface StatementSummary {
  pass: string
  /** The service whose database it is. */
  database: string
  /** Every statement of the pass: how many, and the server's execution time. */
  calls: number
  totalMs: number
  statements: { calls: number; totalMs: number; rowsPerCall: number; query: string }[]
}

export interface BenchResults {
  startedAt: string
  durationS: number
  repetitions: number
  machine: MachineInfo
  settings: Record<string, string | number | boolean>
  cases: CaseResult[]
  targets: TargetResult[]
  profiles: ProfileSummary[]
  /** Statements per database during the profiled passes (absent in runs before they were kept). */
  statements?: StatementSummary[]
}
