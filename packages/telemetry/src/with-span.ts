import {
  type Attributes,
  type Context,
  context,
  type Span,
  type SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api'
import { tracer } from './tracer.js'

export interface WithSpanOptions {
  kind?: SpanKind
  /** Context to start the span under; the active context when absent. */
  parent?: Context
  attributes?: Attributes
}

/**
 * Runs `fn` inside a new active span and ends the span when `fn` settles. A rejection is recorded on
 * the span (exception event, status ERROR) and rethrown.
 *
 * @example
 * await withSpan('relay publish', { kind: SpanKind.PRODUCER }, async (span) => publish(batch))
 */
export function withSpan<T>(
  name: string,
  options: WithSpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active()
  const span = tracer.startSpan(
    name,
    {
      ...(options.kind === undefined ? {} : { kind: options.kind }),
      ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
    },
    parent,
  )
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span)
    } catch (error) {
      recordError(span, error)
      throw error
    } finally {
      span.end()
    }
  })
}

/** Marks `span` as failed by `error` (exception event plus status ERROR). */
export function recordError(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error)
  span.recordException(error instanceof Error ? error : message)
  span.setStatus({ code: SpanStatusCode.ERROR, message })
}
