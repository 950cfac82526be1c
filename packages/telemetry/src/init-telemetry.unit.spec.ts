import { trace } from '@opentelemetry/api'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { describe, expect, it } from 'vitest'
import { initTelemetry } from './init-telemetry.js'
import { withSpan } from './with-span.js'

describe('initTelemetry', () => {
  it('is harmless to call twice and attaches later processors to the running provider', async () => {
    const first = new InMemorySpanExporter()
    const second = new InMemorySpanExporter()
    const a = initTelemetry({ serviceName: 'svc-a', spanProcessors: [new SimpleSpanProcessor(first)] })
    const b = initTelemetry({ serviceName: 'svc-b', spanProcessors: [new SimpleSpanProcessor(second)] })

    await withSpan('both', {}, async () => {})
    expect(first.getFinishedSpans().map((s) => s.name)).toEqual(['both'])
    expect(second.getFinishedSpans().map((s) => s.name)).toEqual(['both'])
    expect(first.getFinishedSpans()[0]?.resource.attributes['service.name']).toBe(
      process.env.OTEL_SERVICE_NAME || 'svc-a',
    )

    await b.shutdown()
    await b.shutdown()
    await withSpan('first only', {}, async () => {})
    expect(second.getFinishedSpans().map((s) => s.name)).toEqual(['both'])
    expect(first.getFinishedSpans().map((s) => s.name)).toEqual(['both', 'first only'])

    await a.shutdown()
    expect(trace.getActiveSpan()).toBeUndefined()
    const again = new InMemorySpanExporter()
    const c = initTelemetry({ serviceName: 'svc-c', spanProcessors: [new SimpleSpanProcessor(again)] })
    await withSpan('after restart', {}, async () => {})
    expect(again.getFinishedSpans().map((s) => s.name)).toEqual(['after restart'])
    await c.shutdown()
  })
})
