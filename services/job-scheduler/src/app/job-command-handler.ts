import { type EventMetadata, type EventStore, handleCommand, type Trx } from '@taskforge/event-store'
import { currentTraceContext } from '@taskforge/telemetry'
import { type JobCommand, type JobState, jobDecider } from '../domain/job-decider.js'
import { decodeJobEvent, encodeJobEvent, JOB_STREAM_TYPE } from '../domain/job-events.js'

export interface JobCommandContext {
  /** Who asked: a token name, "secret", "trigger", a bot id or "system". */
  author: string
  causationId?: string
  /** Append inside this transaction (with an inbox claim, for example). */
  trx?: Trx
}

/**
 * Runs one command against a job stream (read, fold, decide, append), stamping the new events with the
 * job's customer (from the stream, so a report cannot claim another), the author and the active trace.
 */
export async function executeJobCommand(
  store: EventStore,
  jobId: string,
  command: JobCommand,
  context: JobCommandContext,
) {
  let decidedOn: JobState | undefined
  const decider = {
    ...jobDecider,
    decide(cmd: JobCommand, state: JobState) {
      decidedOn = state
      return jobDecider.decide(cmd, state)
    },
  }
  const trace = currentTraceContext()
  const metadata = (): EventMetadata => ({
    customer: decidedOn?.customer || (command.type === 'QueueJob' ? command.customer : ''),
    author: context.author,
    correlationId: jobId,
    ...(context.causationId === undefined ? {} : { causationId: context.causationId }),
    ...(trace === undefined ? {} : { traceparent: trace.traceparent, tracestate: trace.tracestate }),
  })
  return handleCommand(store, {
    streamType: JOB_STREAM_TYPE,
    streamId: jobId,
    decider,
    command,
    encode: (event) => encodeJobEvent(event, metadata()),
    decode: decodeJobEvent,
    ...(context.trx === undefined ? {} : { trx: context.trx }),
  })
}
