import { sleep } from '../lib/clock.js'
import { type CollectedSpan, SpanSink } from '../lib/span-sink.js'
import { median } from '../lib/stats.js'
import type { CaseResult } from '../results/model.js'
import { Series } from '../results/series.js'
import { startBenchPlatform } from './bench-platform.js'
import type { CaseContext } from './case.js'
import { LOW_RATE, Problems, waitingPass } from './ours-jobs.js'

/** One kind of span on a job's path: where it starts after the REST request, and how long it lasts. */
export interface Hop {
  key: string
  startsAtMs: number
  lastsMs: number
  /** Traces it was seen in. */
  seen: number
}

/**
 * The hops of the runs' traces: each trace's root is the gateway's REST request; every other kind
 * of span (service and name) is placed by its first occurrence in the trace, and kept when it shows
 * in at least half the traces. Medians over the traces, in the order the hops start.
 */
export function hopsOf(spans: readonly CollectedSpan[]): { traces: number; hops: Hop[] } {
  const byTrace = new Map<string, CollectedSpan[]>()
  for (const span of spans) {
    const list = byTrace.get(span.traceId)
    if (list === undefined) byTrace.set(span.traceId, [span])
    else list.push(span)
  }
  const samples = new Map<string, { at: number[]; lasts: number[] }>()
  let traces = 0
  for (const list of byTrace.values()) {
    const root = list.find((span) => span.parentSpanId === '' && span.service === 'gateway')
    if (root === undefined || !root.name.startsWith('POST ')) continue
    traces += 1
    const first = new Map<string, CollectedSpan>()
    for (const span of list) {
      const key = `${span.service}: ${span.name}`
      const known = first.get(key)
      if (known === undefined || span.startMs < known.startMs) first.set(key, span)
    }
    for (const [key, span] of first) {
      const sample = samples.get(key) ?? { at: [], lasts: [] }
      sample.at.push(span.startMs - root.startMs)
      sample.lasts.push(span.durationMs)
      samples.set(key, sample)
    }
  }
  const hops = [...samples]
    .filter(([, sample]) => sample.at.length * 2 >= traces)
    .map(([key, sample]) => ({
      key,
      startsAtMs: median(sample.at),
      lastsMs: median(sample.lasts),
      seen: sample.at.length,
    }))
    .sort((a, b) => a.startsAtMs - b.startsAtMs || a.key.localeCompare(b.key))
  return { traces, hops }
}

/**
 * One job's path hop by hop: the platform with every process exporting its spans to a local OTLP
 * receiver, runs at 10 jobs/s waiting for their result, and each kind of span placed on the time
 * line of its run. Tracing costs a little, so the start figures here sit above the job path case's.
 */
export async function oursPath(ctx: CaseContext, botConcurrency: number): Promise<CaseResult> {
  const runs = ctx.quick ? 20 : 50
  const sink = await SpanSink.start()
  const series = new Series()
    .declare('start.p50', `REST run → script started p50 at ${LOW_RATE} jobs/s, traced`, 'latency-p50')
    .declare('finished.p50', `REST run → finished visible p50 at ${LOW_RATE} jobs/s, traced`, 'latency-p50')
  const problems = new Problems()
  let traces = 0
  const bp = await startBenchPlatform({
    botConcurrency,
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: sink.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' },
    log: ctx.log,
  })
  try {
    await waitingPass(bp, LOW_RATE, 20, new Problems())
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      await sleep(1_000)
      sink.spans.length = 0
      const pass = await waitingPass(bp, LOW_RATE, runs, problems)
      // What the processes still hold goes out within their export delay.
      await sleep(1_500)
      series.add('start.p50', pass.start.p50)
      series.add('finished.p50', pass.finished.p50)
      const found = hopsOf(sink.spans)
      traces += found.traces
      for (const hop of found.hops) {
        for (const [id, label, value] of [
          [`at:${hop.key}`, `${hop.key}: starts, ms after the REST request`, hop.startsAtMs],
          [`for:${hop.key}`, `${hop.key}: lasts`, hop.lastsMs],
        ] as const) {
          // The first repetition sets the rows: a hop first seen later has none.
          if (rep === 0) series.declare(id, label, 'duration')
          if (series.has(id)) series.add(id, value)
        }
      }
      ctx.log(`path ${rep + 1}/${ctx.repetitions}: ${found.traces} traces, ${found.hops.length} hops`)
    }
  } finally {
    await bp.stop()
    await sink.stop()
  }
  return {
    id: 'ours.path',
    title: "One job's path, hop by hop (OpenTelemetry spans)",
    group: 'ours',
    settings: {
      runs: `${runs} at ${LOW_RATE} jobs/s with wait_result, per repetition`,
      traces,
      spans: 'every process exports to a local OTLP/HTTP receiver (batch delay 200 ms)',
      resolution:
        "a span's start has 1 ms steps (OpenTelemetry JS takes it from Date.now()); durations are finer",
      placement: 'each kind of span (service: name) by its first occurrence in a run; medians over the runs',
    },
    metrics: series.metrics(),
    notes: problems.list(),
  }
}
