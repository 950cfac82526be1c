import { round } from '../lib/stats.js'
import type { BenchResults, CaseResult, Metric, ProfileSummary, StatementSummary } from './model.js'

const FLOORS = {
  'latency-p50': [
    ['floor.jetstream', 'rtt.p50'],
    ['floor.postgres', 'commit.p50'],
  ],
  'latency-p99': [
    ['floor.jetstream', 'rtt.p99'],
    ['floor.postgres', 'commit.p99'],
  ],
  rate: [
    ['floor.jetstream', 'rate'],
    ['floor.postgres', 'rate'],
  ],
} as const

function format(value: number): string {
  if (!Number.isFinite(value)) return '–'
  const rounded = round(value)
  return Math.abs(rounded) >= 1000 ? rounded.toLocaleString('en-US') : String(rounded)
}

function ratio(value: number, floor: number | undefined): string {
  // autocannon answers whole milliseconds: a 0 there is no ratio.
  if (floor === undefined || !Number.isFinite(floor) || floor === 0 || value === 0) return '–'
  return `${format(value / floor)}×`
}

function medianOf(results: BenchResults, floor: readonly [string, string] | undefined): number | undefined {
  if (floor === undefined) return undefined
  const [caseId, metricId] = floor
  return results.cases.find((c) => c.id === caseId)?.metrics.find((m) => m.id === metricId)?.median
}

function metricRow(results: BenchResults, metric: Metric): string {
  const [jetstream, postgres] =
    metric.kind === 'duration' || metric.kind === 'size' ? [undefined, undefined] : FLOORS[metric.kind]
  const unit = metric.kind === 'rate' || metric.kind === 'size' ? metric.unit : 'ms'
  return `| ${metric.label} | ${format(metric.min)} | **${format(metric.median)}** | ${format(metric.max)} | ${unit} | ${ratio(metric.median, medianOf(results, jetstream))} | ${ratio(metric.median, medianOf(results, postgres))} |`
}

function settingsLine(settings: CaseResult['settings']): string {
  return Object.entries(settings)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join('; ')
}

function caseSection(results: BenchResults, result: CaseResult): string[] {
  const lines = [`### ${result.title}`, '']
  if (result.skipped !== undefined) return [...lines, `Skipped: ${result.skipped}`, '']
  lines.push(`Settings: ${settingsLine(result.settings)}.`, '')
  lines.push('| figure | min | median | max | unit | × JetStream floor | × Postgres floor |')
  lines.push('|---|---:|---:|---:|---|---:|---:|')
  for (const metric of result.metrics) lines.push(metricRow(results, metric))
  lines.push('')
  if (result.cpuPerUnitMs !== undefined) {
    lines.push(`CPU time per ${result.cpuPerUnitMs.unit}, by process (ms):`, '')
    lines.push('| process | CPU ms |', '|---|---:|')
    for (const [process, ms] of Object.entries(result.cpuPerUnitMs.byProcess)) {
      lines.push(`| ${process} | ${process === 'total' ? `**${ms}**` : ms} |`)
    }
    lines.push('')
  }
  for (const note of result.notes ?? []) lines.push(`- ${note}`)
  if ((result.notes ?? []).length > 0) lines.push('')
  return lines
}

function profileSection(profiles: readonly ProfileSummary[]): string[] {
  if (profiles.length === 0) return []
  const lines = ['## CPU profiles', '']
  lines.push(
    'Self time during the profiled pass, as a share of the time each process was busy (raw profiles in `profiles/`).',
    '',
  )
  for (const profile of profiles) {
    lines.push(
      `### ${profile.pass} — ${profile.process}: busy ${profile.busyPercent} % of ${profile.totalMs} ms`,
      '',
    )
    lines.push(`Modules: ${profile.topModules.map((m) => `${m.module} ${m.selfPercent} %`).join(', ')}.`, '')
    lines.push('| self % | frame |', '|---:|---|')
    for (const frame of profile.topFrames.slice(0, 10))
      lines.push(`| ${frame.selfPercent} | \`${frame.frame}\` |`)
    lines.push('')
  }
  return lines
}

function statementSection(summaries: readonly StatementSummary[]): string[] {
  if (summaries.length === 0) return []
  const lines = ['## Postgres statements', '']
  lines.push(
    "Each service's database during the profiled passes (pg_stat_statements; server execution time, planning excluded): the costliest statements by total time.",
    '',
  )
  for (const summary of summaries) {
    lines.push(
      `### ${summary.pass} — ${summary.database}: ${summary.calls} statements, ${format(summary.totalMs)} ms`,
      '',
    )
    lines.push('| calls | total ms | µs per call | rows per call | statement |', '|---:|---:|---:|---:|---|')
    for (const statement of summary.statements) {
      const perCall = (statement.totalMs * 1000) / Math.max(1, statement.calls)
      const query = statement.query.replaceAll('|', '\\|').replaceAll('`', "'")
      lines.push(
        `| ${statement.calls} | ${format(statement.totalMs)} | ${format(perCall)} | ${format(statement.rowsPerCall)} | \`${query}\` |`,
      )
    }
    lines.push('')
  }
  return lines
}

/**
 * The job targets next to the spawn floor: no job of ours can start sooner, nor run more often, than a
 * bare Node.js process spawning the same script.
 */
function spawnFloorNote(results: BenchResults): string[] {
  const start = medianOf(results, ['floor.spawn', 'start.p50'])
  const rate = medianOf(results, ['floor.spawn', 'rate'])
  if (start === undefined || rate === undefined) return []
  const atOnce = results.cases.find((c) => c.id === 'floor.spawn')?.settings.atOnce
  const peerStart = medianOf(results, ['peer.graphile-worker', 'start.p50'])
  const peerRate = medianOf(results, ['peer.graphile-worker', 'rate'])
  return [
    '',
    `The machine's floor for a job of ours, measured in this run: a bare Node.js process spawning the job's marker script takes ${format(start)} ms from the spawn call to the script's stamp (p50)${peerStart === undefined ? '' : ` against Graphile Worker's ${format(peerStart)} ms enqueue → handler start`}, and spawns at most ${format(rate)} scripts/s, ${String(atOnce)} at a time${peerRate === undefined ? '' : `, against Graphile Worker's ${format(peerRate)} jobs/s`}, before any service does anything.`,
  ]
}

/**
 * Every peer of the run on one line each, the bare ones (a handler that calls a function) beside the
 * ones whose handler spawns the job's script as our bot does; and our job path for comparison.
 */
function peerTable(results: BenchResults): string[] {
  const peers = results.cases.filter((c) => c.group === 'peer' && c.skipped === undefined)
  if (peers.length === 0) return []
  const figure = (result: CaseResult, id: string) => {
    const metric = result.metrics.find((m) => m.id === id)
    return metric === undefined ? '–' : `${format(metric.median)}`
  }
  const cpu = (result: CaseResult, key: string) => {
    const ms = result.cpuPerUnitMs?.byProcess[key]
    return ms === undefined ? '–' : format(ms)
  }
  const lines = [
    '',
    '## Peers side by side',
    '',
    'Medians of the repetitions. "+ spawn": the handler spawns the job\'s marker script as our bot does and start is the script\'s own stamp; otherwise the handler notes its own start. Rate: first enqueue → last start. CPU per job: every process of the throughput pass; "without scripts" leaves out the scripts\' own CPU.',
    '',
    '| runner | latency pass rate | enqueue → start p50 ms | p99 ms | jobs/s | CPU ms/job | without scripts |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ]
  const ours = results.cases.find((c) => c.id === 'ours.jobs' && c.skipped === undefined)
  if (ours !== undefined) {
    lines.push(
      `| Taskforge (REST run → script start) | ${String(ours.settings.lowRate ?? '–')} jobs/s | ${figure(ours, 'low.start.p50')} | ${figure(ours, 'low.start.p99')} | ${figure(ours, 'rate')} | ${cpu(ours, 'total')} | ${figure(ours, 'cpu.job')} |`,
    )
  }
  for (const peer of peers) {
    lines.push(
      `| ${peer.title} | ${String(peer.settings.latencyRate ?? '–')} jobs/s | ${figure(peer, 'start.p50')} | ${figure(peer, 'start.p99')} | ${figure(peer, 'rate')} | ${cpu(peer, 'total')} | ${figure(peer, 'cpu.job')} |`,
    )
  }
  return lines
}

/** The human-readable table of a run: machine, settings, targets, every figure with its floor ratios. */
export function renderMarkdown(results: BenchResults): string {
  const m = results.machine
  const lines = [
    '# Benchmark results',
    '',
    `Run ${results.startedAt}, ${results.durationS} s, ${results.repetitions} repetitions of every measurement (min / median / max of the repetitions; each repetition's latency is a percentile over all its jobs).`,
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    `| CPU | ${m.cpuModel}, ${m.cores} cores |`,
    `| memory | ${m.memoryGiB} GiB |`,
    `| OS | ${m.os} |`,
    `| Node.js | ${m.node} |`,
    `| Postgres | ${m.postgres} |`,
    `| nats-server | ${m.natsServer} |`,
    `| redis-server | ${m.redisServer} |`,
    '',
    '## Settings',
    '',
    settingsLine(results.settings),
    '',
    '## Targets',
    '',
    '| target | ours (median) | bound | |',
    '|---|---:|---:|---|',
  ]
  for (const target of results.targets) {
    const status = target.status === 'pass' ? 'pass' : target.status === 'miss' ? '**miss**' : 'n/a'
    lines.push(
      `| ${target.description} | ${format(target.value)} ${target.unit} | ${format(target.bound)} ${target.unit} | ${status}${target.note ? ` (${target.note})` : ''} |`,
    )
  }
  lines.push(...spawnFloorNote(results))
  lines.push(...peerTable(results))
  lines.push('', '## Figures', '')
  lines.push(
    'Ratios divide the median by the floor of the same kind measured in this run: latencies by the bare JetStream round trip and the bare Postgres commit of the same percentile, rates by their rates.',
    '',
  )
  for (const group of ['ours', 'peer', 'floor'] as const) {
    for (const result of results.cases.filter((c) => c.group === group))
      lines.push(...caseSection(results, result))
  }
  lines.push(...profileSection(results.profiles))
  lines.push(...statementSection(results.statements ?? []))
  return `${lines.join('\n')}\n`
}
