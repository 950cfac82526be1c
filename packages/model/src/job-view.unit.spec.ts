import { JobResult, JobSpec, JobState } from '@taskforge/proto/jobs/v1/model'
import { describe, expect, it } from 'vitest'
import { toProtoJob } from './job-message.js'
import type { JobDomainEvent } from './job-status.js'
import { applyJobEvent, type JobView, VIEW_LOG_BYTES } from './job-view.js'
import { publicJob, publicJobOfView } from './public-job.js'

const jobId = '01900000-0000-7000-8000-0000000000a1'
const spec = JobSpec.fromPartial({ taskId: 'task-1', taskName: 'backup', hostId: 'bot-1' })
const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s))
const queued: JobDomainEvent = {
  $case: 'queued',
  value: { jobId, customer: 'acme', spec, taskArgumentsValues: ['x'], origin: 'api', holdUntil: undefined },
}

/** The bot's report of a run that succeeded. */
const succeeded = (result: JobResult, output: string[]): JobDomainEvent => ({
  $case: 'finished',
  value: { lifecycle: 'finished', state: 'success', outcome: JobState.JOB_STATE_SUCCESS, result, output },
})

function replay(events: JobDomainEvent[]): JobView | undefined {
  return events.reduce<JobView | undefined>(
    (view, event, i) =>
      applyJobEvent(view, event, { jobId, version: i + 1, occurredAt: t(i), author: 'ops' }),
    undefined,
  )
}

describe('applyJobEvent', () => {
  it('creates the view from the queued event', () => {
    expect(replay([queued])).toEqual({
      id: jobId,
      customer: 'acme',
      taskId: 'task-1',
      name: 'backup',
      hostId: 'bot-1',
      lifecycle: 'ready',
      state: 'in_progress',
      taskArgumentsValues: ['x'],
      output: [],
      result: null,
      origin: 'api',
      creationDate: t(0),
      lastUpdate: t(0),
      version: 1,
      author: 'ops',
    })
  })

  it('keeps the schedule that started a job and the time it was scheduled for, through to the public job', () => {
    const fired: JobDomainEvent = {
      $case: 'queued',
      value: { ...queued.value, origin: 'schedule', scheduleId: 'sched-1', scheduledFor: t(30) },
    } as JobDomainEvent
    const view = replay([fired, { $case: 'started', value: { botId: 'bot-1', pid: 1, startedAt: t(2) } }])
    expect(view).toMatchObject({ origin: 'schedule', scheduleId: 'sched-1', scheduledFor: t(30), version: 2 })
    const message = toProtoJob(view!)
    expect(message).toMatchObject({ scheduleId: 'sched-1', scheduledFor: t(30) })
    expect(publicJob(message)).toMatchObject({
      origin: 'schedule',
      schedule_id: 'sched-1',
      scheduled_for: t(30).toISOString(),
    })
  })

  it('shows no schedule fields for a job no schedule started', () => {
    const shown = publicJobOfView(replay([queued])!)
    expect(shown).not.toHaveProperty('schedule_id')
    expect(shown).not.toHaveProperty('scheduled_for')
    expect(toProtoJob(replay([queued])!).scheduleId).toBeUndefined()
  })

  it('follows a run to its end, keeping the live log until the result replaces it', () => {
    const view = replay([
      queued,
      { $case: 'assigned', value: { botId: 'bot-1', attempt: 1, spec, taskArgumentsValues: ['x'] } },
      { $case: 'started', value: { botId: 'bot-1', pid: 1, startedAt: t(2) } },
      { $case: 'outputAppended', value: { seq: 0, stream: 'stdout', text: 'one\ntwo\n' } },
    ])
    expect(view).toMatchObject({ lifecycle: 'assigned', state: 'in_progress', version: 4, lastUpdate: t(3) })
    expect(view?.result).toMatchObject({ log: 'one\ntwo\n', lastline: 'two' })

    const finished = applyJobEvent(view, succeeded(JobResult.fromPartial({ code: 0 }), ['{"ok":true}']), {
      jobId,
      version: 5,
      occurredAt: t(9),
      author: 'bot-1',
    })
    expect(finished).toMatchObject({ lifecycle: 'finished', state: 'success', output: ['{"ok":true}'] })
    expect(finished?.result).toMatchObject({ code: 0, log: 'one\ntwo\n', lastline: 'two' })
    expect(finished?.author).toBe('ops')
  })

  it('keeps the log the chunks made when the finished report carries only its end (abridged)', () => {
    const view = replay([
      queued,
      { $case: 'assigned', value: { botId: 'bot-1', attempt: 1, spec, taskArgumentsValues: ['x'] } },
      { $case: 'started', value: { botId: 'bot-1', pid: 1, startedAt: t(2) } },
      {
        $case: 'outputAppended',
        value: { seq: 1, stream: 'stdout', text: 'one\ntwo\n', data: Buffer.from('one\ntwo\n') },
      },
      succeeded(JobResult.fromPartial({ code: 0, log: 'two\n', lastline: 'two', abridged: true }), ['one']),
    ])
    expect(view?.result).toMatchObject({ log: 'one\ntwo\n', lastline: 'two', abridged: true })
    expect(toProtoJob(view!).result?.abridged).toBe(true)
  })

  it('keeps the end of a long log, whole characters, and says it is abridged', () => {
    const running = [
      queued,
      { $case: 'assigned', value: { botId: 'bot-1', attempt: 1, spec, taskArgumentsValues: ['x'] } },
      { $case: 'started', value: { botId: 'bot-1', pid: 1, startedAt: t(2) } },
    ] satisfies JobDomainEvent[]
    const short = replay([
      ...running,
      { $case: 'outputAppended', value: { seq: 1, stream: 'stdout', text: 'hi\n' } },
    ])
    expect(short?.result).toMatchObject({ log: 'hi\n' })
    expect(short?.result).not.toHaveProperty('abridged')
    const long = replay([
      ...running,
      { $case: 'outputAppended', value: { seq: 1, stream: 'stdout', text: '🚀'.repeat(VIEW_LOG_BYTES / 4) } },
      { $case: 'outputAppended', value: { seq: 2, stream: 'stdout', text: '\ntail\n' } },
      succeeded(JobResult.fromPartial({ code: 0 }), []),
    ])
    expect(long?.result).toMatchObject({
      log: `${'🚀'.repeat(VIEW_LOG_BYTES / 4 - 2)}\ntail\n`,
      abridged: true,
      lastline: 'tail',
    })
  })

  it('marks a canceled job', () => {
    expect(replay([queued, { $case: 'canceled', value: { reason: 'no' } }])).toMatchObject({
      lifecycle: 'canceled',
      state: 'canceled',
    })
  })

  it('keeps a job asked to stop running until its bot reports, and ends one whose lease expired', () => {
    const running = [
      queued,
      { $case: 'assigned', value: { botId: 'bot-1', attempt: 1, spec, taskArgumentsValues: ['x'] } },
      { $case: 'started', value: { botId: 'bot-1', pid: 1, startedAt: t(2) } },
      { $case: 'outputAppended', value: { seq: 1, stream: 'stdout', text: 'half way\n' } },
    ] satisfies JobDomainEvent[]
    const asked = replay([
      ...running,
      { $case: 'cancelRequested', value: { reason: 'stop', botId: 'bot-1', attempt: 1 } },
    ])
    expect(asked).toMatchObject({ lifecycle: 'assigned', state: 'in_progress', version: 5 })
    const expired = replay([
      ...running,
      {
        $case: 'leaseExpired',
        value: { botId: 'bot-1', attempt: 1, reason: 'bot bot-1 gave no sign of life', expiredAt: t(9) },
      },
    ])
    expect(expired).toMatchObject({ lifecycle: 'terminated', state: 'error' })
    expect(expired?.result).toMatchObject({
      log: 'half way\n',
      lastline: 'half way',
      reason: 'bot bot-1 gave no sign of life',
    })
  })

  it('ignores events of a job it never saw queued', () => {
    expect(replay([{ $case: 'canceled', value: { reason: 'no' } }])).toBeUndefined()
  })
})

describe('toProtoJob', () => {
  it('leaves the result out until there is one and keeps a null exit code absent', () => {
    const view = replay([queued])!
    expect(toProtoJob(view).result).toBeUndefined()
    const withResult = toProtoJob({
      ...view,
      result: {
        code: null,
        signal: 'SIGKILL',
        killed: true,
        log: '',
        lastline: '',
        truncatedBytes: 3,
        reason: '',
      },
    })
    expect(withResult.result?.code).toBeUndefined()
    expect(withResult.result?.truncatedBytes).toBe(3n)
    expect(
      toProtoJob({ ...view, result: { ...withResult.result!, code: 0, truncatedBytes: 0 } }).result?.code,
    ).toBe(0)
  })
})
