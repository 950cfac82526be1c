import { type Context, context, type Span, type SpanOptions, type Tracer, trace } from '@opentelemetry/api'

const TRACER_NAME = '@taskforge/telemetry'

/**
 * A tracer that looks the global provider up on every call. A tracer obtained once from
 * `trace.getTracer` would keep pointing at a provider that was shut down and replaced.
 */
class GlobalTracer implements Tracer {
  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
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
