import { JobLifecycle, JobResult, JobSpec, JobState } from '@taskforge/proto/jobs/v1/model'
import { describe, expect, it } from 'vitest'
import {
  JobLifecycles,
  JobStates,
  lifecycleCode,
  lifecycleName,
  lifecycleOf,
  stateCode,
  stateName,
} from './job-lifecycle.js'
import { finishedOutcome, type JobDomainEvent, type JobStatus, jobStatusAfter } from './job-status.js'

const spec = JobSpec.fromPartial({ taskId: 'task-1', taskName: 'backup', hostId: 'bot-1' })
const at = new Date(Date.UTC(2026, 0, 1))

/** One event of every case of `jobs.v1.JobEvent`: the compiler refuses this record if a case is missing. */
const EVERY_EVENT: { [K in JobDomainEvent['$case']]: Extract<JobDomainEvent, { $case: K }> } = {
  queued: {
    $case: 'queued',
    value: {
      jobId: 'j1',
      customer: 'acme',
      spec,
      taskArgumentsValues: [],
      origin: 'api',
      holdUntil: undefined,
    },
  },
  assigned: { $case: 'assigned', value: { botId: 'bot-1', attempt: 1, spec, taskArgumentsValues: [] } },
  started: { $case: 'started', value: { botId: 'bot-1', pid: 7, startedAt: at } },
  outputAppended: { $case: 'outputAppended', value: { seq: 0, stream: 'stdout', text: 'hi\n' } },
  finished: {
    $case: 'finished',
    value: {
      lifecycle: 'finished',
      state: 'failure',
      outcome: JobState.JOB_STATE_FAILURE,
      result: JobResult.fromPartial({ code: 1 }),
      output: [],
    },
  },
  canceled: { $case: 'canceled', value: { reason: 'asked' } },
  cancelRequested: { $case: 'cancelRequested', value: { reason: 'asked', botId: 'bot-1', attempt: 1 } },
  leaseExpired: {
    $case: 'leaseExpired',
    value: { botId: 'bot-1', attempt: 1, reason: 'silent', expiredAt: at },
  },
  holdReleased: { $case: 'holdReleased', value: { releasedAt: at } },
  awaitingApproval: {
    $case: 'awaitingApproval',
    value: {
      step: {
        kind: 'approval',
        approvers: ['ops'],
        required: 1,
        expiresAt: at,
        form: [],
        starterId: 't1',
        starterName: 'alice',
        workflowId: 'wf-1',
        workflowName: 'release',
        runId: 'run-1',
        node: 'approve',
      },
    },
  },
  stepVoted: {
    $case: 'stepVoted',
    value: { voterId: 't2', voterName: 'bob', vote: 'approve', comment: '', answers: {} },
  },
}

const onhold: JobStatus = { lifecycle: 'onhold', state: 'in_progress', started: false }
const ready: JobStatus = { lifecycle: 'ready', state: 'in_progress', started: false }
const assigned: JobStatus = { lifecycle: 'assigned', state: 'in_progress', started: false }
const running: JobStatus = { lifecycle: 'assigned', state: 'in_progress', started: true }

/** What each event makes of a job assigned to a bot that started it. */
const FROM_RUNNING: Record<JobDomainEvent['$case'], JobStatus> = {
  queued: running,
  assigned: assigned,
  started: running,
  outputAppended: running,
  finished: { lifecycle: 'finished', state: 'failure', started: true },
  canceled: { lifecycle: 'canceled', state: 'canceled', started: true },
  cancelRequested: running,
  leaseExpired: { lifecycle: 'terminated', state: 'error', started: true },
  holdReleased: running,
  awaitingApproval: running,
  stepVoted: running,
}

describe('jobStatusAfter', () => {
  it('starts a job ready, or on hold when it has a grace time', () => {
    expect(jobStatusAfter(undefined, EVERY_EVENT.queued)).toEqual(ready)
    const held = { ...EVERY_EVENT.queued, value: { ...EVERY_EVENT.queued.value, holdUntil: at } }
    expect(jobStatusAfter(undefined, held)).toEqual(onhold)
  })

  it('has a workflow step wait for people from its queueing on, until it is decided', () => {
    const waiting = jobStatusAfter(ready, EVERY_EVENT.awaitingApproval)
    expect(waiting).toEqual({ lifecycle: 'waiting', state: 'in_progress', started: false })
    expect(jobStatusAfter(waiting, EVERY_EVENT.stepVoted)).toEqual(waiting)
    expect(jobStatusAfter(waiting, EVERY_EVENT.finished)).toMatchObject({ lifecycle: 'finished' })
    expect(jobStatusAfter(waiting, EVERY_EVENT.canceled)).toMatchObject({ lifecycle: 'canceled' })
  })

  it('knows nothing of a job before it is queued, whatever the event', () => {
    for (const event of Object.values(EVERY_EVENT).filter((e) => e.$case !== 'queued')) {
      expect(jobStatusAfter(undefined, event), event.$case).toBeUndefined()
    }
  })

  it('folds every event type of a running job', () => {
    for (const event of Object.values(EVERY_EVENT)) {
      expect(jobStatusAfter(running, event), event.$case).toEqual(FROM_RUNNING[event.$case])
    }
  })

  it('releases a held job to ready and leaves a job not on hold where it is', () => {
    expect(jobStatusAfter(onhold, EVERY_EVENT.holdReleased)).toEqual(ready)
    expect(jobStatusAfter(assigned, EVERY_EVENT.holdReleased)).toEqual(assigned)
    expect(jobStatusAfter(onhold, EVERY_EVENT.canceled)).toMatchObject({ lifecycle: 'canceled' })
  })

  it('starts every attempt afresh: a new assignment is not started', () => {
    expect(jobStatusAfter(ready, EVERY_EVENT.assigned)).toEqual(assigned)
    expect(jobStatusAfter(assigned, EVERY_EVENT.started)).toEqual(running)
  })

  it('keeps an ended job as it ended, whatever comes after', () => {
    for (const ended of [
      FROM_RUNNING.finished,
      FROM_RUNNING.canceled,
      FROM_RUNNING.leaseExpired,
    ] satisfies JobStatus[]) {
      for (const event of Object.values(EVERY_EVENT)) expect(jobStatusAfter(ended, event)).toBe(ended)
    }
  })

  it('ends each outcome in its lifecycle', () => {
    const ends = (outcome: JobState) =>
      jobStatusAfter(running, {
        $case: 'finished',
        value: { ...EVERY_EVENT.finished.value, lifecycle: '', state: '', outcome },
      })
    expect(ends(JobState.JOB_STATE_SUCCESS)).toMatchObject({ lifecycle: 'finished', state: 'success' })
    expect(ends(JobState.JOB_STATE_FAILURE)).toMatchObject({ lifecycle: 'finished', state: 'failure' })
    expect(ends(JobState.JOB_STATE_TIMEOUT)).toMatchObject({ lifecycle: 'terminated', state: 'timeout' })
    expect(ends(JobState.JOB_STATE_ERROR)).toMatchObject({ lifecycle: 'terminated', state: 'error' })
    expect(ends(JobState.JOB_STATE_CANCELED)).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })
  })
})

describe('finishedOutcome', () => {
  it('reads the enum, the string of an event written before it, and calls anything else an error', () => {
    expect(finishedOutcome({ outcome: JobState.JOB_STATE_TIMEOUT, state: 'success' })).toBe('timeout')
    expect(finishedOutcome({ outcome: JobState.JOB_STATE_UNSPECIFIED, state: 'success' })).toBe('success')
    expect(finishedOutcome({ outcome: JobState.JOB_STATE_UNSPECIFIED, state: 'exploded' })).toBe('error')
    expect(finishedOutcome({ outcome: JobState.JOB_STATE_IN_PROGRESS, state: '' })).toBe('error')
  })
})

describe('lifecycle and state names', () => {
  it('names every enum value, and maps each name back to it', () => {
    const lifecycles = Object.values(JobLifecycle).filter(
      (code) => code > JobLifecycle.JOB_LIFECYCLE_UNSPECIFIED,
    ) as JobLifecycle[]
    expect(lifecycles.map((code) => lifecycleName(code, '?'))).toEqual([...JobLifecycles])
    for (const name of JobLifecycles) expect(lifecycleName(lifecycleCode(name), '?')).toBe(name)
    const states = Object.values(JobState).filter(
      (code) => code > JobState.JOB_STATE_UNSPECIFIED,
    ) as JobState[]
    expect(states.map((code) => stateName(code, '?'))).toEqual([...JobStates])
    for (const name of JobStates) expect(stateName(stateCode(name), '?')).toBe(name)
  })

  it('keeps the string of a message older than the enum', () => {
    expect(lifecycleCode('unheard-of')).toBe(JobLifecycle.JOB_LIFECYCLE_UNSPECIFIED)
    expect(lifecycleName(JobLifecycle.JOB_LIFECYCLE_UNSPECIFIED, 'ready')).toBe('ready')
    expect(stateName(JobState.JOB_STATE_UNSPECIFIED, 'success')).toBe('success')
    expect(lifecycleOf('timeout')).toBe('terminated')
  })
})
