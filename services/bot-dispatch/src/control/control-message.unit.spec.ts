import { BotControl } from '@taskforge/proto/bots/v1/protocol'
import { Envelope } from '@taskforge/proto/events/v1/envelope'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { describe, expect, it } from 'vitest'
import { cancelFromEnvelope } from './control-message.js'

const occurredAt = new Date('2025-01-01T00:00:00Z')
const trace = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: '' }
const envelope = (event: JobEvent['event'], type: string, streamType = 'job') =>
  Envelope.fromPartial({
    eventId: 'e1',
    type,
    streamType,
    streamId: 'job-1',
    customer: 'acme',
    occurredAt,
    trace,
    data: Buffer.from(JobEvent.encode({ event }).finish()),
  })

describe('cancelFromEnvelope', () => {
  it('orders the bot to cancel the job attempt, with a stable id', () => {
    const requested = envelope(
      { $case: 'cancelRequested', value: { botId: 'b1', attempt: 2, reason: 'stop' } },
      'cancelRequested',
    )
    expect(cancelFromEnvelope(requested)).toEqual(
      BotControl.fromPartial({
        controlId: 'job-1.2.cancel',
        botId: 'b1',
        customer: 'acme',
        sentAt: occurredAt,
        trace,
        control: { $case: 'cancelJob', value: { jobId: 'job-1', attempt: 2, reason: 'stop' } },
      }),
    )
  })

  it('ignores other events', () => {
    expect(
      cancelFromEnvelope(envelope({ $case: 'canceled', value: { reason: '' } }, 'canceled')),
    ).toBeUndefined()
    expect(
      cancelFromEnvelope(
        envelope(
          { $case: 'cancelRequested', value: { botId: 'b1', attempt: 1, reason: '' } },
          'cancelRequested',
          'task',
        ),
      ),
    ).toBeUndefined()
  })
})
