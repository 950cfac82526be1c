import {
  type Context,
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'

/** W3C trace context as carried in headers, metadata and stored events. */
export interface TraceContext {
  traceparent: string
  tracestate: string
}

// Used directly rather than through the global propagator, so that propagation does not depend on
// which propagator (if any) a process registered.
const propagator = new W3CTraceContextPropagator()

type Getter = (key: string) => string | undefined
type Setter = (key: string, value: string) => void

const functionGetter: TextMapGetter<Getter> = {
  get: (get, key) => get(key),
  keys: () => ['traceparent', 'tracestate'],
}
const functionSetter: TextMapSetter<Setter> = {
  set: (set, key, value) => set(key, value),
}

/** The W3C context of the active span, or undefined when no valid span is active. */
export function currentTraceContext(): TraceContext | undefined {
  const span = trace.getActiveSpan()
  if (span === undefined || !isSpanContextValid(span.spanContext())) return undefined
  const headers: Record<string, string> = {}
  injectHeaders((key, value) => {
    headers[key] = value
  })
  const traceparent = headers.traceparent
  if (traceparent === undefined) return undefined
  return { traceparent, tracestate: headers.tracestate ?? '' }
}

/**
 * The context to run work under that continues `tc` (for example a stored event's trace).
 * Without a usable traceparent it is the root context: the work then starts a trace of its own.
 */
export function contextFromTrace(tc: TraceContext | undefined): Context {
  if (tc === undefined || tc.traceparent === '') return ROOT_CONTEXT
  return extractContext((key) => {
    if (key === 'traceparent') return tc.traceparent
    if (key === 'tracestate') return tc.tracestate === '' ? undefined : tc.tracestate
    return undefined
  })
}

/** Writes the W3C headers (`traceparent`, `tracestate`) of the active span through `set`. */
export function injectHeaders(set: Setter, ctx: Context = context.active()): void {
  propagator.inject(ctx, set, functionSetter)
}

/** Reads W3C headers through `get` and answers a context whose remote parent is that span. */
export function extractContext(get: Getter): Context {
  return propagator.extract(ROOT_CONTEXT, get, functionGetter)
}
