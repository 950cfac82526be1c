import { contentSha256 } from '@taskforge/core'
import { DispatchJob } from '@taskforge/proto/bots/v1/protocol'
import { Envelope } from '@taskforge/proto/events/v1/envelope'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { describe, expect, it } from 'vitest'
import { dispatchFromEnvelope, dispatchMsgId } from './dispatch-message.js'

const script = Buffer.from('#!/bin/sh\necho backup\n')
const spec = JobSpec.fromPartial({
  taskId: 't1',
  taskName: 'backup',
  hostId: 'b1',
  timeout: 60,
  scriptFilename: 'backup.sh',
  scriptSha256: contentSha256(script),
  scriptSize: script.length,
})
const trace = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: '' }
const envelope = (event: JobEvent['event'], type: string, streamType = 'job') =>
  Envelope.fromPartial({
    eventId: 'e1',
    type,
    streamType,
    streamId: 'job-1',
    customer: 'acme',
    trace,
    data: Buffer.from(JobEvent.encode({ event }).finish()),
  })

describe('dispatchFromEnvelope', () => {
  it('builds the work order from an assigned event and its envelope', () => {
    const assigned = envelope(
      { $case: 'assigned', value: { botId: 'b1', attempt: 2, spec, taskArgumentsValues: ['x'] } },
      'assigned',
    )
    expect(dispatchFromEnvelope(assigned)).toEqual(
      DispatchJob.fromPartial({
        jobId: 'job-1',
        customer: 'acme',
        botId: 'b1',
        jobSpec: spec,
        taskArgumentsValues: ['x'],
        attempt: 2,
        trace,
      }),
    )
  })
  it('carries the script of an assignment written before jobs named it by hash by its hash', () => {
    const legacy = JobSpec.fromPartial({ ...spec, scriptSha256: '', scriptSize: 0, scriptContent: script })
    const assigned = envelope(
      { $case: 'assigned', value: { botId: 'b1', attempt: 1, spec: legacy, taskArgumentsValues: [] } },
      'assigned',
    )
    const carried = dispatchFromEnvelope(assigned)?.jobSpec
    expect(carried).toEqual(spec)
    expect(carried?.scriptContent).toHaveLength(0)
  })
  it('ignores other events', () => {
    expect(
      dispatchFromEnvelope(envelope({ $case: 'canceled', value: { reason: '' } }, 'canceled')),
    ).toBeUndefined()
    expect(
      dispatchFromEnvelope(
        envelope(
          { $case: 'assigned', value: { botId: 'b1', attempt: 1, spec, taskArgumentsValues: [] } },
          'assigned',
          'task',
        ),
      ),
    ).toBeUndefined()
  })
  it('dedups by job and attempt', () => {
    expect(dispatchMsgId({ jobId: 'job-1', attempt: 3 })).toBe('job-1.3')
  })
})
