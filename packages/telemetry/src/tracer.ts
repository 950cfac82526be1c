import {
  type Context,
  context,
  isSpanContextValid,
  type Span,
  type SpanOptions,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-base'
import { spansAreProcessed } from './init-telemetry.js'

const TRACER_NAME = '@taskforge/telemetry'
const ids = new RandomIdGenerator()

/**
 * A span that records nothing yet carries a trace: the parent's trace (and sampling flag) or a new
 * sampled one, and a span id of its own. Used while no processor is attached, so a process that
 * exports nothing does not build, time and drop a full span per call, while its logs still carry
 * trace ids and every hop it calls still continues the trace (and may export it).
 */
function unrecordedSpan(parent: Context, root: boolean): Span {
  const parentSpan = root ? undefined : trace.getSpanContext(parent)
  if (parentSpan !== undefined && isSpanContextValid(parentSpan)) {
    return trace.wrapSpanContext({ ...parentSpan, spanId: ids.generateSpanId(), isRemote: false })
  }
  return trace.wrapSpanContext({
    traceId: ids.generateTraceId(),
    spanId: ids.generateSpanId(),
    traceFlags: TraceFlags.SAMPLED,
  })
}

/**
 * A tracer that looks the global provider up on every call. A tracer obtained once from
 * `trace.getTracer` would keep pointing at a provider that was shut down and replaced.
 */
class GlobalTracer implements Tracer {
  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    if (spansAreProcessed() === false) return unrecordedSpan(ctx ?? context.active(), options?.root === true)
    return trace.getTracer(TRACER_NAME).startSpan(name, options, ctx)
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    a: SpanOptions | F,
    b?: Context | F,
    c?: F,
  ): ReturnType<F> {
    const fn = (c ?? (typeof b === 'function' ? b : a)) as F
    const options = typeof a === 'function' ? undefined : a
    const parent = b === undefined || typeof b === 'function' ? context.active() : b
    const span = this.startSpan(name, options, parent)
    return context.with(trace.setSpan(parent, span), () => fn(span)) as ReturnType<F>
  }
}

/** The platform's tracer (works before {@link initTelemetry}: spans are then no-ops). */
export const tracer: Tracer = new GlobalTracer()
