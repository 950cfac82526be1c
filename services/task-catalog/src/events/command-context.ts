import type { EventMetadata } from '@taskforge/event-store'
import { currentTraceContext } from '@taskforge/telemetry'

/** Who asks for a change and on whose behalf; becomes the metadata of every event it causes. */
export interface CommandContext {
  customer: string
  /** A token name, "secret", "trigger", a bot id or "system". */
  author?: string | undefined
  correlationId?: string | undefined
  causationId?: string | undefined
}

/** Event metadata for `ctx`, with the W3C trace context of the active span so consumers continue the trace. */
export function eventMetadata(ctx: CommandContext): EventMetadata {
  const trace = currentTraceContext()
  const metadata: EventMetadata = { customer: ctx.customer }
  if (ctx.author) metadata.author = ctx.author
  if (ctx.correlationId) metadata.correlationId = ctx.correlationId
  if (ctx.causationId) metadata.causationId = ctx.causationId
  if (trace) {
    metadata.traceparent = trace.traceparent
    if (trace.tracestate) metadata.tracestate = trace.tracestate
  }
  return metadata
}
