import { Gauge, Histogram } from 'prom-client'
import { instrument } from './instrument.js'
import { METRIC_PREFIX, type ServiceMetrics } from './service-metrics.js'

/** How many jobs are in one lifecycle and state. */
export interface JobCount {
  lifecycle: string
  state: string
  count: number
}

/** The jobs waiting for one bot to start them (queued, held or assigned but not started). */
export interface BotQueue {
  /** Empty for jobs of tasks without a host. */
  botId: string
  depth: number
  /** Seconds the longest-waiting of them has waited. */
  oldestWaitSeconds: number
}

/** Where the scheduler's gauges are read from at each scrape (its read model). */
export interface JobMetricsSource {
  jobCounts(): Promise<JobCount[]>
  botQueues(): Promise<BotQueue[]>
}

export const JOBS = `${METRIC_PREFIX}jobs`
export const BOT_QUEUE_DEPTH = `${METRIC_PREFIX}bot_queue_depth`
export const BOT_QUEUE_OLDEST_WAIT = `${METRIC_PREFIX}bot_queue_oldest_wait_seconds`
export const DISPATCH_LATENCY = `${METRIC_PREFIX}job_dispatch_latency_seconds`
export const RUN_DURATION = `${METRIC_PREFIX}job_run_duration_seconds`

/** The scheduler's job instruments. */
export interface JobMetrics {
  /** A job started: `seconds` from queued to started. */
  dispatched(seconds: number): void
  /** A job ended as its bot reported: `seconds` from started to finished, by final state. */
  ran(seconds: number, state: string): void
}

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600]

/**
 * Jobs by lifecycle and state, queue depth and oldest wait per bot (gauges read from `source` at each
 * scrape, so every replica reports the same shared truth: aggregate them with `max`, not `sum`),
 * and the dispatch latency and run time histograms (observed once, by the replica that handled the
 * bot's report: `sum` them).
 */
export function jobMetrics(metrics: ServiceMetrics, source: JobMetricsSource): JobMetrics {
  const { registry } = metrics
  instrument(
    registry,
    JOBS,
    () =>
      new Gauge({
        name: JOBS,
        help: 'Jobs by lifecycle and state, as the read model holds them',
        labelNames: ['lifecycle', 'state'],
        registers: [registry],
        async collect() {
          const counts = await source.jobCounts()
          this.reset()
          for (const row of counts) this.set({ lifecycle: row.lifecycle, state: row.state }, row.count)
        },
      }),
  )
  const queueGauge = (name: string, help: string, pick: (queue: BotQueue) => number) =>
    instrument(
      registry,
      name,
      () =>
        new Gauge({
          name,
          help,
          labelNames: ['bot'],
          registers: [registry],
          async collect() {
            const queues = await source.botQueues()
            this.reset()
            for (const queue of queues) this.set({ bot: queue.botId }, pick(queue))
          },
        }),
    )
  queueGauge(
    BOT_QUEUE_DEPTH,
    'Jobs queued, held or assigned and not started yet, per bot ("" for tasks without a host)',
    (queue) => queue.depth,
  )
  queueGauge(
    BOT_QUEUE_OLDEST_WAIT,
    'Seconds the longest-waiting job not started yet has waited, per bot',
    (queue) => queue.oldestWaitSeconds,
  )
  const dispatch = instrument(
    registry,
    DISPATCH_LATENCY,
    () =>
      new Histogram({
        name: DISPATCH_LATENCY,
        help: 'Seconds from a job queued to its bot reporting it started',
        buckets: DURATION_BUCKETS,
        registers: [registry],
      }),
  )
  const run = instrument(
    registry,
    RUN_DURATION,
    () =>
      new Histogram({
        name: RUN_DURATION,
        help: 'Seconds from a job started to its bot reporting it finished, by final state',
        labelNames: ['state'],
        buckets: DURATION_BUCKETS,
        registers: [registry],
      }),
  )
  return {
    dispatched: (seconds) => dispatch.observe(Math.max(0, seconds)),
    ran: (seconds, state) => run.observe({ state }, Math.max(0, seconds)),
  }
}
