import { contentSha256 } from '@taskforge/core'
import { DispatchJob } from '@taskforge/proto/bots/v1/protocol'
import type { Envelope } from '@taskforge/proto/events/v1/envelope'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { JobSpec } from '@taskforge/proto/jobs/v1/model'

/**
 * The spec as a bot receives it: the script by reference, never its content. An assignment written
 * before decision 15 still holds the content; it goes by its hash too, which the catalog knows, as
 * it keeps every content a script of the organization had.
 */
export function specByReference(spec: JobSpec | undefined): JobSpec | undefined {
  if (spec === undefined || spec.scriptContent.length === 0) return spec
  return JobSpec.fromPartial({
    ...spec,
    scriptContent: Buffer.alloc(0),
    scriptSha256: contentSha256(spec.scriptContent),
    scriptSize: spec.scriptContent.length,
  })
}

/**
 * The work order for a bot carried by a `job`/`assigned` envelope, or undefined for any other event.
 * The job id and customer come from the envelope (the stream's), never from the payload.
 */
export function dispatchFromEnvelope(envelope: Envelope): DispatchJob | undefined {
  if (envelope.streamType !== 'job' || envelope.type !== 'assigned') return undefined
  const { event } = JobEvent.decode(envelope.data)
  if (event?.$case !== 'assigned') return undefined
  return DispatchJob.fromPartial({
    jobId: envelope.streamId,
    customer: envelope.customer,
    botId: event.value.botId,
    jobSpec: specByReference(event.value.spec),
    taskArgumentsValues: event.value.taskArgumentsValues,
    attempt: event.value.attempt,
    trace: envelope.trace,
  })
}

/** The dedup id of one delivery: a job's attempt is carried once, however often the event arrives. */
export function dispatchMsgId(dispatch: Pick<DispatchJob, 'jobId' | 'attempt'>): string {
  return `${dispatch.jobId}.${dispatch.attempt}`
}
