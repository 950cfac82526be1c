import { Counter, Histogram } from 'prom-client'
import { instrument } from './instrument.js'
import { METRIC_PREFIX, type ServiceMetrics } from './service-metrics.js'

/**
 * How one delivery attempt ended, as webhook-relay records it: `success` (2xx), `failure` (another
 * status, a timeout or a network error), `refused` (the address is not allowed).
 */
export type WebhookOutcome = 'success' | 'failure' | 'refused'

export const WEBHOOK_ATTEMPTS = `${METRIC_PREFIX}webhook_attempts_total`
export const WEBHOOK_ATTEMPT_DURATION = `${METRIC_PREFIX}webhook_attempt_duration_seconds`

/** The webhook relay's instrument. */
export interface WebhookMetrics {
  /** Counts one attempt (and its duration, when known). */
  attempt(outcome: WebhookOutcome | string, seconds?: number): void
}

/** Webhook delivery attempts by outcome, and their durations. */
export function webhookMetrics(metrics: ServiceMetrics): WebhookMetrics {
  const { registry } = metrics
  const attempts = instrument(
    registry,
    WEBHOOK_ATTEMPTS,
    () =>
      new Counter({
        name: WEBHOOK_ATTEMPTS,
        help: 'Webhook delivery attempts by outcome',
        labelNames: ['outcome'],
        registers: [registry],
      }),
  )
  const durations = instrument(
    registry,
    WEBHOOK_ATTEMPT_DURATION,
    () =>
      new Histogram({
        name: WEBHOOK_ATTEMPT_DURATION,
        help: 'Seconds one webhook delivery attempt took, by outcome',
        labelNames: ['outcome'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
  )
  return {
    attempt(outcome, seconds) {
      attempts.inc({ outcome })
      if (seconds !== undefined) durations.observe({ outcome }, seconds)
    },
  }
}
