import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { initTelemetry } from './init-telemetry.js'

/** Finished spans of this process, kept in memory (for tests that assert on traces). */
export interface SpanCollector {
  /** Every span ended since the collector started or was last reset. */
  spans(): ReadableSpan[]
  reset(): void
  /** Detaches the collector (and releases telemetry if it started it). */
  stop(): Promise<void>
}

/**
 * Initialises telemetry (or joins the running one) and records every ended span in memory.
 *
 * @example
 * const collector = collectSpans()
 * await client.getJob({ customer, jobId })
 * expect(new Set(collector.spans().map((s) => s.spanContext().traceId)).size).toBe(1)
 */
export function collectSpans(serviceName = 'test'): SpanCollector {
  const exporter = new InMemorySpanExporter()
  const telemetry = initTelemetry({ serviceName, spanProcessors: [new SimpleSpanProcessor(exporter)] })
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    stop: () => telemetry.shutdown(),
  }
}
