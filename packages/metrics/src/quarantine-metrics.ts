import { Counter, Gauge } from 'prom-client'
import { instrument } from './instrument.js'
import { METRIC_PREFIX, type ServiceMetrics } from './service-metrics.js'

export const QUARANTINED_TOTAL = `${METRIC_PREFIX}quarantined_total`
export const QUARANTINE_ITEMS = `${METRIC_PREFIX}quarantine_items`

/**
 * The quarantine's metrics: items set aside by this process since it started, by pipeline
 * (`taskforge_quarantined_total`), and items still waiting for an operator, by pipeline, read from
 * the quarantine at each scrape (`taskforge_quarantine_items`; left out of a scrape when the
 * database cannot answer). Answers the callback to pass as the quarantine's `onQuarantined`.
 *
 * @example
 * const quarantine = new Quarantine(db, { onQuarantined: quarantineMetrics(metrics, () => quarantine.counts()) })
 */
export function quarantineMetrics(
  metrics: ServiceMetrics,
  waiting: () => Promise<ReadonlyMap<string, number>>,
): (pipeline: string) => void {
  const counter = instrument(
    metrics.registry,
    QUARANTINED_TOTAL,
    () =>
      new Counter({
        name: QUARANTINED_TOTAL,
        help: 'Events and messages set aside in the quarantine after failing, by pipeline',
        labelNames: ['pipeline'],
        registers: [metrics.registry],
      }),
  )
  instrument(
    metrics.registry,
    QUARANTINE_ITEMS,
    () =>
      new Gauge({
        name: QUARANTINE_ITEMS,
        help: 'Items in the quarantine waiting for an operator (not replayed), by pipeline',
        labelNames: ['pipeline'],
        registers: [metrics.registry],
        async collect() {
          this.reset()
          try {
            for (const [pipeline, count] of await waiting()) this.set({ pipeline }, count)
          } catch {
            // The database is away: this scrape has no quarantine figures.
          }
        },
      }),
  )
  return (pipeline) => counter.inc({ pipeline })
}
