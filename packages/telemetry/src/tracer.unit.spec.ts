import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { describe, expect, it } from 'vitest'
import { initTelemetry } from './init-telemetry.js'
import { currentTraceContext, extractContext } from './trace-context.js'
import { withSpan } from './with-span.js'

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'

describe('tracer without a processor', () => {
  it('records nothing yet propagates the trace, and records again once a processor is attached', async () => {
    const telemetry = initTelemetry({ serviceName: 'unrecorded' })
    try {
      const parent = extractContext((key) => (key === 'traceparent' ? traceparent : undefined))
      const child = await withSpan('child', { parent }, async (span) => {
        expect(span.isRecording()).toBe(false)
        return {
          span: span.spanContext(),
          nested: await withSpan('nested', {}, async () => currentTraceContext()),
        }
      })
      expect(child.span.traceId).toBe('0af7651916cd43dd8448eb211c80319c')
      expect(child.span.spanId).not.toBe('b7ad6b7169203331')
      expect(child.nested?.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/)
      expect(child.nested?.traceparent).not.toContain(child.span.spanId)

      const root = await withSpan('root', {}, async () => currentTraceContext())
      expect(root?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      expect(root?.traceparent).not.toContain('0af7651916cd43dd8448eb211c80319c')

      const exporter = new InMemorySpanExporter()
      const collecting = initTelemetry({
        serviceName: 'unrecorded',
        spanProcessors: [new SimpleSpanProcessor(exporter)],
      })
      await withSpan('recorded', { parent }, async (span) => expect(span.isRecording()).toBe(true))
      await collecting.shutdown()
      expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['recorded'])
      expect(exporter.getFinishedSpans()[0]?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c')
    } finally {
      await telemetry.shutdown()
    }
  })
})
