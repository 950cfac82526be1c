import { contextFromTrace, openSpan, recordError, type Span } from '@taskforge/telemetry'
import type { StoredEvent } from './types.js'

/** Beyond this many traces in one batch, the rest go unrecorded: a catch-up must not flood the exporter. */
const MAX_TRACES_PER_BATCH = 32

/**
 * Runs `apply` (one projection batch) under a span in the trace of each event it applies, so a trace
 * shows where its events reached the read model. Events of one trace share the span; the spans all
 * measure the same batch.
 */
export async function withProjectionSpans<T>(
  projection: string,
  events: readonly StoredEvent[],
  apply: () => Promise<T>,
): Promise<T> {
  const byTrace = new Map<string, StoredEvent[]>()
  for (const event of events) {
    const traceparent = event.metadata.traceparent
    if (traceparent === undefined || traceparent === '') continue
    const group = byTrace.get(traceparent)
    if (group !== undefined) group.push(event)
    else if (byTrace.size < MAX_TRACES_PER_BATCH) byTrace.set(traceparent, [event])
  }
  const spans: Span[] = [...byTrace].map(([traceparent, group]) => {
    const first = group[0] as StoredEvent
    return openSpan(`project ${projection}`, {
      parent: contextFromTrace({ traceparent, tracestate: first.metadata.tracestate ?? '' }),
      attributes: {
        'taskforge.projection': projection,
        'taskforge.event_types': [...new Set(group.map((event) => `${event.streamType}.${event.type}`))],
        'taskforge.stream_ids': [...new Set(group.map((event) => event.streamId))],
        'taskforge.batch_size': events.length,
      },
    }).span
  })
  try {
    return await apply()
  } catch (error) {
    for (const span of spans) recordError(span, error)
    throw error
  } finally {
    for (const span of spans) span.end()
  }
}
