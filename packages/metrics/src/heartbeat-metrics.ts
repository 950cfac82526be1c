import { Counter } from 'prom-client'
import { instrument } from './instrument.js'
import { METRIC_PREFIX, type ServiceMetrics } from './service-metrics.js'

export const HEARTBEATS_DROPPED = `${METRIC_PREFIX}heartbeats_dropped_total`

/**
 * Heartbeats a listener dropped because their bot sent more than its share (a token bucket per bot,
 * decision 19), by listener (`presence` in bot-dispatch, `leases` in job-scheduler). Answers the
 * function to call for each one dropped. No bot label: a flooding bot cannot grow the series.
 */
export function heartbeatMetrics(metrics: ServiceMetrics, listener: string): () => void {
  const counter = instrument(
    metrics.registry,
    HEARTBEATS_DROPPED,
    () =>
      new Counter({
        name: HEARTBEATS_DROPPED,
        help: 'Heartbeats dropped because their bot exceeded its rate, by listener',
        labelNames: ['listener'],
        registers: [metrics.registry],
      }),
  )
  return () => counter.inc({ listener })
}
