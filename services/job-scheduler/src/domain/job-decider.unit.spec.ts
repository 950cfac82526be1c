import { stateCode } from '@taskforge/model'
import { JobResult, JobSpec, JobState } from '@taskforge/proto/jobs/v1/model'
import { deciderSpec } from '@taskforge/testkit/decider-spec'
import { describe, expect, it } from 'vitest'
import { type JobDomainEvent, jobDecider, type QueueJob, ReportTooEarly } from './job-decider.js'

const spec = deciderSpec(jobDecider)
const jobId = '01900000-0000-7000-8000-0000000000j1'
const customer = 'acme'
const bot = 'bot-1'
const otherBot = 'bot-2'
const now = new Date('2025-01-01T00:00:00Z')
const jobSpec = JobSpec.fromPartial({ taskId: 'task-1', taskName: 'backup', hostId: bot, timeout: 600 })
const args = ['a', 'b']

const queue: QueueJob = {
  type: 'QueueJob',
  jobId,
  customer,
  spec: jobSpec,
  argumentsValues: args,
  origin: 'api',
  now,
}
const queued: JobDomainEvent = {
  $case: 'queued',
  value: { jobId, customer, spec: jobSpec, taskArgumentsValues: args, origin: 'api', holdUntil: undefined },
}
const assigned: JobDomainEvent = {
  $case: 'assigned',
  value: { botId: bot, attempt: 1, spec: jobSpec, taskArgumentsValues: args },
}
const startedAt = new Date('2025-01-01T00:00:01Z')
const started: JobDomainEvent = { $case: 'started', value: { botId: bot, pid: 42, startedAt } }
const output0: JobDomainEvent = {
  $case: 'outputAppended',
  value: { seq: 0, stream: 'stdout', text: 'hello\n' },
}
const result = JobResult.fromPartial({ code: 0, lastline: 'done', log: 'hello\ndone\n' })
const finished: JobDomainEvent = {
  $case: 'finished',
  value: {
    lifecycle: 'finished',
    state: 'success',
    outcome: JobState.JOB_STATE_SUCCESS,
    result,
    output: ['done'],
  },
}
const canceled: JobDomainEvent = { $case: 'canceled', value: { reason: 'not needed' } }
const cancelRequested: JobDomainEvent = {
  $case: 'cancelRequested',
  value: { reason: 'not needed', botId: bot, attempt: 1 },
}
const leaseReason = 'bot bot-1 gave no sign of life'
const leaseExpired: JobDomainEvent = {
  $case: 'leaseExpired',
  value: { botId: bot, attempt: 1, reason: leaseReason, expiredAt: now },
}
const expire = { type: 'ExpireLease' as const, botId: bot, attempt: 1, reason: leaseReason, now }

const start = { type: 'RecordStarted' as const, botId: bot, pid: 42, startedAt }
const output = (seq: number, botId = bot) => ({
  type: 'RecordOutput' as const,
  botId,
  seq,
  stream: 'stdout',
  text: 'hello\n',
})
const finish = (state: string, botId = bot) => ({
  type: 'RecordFinished' as const,
  botId,
  state,
  result,
  output: ['done'],
})
const cancel = { type: 'Cancel' as const, customer, reason: 'not needed' }

describe('job decider', () => {
  describe('QueueJob', () => {
    it('queues the job and assigns it to the task host, attempt 1', () => {
      spec([]).when(queue).then([queued, assigned])
    })
    it('holds the job in ready when the placement says so', () => {
      spec([])
        .when({ ...queue, placement: { kind: 'hold', reason: 'bot busy' } })
        .then([queued])
    })
    it('holds the job in ready when the task has no host', () => {
      const noHost = { ...jobSpec, hostId: '' }
      spec([])
        .when({ ...queue, spec: noHost })
        .then([{ $case: 'queued', value: { ...queued.value, spec: noHost } } as JobDomainEvent])
    })
    it('keeps a job with a future hold time on hold', () => {
      const holdUntil = new Date(now.getTime() + 60_000)
      spec([])
        .when({ ...queue, holdUntil })
        .then([{ $case: 'queued', value: { ...queued.value, holdUntil } } as JobDomainEvent])
    })
    it('is a no-op when the same customer queues the same job again', () => {
      spec([queued, assigned]).when(queue).then([])
    })
    it('refuses a job id taken by another customer', () => {
      spec([queued])
        .when({ ...queue, customer: 'other' })
        .thenFails('INVALID_STATE')
    })
    it('requires a job id and a customer', () => {
      spec([])
        .when({ ...queue, jobId: '' })
        .thenFails('VALIDATION_FAILED', { field: 'job_id' })
      spec([])
        .when({ ...queue, customer: '' })
        .thenFails('VALIDATION_FAILED', { field: 'customer' })
    })
  })

  describe('AssignJob', () => {
    it('assigns a ready job as the next attempt', () => {
      spec([queued])
        .when({ type: 'AssignJob', botId: otherBot, now })
        .then([{ $case: 'assigned', value: { ...assigned.value, botId: otherBot } } as JobDomainEvent])
    })
    it('refuses a job that is not ready', () => {
      spec([queued, assigned]).when({ type: 'AssignJob', botId: bot, now }).thenFails('INVALID_STATE')
    })
    it('refuses an unknown job', () => {
      spec([]).when({ type: 'AssignJob', botId: bot, now }).thenFails('NOT_FOUND')
    })
  })

  describe('RecordStarted', () => {
    it('records the start reported by the assigned bot', () => {
      spec([queued, assigned]).when(start).then([started])
    })
    it('is a no-op when reported twice', () => {
      spec([queued, assigned, started]).when(start).then([])
    })
    it('refuses a report from another bot', () => {
      spec([queued, assigned])
        .when({ ...start, botId: otherBot })
        .thenFails('FORBIDDEN')
    })
    it('refuses a report for a job assigned to no bot', () => {
      spec([queued]).when(start).thenFails('FORBIDDEN')
    })
    it('is a no-op once the job ended', () => {
      spec([queued, assigned, finished]).when(start).then([])
      spec([queued, assigned, canceled]).when(start).then([])
    })
    it('refuses an unknown job', () => {
      spec([]).when(start).thenFails('NOT_FOUND')
    })
  })

  describe('RecordOutput', () => {
    it('appends a chunk of output', () => {
      spec([queued, assigned, started]).when(output(0)).then([output0])
    })
    it('drops a chunk whose seq was already recorded', () => {
      spec([queued, assigned, started, output0]).when(output(0)).then([])
    })
    it('accepts chunks out of order', () => {
      spec([queued, assigned, started, output0])
        .when(output(2))
        .then([{ $case: 'outputAppended', value: { ...output0.value, seq: 2 } } as JobDomainEvent])
    })
    it('refuses output from another bot', () => {
      spec([queued, assigned, started]).when(output(0, otherBot)).thenFails('FORBIDDEN')
    })
    it('is a no-op once the job ended', () => {
      spec([queued, assigned, started, finished]).when(output(1)).then([])
    })
    it('refuses an unknown job', () => {
      spec([]).when(output(0)).thenFails('NOT_FOUND')
    })
  })

  describe('RecordFinished', () => {
    it('finishes a started job with its outcome', () => {
      spec([queued, assigned, started]).when(finish('success')).then([finished])
    })
    it('ends failures of the run itself as terminated', () => {
      for (const state of ['timeout', 'error']) {
        spec([queued, assigned, started])
          .when(finish(state))
          .then([
            {
              $case: 'finished',
              value: { lifecycle: 'terminated', state, outcome: stateCode(state), result, output: ['done'] },
            },
          ])
      }
    })
    it('ends a run its bot canceled as canceled', () => {
      spec([queued, assigned, started, cancelRequested])
        .when(finish('canceled'))
        .then([
          {
            $case: 'finished',
            value: {
              lifecycle: 'canceled',
              state: 'canceled',
              outcome: JobState.JOB_STATE_CANCELED,
              result,
              output: ['done'],
            },
          },
        ])
    })
    it('is a no-op once the lease of the job expired', () => {
      spec([queued, assigned, started, leaseExpired]).when(finish('success')).then([])
    })
    it('accepts a finished report for a job never started', () => {
      spec([queued, assigned])
        .when(finish('failure'))
        .then([
          {
            $case: 'finished',
            value: { ...finished.value, state: 'failure', outcome: JobState.JOB_STATE_FAILURE },
          } as JobDomainEvent,
        ])
    })
    it('is a no-op when the job already ended', () => {
      spec([queued, assigned, started, finished]).when(finish('failure')).then([])
      spec([queued, assigned, canceled]).when(finish('success')).then([])
    })
    it('refuses an unknown outcome', () => {
      spec([queued, assigned, started])
        .when(finish('exploded'))
        .thenFails('VALIDATION_FAILED', { field: 'state' })
    })
    it('refuses a report from another bot', () => {
      spec([queued, assigned, started]).when(finish('success', otherBot)).thenFails('FORBIDDEN')
    })
    it('refuses an unknown job', () => {
      spec([]).when(finish('success')).thenFails('NOT_FOUND')
    })
  })

  describe('Cancel', () => {
    it('cancels a job no bot holds at once', () => {
      spec([queued]).when(cancel).then([canceled])
    })
    it('cancels an assigned job not started yet at once, and tells its bot', () => {
      spec([queued, assigned]).when(cancel).then([cancelRequested, canceled])
    })
    it('asks the bot running the job to stop it, once', () => {
      spec([queued, assigned, started]).when(cancel).then([cancelRequested])
      spec([queued, assigned, started, cancelRequested]).when(cancel).then([])
    })
    it('refuses a job that already ended', () => {
      spec([queued, assigned, finished]).when(cancel).thenFails('INVALID_STATE', { lifecycle: 'finished' })
      spec([queued, canceled]).when(cancel).thenFails('INVALID_STATE', { lifecycle: 'canceled' })
    })
    it('refuses an unknown job', () => {
      spec([]).when(cancel).thenFails('NOT_FOUND')
    })
    it("treats another customer's job as missing", () => {
      spec([queued])
        .when({ ...cancel, customer: 'other' })
        .thenFails('NOT_FOUND')
    })
    describe('scoped to jobs not started (emptying a queue)', () => {
      const dropQueued = { ...cancel, scope: 'not-started' as const }
      it('cancels waiting and assigned jobs', () => {
        spec([queued]).when(dropQueued).then([canceled])
        spec([queued, assigned]).when(dropQueued).then([cancelRequested, canceled])
      })
      it('leaves running and ended jobs alone', () => {
        spec([queued, assigned, started]).when(dropQueued).then([])
        spec([queued, assigned, finished]).when(dropQueued).then([])
        spec([queued, canceled]).when(dropQueued).then([])
      })
    })
  })

  describe('ExpireLease', () => {
    it('terminates a running job whose bot stopped renewing its lease', () => {
      spec([queued, assigned, started]).when(expire).then([leaseExpired])
      spec([queued, assigned, started, cancelRequested]).when(expire).then([leaseExpired])
    })
    it('leaves a job that is not running alone: it waits for its bot', () => {
      spec([queued]).when(expire).then([])
      spec([queued, assigned]).when(expire).then([])
    })
    it('is a no-op once the job ended', () => {
      spec([queued, assigned, started, finished]).when(expire).then([])
      spec([queued, assigned, started, leaseExpired]).when(expire).then([])
    })
    it('ignores the lease of another bot or attempt', () => {
      spec([queued, assigned, started])
        .when({ ...expire, botId: otherBot })
        .then([])
      spec([queued, assigned, started])
        .when({ ...expire, attempt: 2 })
        .then([])
    })
    it('refuses an unknown job', () => {
      spec([]).when(expire).thenFails('NOT_FOUND')
    })
  })

  describe('numbered reports', () => {
    const output1: JobDomainEvent = { $case: 'outputAppended', value: { ...output0.value, seq: 1 } }
    const decide = (events: JobDomainEvent[], command: Parameters<typeof jobDecider.decide>[0]) =>
      jobDecider.decide(command, events.reduce(jobDecider.evolve, jobDecider.initialState()))

    it('applies each report when every one before it of its attempt was applied', () => {
      spec([queued, assigned])
        .when({ ...start, sequence: 1, attempt: 1 })
        .then([started])
      spec([queued, assigned, started])
        .when({ ...output(1), sequence: 2, attempt: 1 })
        .then([output1])
      spec([queued, assigned, started, output1])
        .when({ ...finish('success'), sequence: 3, attempt: 1 })
        .then([finished])
    })
    it('refuses to decide on a report that came before one of its predecessors', () => {
      expect(() => decide([queued, assigned], { ...finish('success'), sequence: 2, attempt: 1 })).toThrow(
        ReportTooEarly,
      )
      expect(() => decide([queued, assigned, started], { ...output(2), sequence: 3, attempt: 1 })).toThrow(
        ReportTooEarly,
      )
      expect(() =>
        decide([queued, assigned, started, output1], { ...finish('success'), sequence: 4, attempt: 1 }),
      ).toThrow(ReportTooEarly)
    })
    it('drops a report already applied, even when its content differs', () => {
      spec([queued, assigned, started, output1])
        .when({ ...output(7), sequence: 2, attempt: 1 })
        .then([])
      spec([queued, assigned, started])
        .when({ ...start, sequence: 1, attempt: 1 })
        .then([])
    })
    it('drops every report of an ended job, early or not', () => {
      spec([queued, assigned, started, leaseExpired])
        .when({ ...finish('success'), sequence: 5, attempt: 1 })
        .then([])
      spec([queued, assigned, cancelRequested, canceled])
        .when({ ...finish('canceled'), sequence: 3, attempt: 1 })
        .then([])
    })
    it('drops a report of another attempt', () => {
      spec([queued, assigned])
        .when({ ...start, sequence: 1, attempt: 2 })
        .then([])
    })
    it('applies an unnumbered report whatever came before (a bot that restarted)', () => {
      spec([queued, assigned, started])
        .when({ ...finish('error'), sequence: 0, attempt: 1 })
        .then([
          {
            $case: 'finished',
            value: {
              lifecycle: 'terminated',
              state: 'error',
              outcome: JobState.JOB_STATE_ERROR,
              result,
              output: ['done'],
            },
          },
        ])
    })
  })

  describe('state', () => {
    const fold = (events: JobDomainEvent[]) => events.reduce(jobDecider.evolve, jobDecider.initialState())
    it('follows the lifecycle of the contract', () => {
      expect(fold([queued])).toMatchObject({ lifecycle: 'ready', state: 'in_progress' })
      expect(fold([queued, assigned])).toMatchObject({
        lifecycle: 'assigned',
        state: 'in_progress',
        botId: bot,
      })
      expect(fold([queued, assigned, started])).toMatchObject({ lifecycle: 'assigned', state: 'in_progress' })
      expect(fold([queued, assigned, started, finished])).toMatchObject({
        lifecycle: 'finished',
        state: 'success',
      })
      expect(fold([queued, canceled])).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })
      expect(fold([queued, assigned, started, cancelRequested])).toMatchObject({
        lifecycle: 'assigned',
        state: 'in_progress',
        cancelRequested: true,
      })
      expect(fold([queued, assigned, started, leaseExpired])).toMatchObject({
        lifecycle: 'terminated',
        state: 'error',
      })
      const onHold = { ...queued, value: { ...queued.value, holdUntil: now } } as JobDomainEvent
      expect(fold([onHold])).toMatchObject({ lifecycle: 'onhold' })
    })
  })
})
