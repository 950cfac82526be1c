import { Histogram } from 'prom-client'
import { instrument } from './instrument.js'
import { METRIC_PREFIX, type ServiceMetrics } from './service-metrics.js'

/** What the event store tells about one append (structurally its `AppendObservation`). */
export interface AppendObservationLike {
  streamType: string
  events: number
  seconds: number
  outcome: 'ok' | 'conflict' | 'error'
}

export const APPEND_DURATION = `${METRIC_PREFIX}event_store_append_duration_seconds`

/**
 * The event store's append latency histogram, by stream type and outcome (`ok`, `conflict`: wrong
 * expected version, `error`). Answers the observer to pass as the store's `onAppend` option.
 *
 * @example
 * const store = new EventStore(db, { onAppend: appendObserver(metrics) })
 */
export function appendObserver(metrics: ServiceMetrics): (observation: AppendObservationLike) => void {
  const histogram = instrument(
    metrics.registry,
    APPEND_DURATION,
    () =>
      new Histogram({
        name: APPEND_DURATION,
        help: 'Time to append events to a stream (the transaction when the store opened it), by stream type and outcome',
        labelNames: ['stream_type', 'outcome'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [metrics.registry],
      }),
  )
  return (observation) =>
    histogram.observe(
      { stream_type: observation.streamType, outcome: observation.outcome },
      observation.seconds,
    )
}
