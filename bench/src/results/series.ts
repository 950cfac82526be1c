import { median, round } from '../lib/stats.js'
import type { Metric, MetricKind } from './model.js'

interface Declared {
  label: string
  kind: MetricKind
  unit: string
}

/**
 * Collects one value per repetition for each metric of a case, then answers the metrics with
 * min/median/max. Metrics are declared first so the report keeps their order.
 */
export class Series {
  readonly #declared = new Map<string, Declared>()
  readonly #runs = new Map<string, number[]>()

  declare(id: string, label: string, kind: MetricKind, unit = kind === 'rate' ? '/s' : 'ms'): this {
    this.#declared.set(id, { label, kind, unit })
    this.#runs.set(id, [])
    return this
  }

  has(id: string): boolean {
    return this.#declared.has(id)
  }

  add(id: string, value: number): void {
    const runs = this.#runs.get(id)
    if (runs === undefined) throw new Error(`metric ${id} was not declared`)
    runs.push(value)
  }

  metrics(): Metric[] {
    const metrics: Metric[] = []
    for (const [id, declared] of this.#declared) {
      const runs = (this.#runs.get(id) ?? []).map(round)
      if (runs.length === 0) continue
      metrics.push({
        id,
        ...declared,
        runs,
        min: Math.min(...runs),
        median: round(median(runs)),
        max: Math.max(...runs),
      })
    }
    return metrics
  }
}
