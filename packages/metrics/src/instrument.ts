import type { Metric, Registry } from 'prom-client'

/**
 * The metric `name` of `registry`, made by `create` the first time: instruments are asked for
 * wherever they are used, and a registry refuses the same name twice.
 */
export function instrument<M extends Metric>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create()
}
