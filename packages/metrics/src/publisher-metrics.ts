import { Counter } from 'prom-client'
import { instrument } from './instrument.js'
import { METRIC_PREFIX, type ServiceMetrics } from './service-metrics.js'

export const PUBLISHER_DROPPED = `${METRIC_PREFIX}publisher_messages_dropped_total`

/**
 * Messages a consumer dropped unread because their publisher (a bot) was past its budget (decision
 * 19), by consumer (`REPORTS/job-scheduler-reports`) and reason (`rate`: it sent more than its
 * share; `failures`: too many of its messages failed). No publisher label: a flooding bot cannot grow
 * the series. Answers the function to call for each one dropped.
 */
export function publisherDropMetrics(
  metrics: ServiceMetrics,
  consumer: string,
): (reason: 'rate' | 'failures') => void {
  const counter = instrument(
    metrics.registry,
    PUBLISHER_DROPPED,
    () =>
      new Counter({
        name: PUBLISHER_DROPPED,
        help: 'Messages dropped unread because their publisher was past its budget, by consumer and reason',
        labelNames: ['consumer', 'reason'],
        registers: [metrics.registry],
      }),
  )
  return (reason) => counter.inc({ consumer, reason })
}
