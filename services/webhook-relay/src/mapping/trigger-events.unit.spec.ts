import { WebhookEvent } from '@taskforge/proto/catalog/v1/events'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { describe, expect, it } from 'vitest'
import { at, mappedSteps, sourceEvent } from '../test-support/mapped-steps.js'
import { validateEventFilter } from './event-names.js'

const job = (version: number, event: NonNullable<JobEvent['event']>) =>
  sourceEvent('job', 'j1', version, event.$case, JobEvent.encode({ event }).finish(), 'trigger')
const webhook = (version: number, event: NonNullable<WebhookEvent['event']>) =>
  sourceEvent('webhook', 'w1', version, event.$case, WebhookEvent.encode({ event }).finish(), 'trigger')

describe('public events of triggered jobs and incoming webhooks', () => {
  it('announces a triggered job on hold, its release, and a refused one with its reason', () => {
    const spec = JobSpec.fromPartial({ taskId: 't2', taskName: 'deploy', hostId: 'b1' })
    const [created, released, assigned] = mappedSteps([
      job(1, {
        $case: 'queued',
        value: {
          jobId: 'j1',
          customer: 'acme',
          spec,
          taskArgumentsValues: ['line 1'],
          origin: 'trigger:task:t1:j0',
          holdUntil: at(10),
          chain: { id: 'j0', depth: 1, taskIds: ['t1', 't2'] },
        },
      }),
      job(2, { $case: 'holdReleased', value: { releasedAt: at(10) } }),
      job(3, {
        $case: 'assigned',
        value: { botId: 'b1', attempt: 1, spec, taskArgumentsValues: ['line 1'] },
      }),
    ])
    expect(created?.publicEvent).toMatchObject({
      name: 'job.create',
      data: { job: { lifecycle: 'onhold', origin: 'trigger:task:t1:j0', task_arguments_values: ['line 1'] } },
    })
    expect(released?.publicEvent).toMatchObject({
      name: 'job.update',
      data: { action: 'released', changes: { lifecycle: 'ready' } },
    })
    expect(assigned?.publicEvent).toMatchObject({ name: 'job.update', data: { action: 'assigned' } })

    const [, refused] = mappedSteps([
      job(1, {
        $case: 'queued',
        value: {
          jobId: 'j1',
          customer: 'acme',
          spec,
          taskArgumentsValues: [],
          origin: 'trigger:task:t1:j0',
          holdUntil: undefined,
        },
      }),
      job(2, { $case: 'canceled', value: { reason: 'trigger cycle stopped: task t1 already ran' } }),
    ])
    expect(refused?.publicEvent).toMatchObject({
      name: 'job.update',
      data: { action: 'canceled', job: { result: { reason: 'trigger cycle stopped: task t1 already ran' } } },
    })
  })

  it('sends webhook.trigger for a fire, with the payload and the webhook without its secret', () => {
    const [created, fired] = mappedSteps([
      webhook(1, {
        $case: 'created',
        value: {
          webhookId: 'w1',
          customer: 'acme',
          name: 'deploys',
          secret: 's',
          sealedSecret: Buffer.alloc(0),
        },
      }),
      webhook(2, { $case: 'fired', value: { fireId: 'f1', payloadJson: '{"ref":"main"}', firedAt: at(2) } }),
    ])
    expect(created?.publicEvent).toBeUndefined()
    expect(fired?.publicEvent).toEqual({
      name: 'webhook.trigger',
      data: {
        webhook_id: 'w1',
        webhook: { id: 'w1', customer: 'acme', name: 'deploys', creation_date: at(1).toISOString() },
        fire_id: 'f1',
        payload: { ref: 'main' },
        fired_at: at(2).toISOString(),
      },
    })
    expect(JSON.stringify(fired)).not.toContain('"secret"')
    expect(validateEventFilter(['webhook.trigger', 'webhook.*'])).toEqual(['webhook.trigger', 'webhook.*'])
  })
})
