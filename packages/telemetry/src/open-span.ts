import { type Context, context, type Link, type Span, trace } from '@opentelemetry/api'
import { tracer } from './tracer.js'
import type { WithSpanOptions } from './with-span.js'

export interface OpenSpanOptions extends WithSpanOptions {
  /** Spans this one relates to without being their child (for example the events of a batch). */
  links?: Link[]
}

/** A span started now and ended by the caller, for work whose start and end are separate callbacks. */
export interface OpenSpan {
  readonly span: Span
  /** The context with this span active: run the work in it with {@link OpenSpan.run}. */
  readonly context: Context
  /** Runs `fn` with this span active, so spans started inside become its children. */
  run<T>(fn: () => T): T
}

/**
 * Starts a span that is not bound to one function: an HTTP request whose hooks start, continue and
 * end it, for example. The caller ends it (`span.end()`), once.
 *
 * @example
 * const request = openSpan('GET /jobs', { kind: SpanKind.SERVER, parent: extractContext(get) })
 * request.run(() => next())
 * request.span.end()
 */
export function openSpan(name: string, options: OpenSpanOptions = {}): OpenSpan {
  const parent = options.parent ?? context.active()
  const span = tracer.startSpan(
    name,
    {
      ...(options.kind === undefined ? {} : { kind: options.kind }),
      ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
      ...(options.links === undefined ? {} : { links: options.links }),
    },
    parent,
  )
  const active = trace.setSpan(parent, span)
  return { span, context: active, run: (fn) => context.with(active, fn) }
}

/** The span context a W3C context carries, for a link; undefined when it carries none. */
export function spanContextOf(ctx: Context): Link['context'] | undefined {
  return trace.getSpanContext(ctx)
}
