import type { Context } from '@opentelemetry/api'
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base'

/**
 * A span processor whose members can change after the provider is built: the SDK takes its processors
 * once, at construction, yet tests attach an in-memory exporter to a provider a service already started.
 */
export class FanOutSpanProcessor implements SpanProcessor {
  readonly #processors = new Set<SpanProcessor>()

  /** Adds a processor; answers a function that detaches it again (without shutting it down). */
  add(processor: SpanProcessor): () => void {
    this.#processors.add(processor)
    return () => {
      this.#processors.delete(processor)
    }
  }

  /** Whether any processor is attached: without one, an ended span goes nowhere. */
  get isEmpty(): boolean {
    return this.#processors.size === 0
  }

  onStart(span: Span, parentContext: Context): void {
    for (const processor of this.#processors) processor.onStart(span, parentContext)
  }

  onEnding(span: Span): void {
    for (const processor of this.#processors) processor.onEnding?.(span)
  }

  onEnd(span: ReadableSpan): void {
    for (const processor of this.#processors) processor.onEnd(span)
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.#processors].map((processor) => processor.forceFlush()))
  }

  async shutdown(): Promise<void> {
    const processors = [...this.#processors]
    this.#processors.clear()
    await Promise.all(processors.map((processor) => processor.shutdown()))
  }
}
