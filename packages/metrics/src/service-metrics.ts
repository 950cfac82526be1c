import type { IncomingMessage, ServerResponse } from 'node:http'
import { collectDefaultMetrics, Registry } from 'prom-client'

/** Every metric of the platform starts with this. */
export const METRIC_PREFIX = 'taskforge_'

/** One service's metrics: its own registry (several services can share a process in tests). */
export interface ServiceMetrics {
  readonly service: string
  readonly registry: Registry
  /** The Prometheus text exposition of every metric, collected now. */
  text(): Promise<string>
  /** The content type of {@link ServiceMetrics.text}. */
  readonly contentType: string
}

export interface ServiceMetricsOptions {
  /** Process metrics (CPU, memory, event loop lag, GC), prefixed `taskforge_process_`... (default true). */
  processMetrics?: boolean
}

/**
 * A registry for one service: every series carries `service="<name>"`, and the Node process metrics
 * are included unless turned off.
 *
 * @example
 * const metrics = createServiceMetrics('job-scheduler')
 * ctx.addRoute('/metrics', metricsRoute(metrics))
 */
export function createServiceMetrics(service: string, options: ServiceMetricsOptions = {}): ServiceMetrics {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX })
  return {
    service,
    registry,
    text: () => registry.metrics(),
    contentType: registry.contentType,
  }
}

/** The handler of `GET /metrics` (for the runtime's health server). */
export function metricsRoute(
  metrics: ServiceMetrics,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' })
      res.end()
      return
    }
    const text = await metrics.text()
    res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) })
    res.end(req.method === 'HEAD' ? undefined : text)
  }
}
