import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { collectSpans } from './span-collector.js'
import { contextFromTrace, currentTraceContext, extractContext, injectHeaders } from './trace-context.js'
import { withSpan } from './with-span.js'

const collector = collectSpans('telemetry-test')
afterAll(() => collector.stop())
beforeEach(() => collector.reset())

function activeIds(): { traceId: string; spanId: string } {
  const span = trace.getActiveSpan()
  if (span === undefined) throw new Error('no active span')
  const { traceId, spanId } = span.spanContext()
  return { traceId, spanId }
}

describe('trace context propagation', () => {
  it('survives inject -> extract through a plain header map', async () => {
    const headers: Record<string, string> = {}
    const parent = await withSpan('producer', { kind: SpanKind.PRODUCER }, async () => {
      injectHeaders((key, value) => {
        headers[key] = value
      })
      return activeIds()
    })
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)

    const parentContext = extractContext((key) => headers[key])
    const child = await withSpan('consumer', { kind: SpanKind.CONSUMER, parent: parentContext }, async () =>
      activeIds(),
    )

    expect(child.traceId).toBe(parent.traceId)
    const consumer = collector.spans().find((span) => span.name === 'consumer')
    expect(consumer?.parentSpanContext?.spanId).toBe(parent.spanId)
    expect(consumer?.parentSpanContext?.isRemote).toBe(true)
  })

  it('round-trips through currentTraceContext and contextFromTrace', async () => {
    const { stored, ids } = await withSpan('append', {}, async () => ({
      stored: currentTraceContext(),
      ids: activeIds(),
    }))
    expect(stored?.traceparent).toContain(ids.traceId)
    const child = await withSpan('relay', { parent: contextFromTrace(stored) }, async () => activeIds())
    expect(child.traceId).toBe(ids.traceId)
  })

  it('starts a new trace when there is no context to continue', async () => {
    expect(currentTraceContext()).toBeUndefined()
    const outer = await withSpan('outer', {}, async () =>
      withSpan('detached', { parent: contextFromTrace(undefined) }, async () => activeIds()),
    )
    const outerSpan = collector.spans().find((span) => span.name === 'outer')
    expect(outer.traceId).not.toBe(outerSpan?.spanContext().traceId)
    expect(contextFromTrace({ traceparent: '', tracestate: '' }) === extractContext(() => undefined)).toBe(
      true,
    )
  })

  it('keeps tracestate', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    const seen = await withSpan(
      'child',
      { parent: contextFromTrace({ traceparent, tracestate: 'vendor=1' }) },
      async () => currentTraceContext(),
    )
    expect(seen?.traceparent.slice(0, 36)).toBe(traceparent.slice(0, 36))
    expect(seen?.tracestate).toBe('vendor=1')
  })

  it('records a failure on the span and rethrows it', async () => {
    await expect(
      withSpan('failing', {}, async () => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    const failing = collector.spans().find((span) => span.name === 'failing')
    expect(failing?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' })
    expect(failing?.events.map((event) => event.name)).toContain('exception')
  })
})
