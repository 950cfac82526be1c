import { Counter, Histogram } from 'prom-client'
import { instrument } from './instrument.js'
import { METRIC_PREFIX, type ServiceMetrics } from './service-metrics.js'

export const SCHEDULE_FIRES = `${METRIC_PREFIX}schedule_fires_total`
export const SCHEDULE_FIRE_LAG = `${METRIC_PREFIX}schedule_fire_lag_seconds`

/** One fire as the metrics count it. */
export interface ScheduleFireObservation {
  outcome: string
  kind: string
}

/**
 * Schedule fires by outcome (`started`, `skipped_overlap`, `buffered`, `missed`, `failed_to_start`)
 * and kind (`schedule`, `trigger`, `backfill`), and the lag between a started fire's scheduled time
 * and its job's creation. No schedule or organization label: the series stay few.
 */
export function scheduleMetrics(
  metrics: ServiceMetrics,
): (fire: ScheduleFireObservation, lagMs: number | undefined) => void {
  const fires = instrument(
    metrics.registry,
    SCHEDULE_FIRES,
    () =>
      new Counter({
        name: SCHEDULE_FIRES,
        help: 'Schedule fires, by outcome and kind',
        labelNames: ['outcome', 'kind'],
        registers: [metrics.registry],
      }),
  )
  const lag = instrument(
    metrics.registry,
    SCHEDULE_FIRE_LAG,
    () =>
      new Histogram({
        name: SCHEDULE_FIRE_LAG,
        help: "Seconds between a started fire's scheduled time (with its jitter) and its job's creation",
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
        registers: [metrics.registry],
      }),
  )
  return (fire, lagMs) => {
    fires.inc({ outcome: fire.outcome, kind: fire.kind })
    if (lagMs !== undefined) lag.observe(Math.max(0, lagMs) / 1000)
  }
}
