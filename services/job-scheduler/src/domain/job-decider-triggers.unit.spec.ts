import { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { deciderSpec } from '@taskforge/testkit/decider-spec'
import { describe, expect, it } from 'vitest'
import { type JobDomainEvent, jobDecider, type QueueJob } from './job-decider.js'

const spec = deciderSpec(jobDecider)
const jobId = '01900000-0000-7000-8000-0000000000b1'
const customer = 'acme'
const bot = 'bot-1'
const now = new Date('2025-01-01T00:00:00Z')
const later = new Date('2025-01-01T00:00:30Z')
const jobSpec = JobSpec.fromPartial({ taskId: 'task-b', taskName: 'deploy', hostId: bot, timeout: 600 })
const args = ['line 1', 'line 2']
const chain = { id: 'job-a', depth: 1, taskIds: ['task-a', 'task-b'] }

const queueTriggered: QueueJob = {
  type: 'QueueJob',
  jobId,
  customer,
  spec: jobSpec,
  argumentsValues: args,
  origin: 'trigger:task:task-a:job-a',
  now,
  holdUntil: later,
  chain,
}
const queuedOnHold: JobDomainEvent = {
  $case: 'queued',
  value: {
    jobId,
    customer,
    spec: jobSpec,
    taskArgumentsValues: args,
    origin: 'trigger:task:task-a:job-a',
    holdUntil: later,
    chain,
  },
}
const released: JobDomainEvent = { $case: 'holdReleased', value: { releasedAt: later } }
const assigned: JobDomainEvent = {
  $case: 'assigned',
  value: { botId: bot, attempt: 1, spec: jobSpec, taskArgumentsValues: args },
}
const release = { type: 'ReleaseHold' as const, now: later }

describe('job decider: triggered jobs and grace time', () => {
  it('keeps a triggered job with a grace time on hold, with its arguments and chain', () => {
    spec([]).when(queueTriggered).then([queuedOnHold])
    const state = [queuedOnHold].reduce(jobDecider.evolve, jobDecider.initialState())
    expect(state).toMatchObject({ lifecycle: 'onhold', argumentsValues: args })
  })

  it('records a refused run and cancels it at once with the reason', () => {
    const reason = 'trigger cycle stopped: task task-b already ran in this chain of triggers'
    spec([])
      .when({ ...queueTriggered, refusal: reason })
      .then([
        { $case: 'queued', value: { ...queuedOnHold.value, holdUntil: undefined } } as JobDomainEvent,
        { $case: 'canceled', value: { reason } },
      ])
  })

  it('releases a job on hold to its bot when its grace time ran out', () => {
    spec([queuedOnHold]).when(release).then([released, assigned])
  })

  it('releases a job on hold to ready when its task may not run it now', () => {
    const busy = { ...jobSpec, multitasking: false }
    const onHold = { $case: 'queued', value: { ...queuedOnHold.value, spec: busy } } as JobDomainEvent
    spec([onHold])
      .when({ ...release, facts: { runningJobsOfTask: 1 } })
      .then([released])
    const state = [onHold, released].reduce(jobDecider.evolve, jobDecider.initialState())
    expect(state.lifecycle).toBe('ready')
  })

  it('releases nothing for a job canceled while on hold, or released already', () => {
    spec([queuedOnHold, { $case: 'canceled', value: { reason: 'not needed' } }])
      .when(release)
      .then([])
    spec([queuedOnHold, released, assigned]).when(release).then([])
  })

  it('cancels a job on hold at once', () => {
    spec([queuedOnHold])
      .when({ type: 'Cancel', customer, reason: 'not needed' })
      .then([{ $case: 'canceled', value: { reason: 'not needed' } }])
  })

  it('refuses to release an unknown job', () => {
    spec([]).when(release).thenFails('NOT_FOUND')
  })
})
