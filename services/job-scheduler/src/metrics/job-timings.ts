import type { StoredEvent } from '@taskforge/event-store'
import type { JobMetrics } from '@taskforge/metrics'
import type { Logger } from '@taskforge/telemetry'
import { decodeJobEvent } from '../domain/job-events.js'

const seconds = (from: StoredEvent, to: StoredEvent) =>
  (to.occurredAt.getTime() - from.occurredAt.getTime()) / 1000

/**
 * Feeds the dispatch latency (queued → started) and run time (started → finished) histograms from the
 * job's own events, timed by the database clock, once a report that started or finished a job has
 * committed. Only the replica that applied the report observes it, so each job counts once.
 */
export class JobTimings {
  constructor(
    private readonly metrics: JobMetrics,
    private readonly logger: Logger,
  ) {}

  /**
   * Observes what `appended` (the events a report caused) completes, from the stream as the report's
   * decision read it (`history`); never throws.
   */
  observe(jobId: string, history: readonly StoredEvent[], appended: readonly StoredEvent[]): void {
    try {
      const events = [...history, ...appended]
      const queued = events.find((event) => event.type === 'queued')
      for (const event of appended) {
        if (event.type === 'started' && queued !== undefined) {
          this.metrics.dispatched(seconds(queued, event))
        } else if (event.type === 'finished') {
          const started = events.findLast(
            (candidate) => candidate.type === 'started' && candidate.streamVersion < event.streamVersion,
          )
          const decoded = decodeJobEvent(event)
          if (started !== undefined && decoded.$case === 'finished')
            this.metrics.ran(seconds(started, event), decoded.value.state)
        }
      }
    } catch (error) {
      this.logger.debug({ err: error, jobId }, 'job timings not observed')
    }
  }
}
