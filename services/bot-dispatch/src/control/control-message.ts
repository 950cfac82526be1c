import { BotControl } from '@taskforge/proto/bots/v1/protocol'
import type { Envelope } from '@taskforge/proto/events/v1/envelope'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'

/**
 * The order for a bot carried by a `job`/`cancelRequested` envelope, or undefined for any other event.
 * The job id and customer come from the envelope (the stream's), never from the payload.
 */
export function cancelFromEnvelope(envelope: Envelope): BotControl | undefined {
  if (envelope.streamType !== 'job' || envelope.type !== 'cancelRequested') return undefined
  const { event } = JobEvent.decode(envelope.data)
  if (event?.$case !== 'cancelRequested') return undefined
  const { botId, attempt, reason } = event.value
  return BotControl.fromPartial({
    controlId: `${envelope.streamId}.${attempt}.cancel`,
    botId,
    customer: envelope.customer,
    sentAt: envelope.occurredAt,
    trace: envelope.trace,
    control: { $case: 'cancelJob', value: { jobId: envelope.streamId, attempt, reason } },
  })
}
