import type { EventStore, StoredEvent } from '@taskforge/event-store'
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
    private readonly store: EventStore,
    private readonly metrics: JobMetrics,
    private readonly logger: Logger,
  ) {}

  /** Observes what `appended` (the events a report caused) completes; never throws. */
  observe(jobId: string, appended: readonly StoredEvent[]): void {
    if (!appended.some((event) => event.type === 'started' || event.type === 'finished')) return
    this.#observe(jobId, appended).catch((error: unknown) =>
      this.logger.debug({ err: error, jobId }, 'job timings not observed'),
    )
  }

  async #observe(jobId: string, appended: readonly StoredEvent[]): Promise<void> {
    const { events } = await this.store.readStream(jobId)
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
  }
}
