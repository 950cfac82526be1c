import { fold, isAppError } from '@taskforge/core'
import type { ScheduleSpec } from '@taskforge/proto/jobs/v1/schedules'
import { describe, expect, it } from 'vitest'
import {
  type FireRecord,
  type PlannedFire,
  planDueFires,
  planManualFires,
  type ScheduleCommand,
  type ScheduleDomainEvent,
  type ScheduleState,
  scheduleDecider,
  scheduleStatus,
} from './schedule-decider.js'

const ID = '0190a000-0000-7000-8000-000000000001'
const T0 = new Date('2026-01-01T00:00:00Z')
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000)

function given(events: ScheduleDomainEvent[]): ScheduleState {
  return fold(scheduleDecider, events)
}

function when(
  state: ScheduleState,
  command: ScheduleCommand,
): { state: ScheduleState; events: ScheduleDomainEvent[] } {
  const events = scheduleDecider.decide(command, state)
  return { state: events.reduce(scheduleDecider.evolve, state), events }
}

/** A schedule created at T0 with `spec` (every minute by default). */
function created(spec: Partial<ScheduleSpec> = {}): ScheduleState {
  return when(scheduleDecider.initialState(), {
    type: 'CreateSchedule',
    scheduleId: ID,
    customer: 'acme',
    taskId: 'task-1',
    spec: { cron: '* * * * *', ...spec } as ScheduleSpec,
    now: T0,
  }).state
}

const actions = (fires: readonly PlannedFire[]) =>
  fires.map(
    (fire) =>
      `${fire.scheduledFor.toISOString().slice(11, 19)} ${fire.action}${fire.cancel ? ' cancel' : ''}`,
  )

/** Records a plan as if every start succeeded with job `job-<n>`. */
function record(
  state: ScheduleState,
  fires: readonly PlannedFire[],
  cursor: Date,
  now: Date,
  bufferedFor?: Date,
) {
  let n = state.fire.runs
  const records: FireRecord[] = fires.map((fire) => ({
    scheduledFor: fire.scheduledFor,
    kind: fire.kind,
    outcome: fire.action === 'start' ? 'started' : fire.action,
    jobId: fire.action === 'start' ? `job-${++n}` : '',
    reason: fire.reason,
  }))
  return when(state, { type: 'RecordFires', fires: records, cursor, bufferedFor, now })
}

describe('schedule decider', () => {
  it('creates a schedule armed for its first fire, with the defaults', () => {
    const state = created()
    expect(state.spec).toMatchObject({
      timezone: 'UTC',
      overlap: 'skip',
      catchupWindowSeconds: 300,
      enabled: true,
    })
    expect(state.fire.nextFireAt).toEqual(at(60))
    expect(scheduleStatus(state)).toBe('active')
  })

  it('refuses a bad cron, zone, overlap, jitter, window or range, naming the field', () => {
    const fieldOf = (spec: Partial<ScheduleSpec>) => {
      try {
        created(spec)
      } catch (error) {
        if (isAppError(error)) return error.details?.field
        throw error
      }
      return undefined
    }
    expect(fieldOf({ cron: 'nope' })).toBe('cron')
    expect(fieldOf({ cron: '' })).toBe('cron')
    expect(fieldOf({ timezone: 'Nowhere/City' })).toBe('timezone')
    expect(fieldOf({ overlap: 'sometimes' })).toBe('overlap')
    expect(fieldOf({ jitterSeconds: 3601 })).toBe('jitter')
    expect(fieldOf({ catchupWindowSeconds: 8 * 24 * 3600 })).toBe('catchup_window')
    expect(fieldOf({ startAt: at(100), endAt: at(50) })).toBe('end_at')
  })

  it('fires a due time once: the plan starts it, and the same time is refused once recorded', () => {
    const state = created()
    const plan = planDueFires(state, at(60), false)
    expect(actions(plan.fires)).toEqual(['00:01:00 start'])
    const after = record(state, plan.fires, plan.cursor, at(60)).state
    expect(after.fire).toMatchObject({ runs: 1, lastJobId: 'job-1', nextFireAt: at(120) })
    expect(planDueFires(after, at(60.5), true).fires).toEqual([])
    // A second replica that decided on the old state cannot record it again.
    expect(() => record(after, plan.fires, plan.cursor, at(60))).toThrow(/already dealt with/)
  })

  it('after downtime within the catch-up window: the latest fires, the others are missed', () => {
    const state = created()
    const plan = planDueFires(state, at(4 * 60 + 10), false)
    expect(actions(plan.fires)).toEqual([
      '00:01:00 missed',
      '00:02:00 missed',
      '00:03:00 missed',
      '00:04:00 start',
    ])
    expect(plan.cursor).toEqual(at(240))
  })

  it('after downtime longer than the window: everything is missed, nothing starts', () => {
    const state = created({ catchupWindowSeconds: 30 })
    const plan = planDueFires(state, at(3 * 60 + 45), false)
    expect(actions(plan.fires)).toEqual(['00:01:00 missed', '00:02:00 missed', '00:03:00 missed'])
    expect(plan.fires.at(-1)!.reason).toMatch(/past the catch-up window of 30 s/)
  })

  it('records at most 100 missed fires one by one and counts the older ones', () => {
    const state = created({ cron: '* * * * * *', catchupWindowSeconds: 10 })
    const plan = planDueFires(state, at(1000), false)
    expect(plan.fires).toHaveLength(101)
    expect(plan.fires.at(-1)).toMatchObject({ scheduledFor: at(1000), action: 'start' })
    expect(plan.fires.at(-1)!.reason).toMatch(/899 earlier missed fire\(s\) not listed/)
  })

  describe('overlap, while the previous job runs', () => {
    const running = (overlap: string) => {
      const state = created({ overlap })
      const first = planDueFires(state, at(60), false)
      return record(state, first.fires, first.cursor, at(60)).state
    }

    it('skip (default) records skipped_overlap', () => {
      expect(actions(planDueFires(running('skip'), at(120), true).fires)).toEqual([
        '00:02:00 skipped_overlap',
      ])
    })

    it('allow_all starts it', () => {
      expect(actions(planDueFires(running('allow_all'), at(120), true).fires)).toEqual(['00:02:00 start'])
    })

    it('cancel_running cancels the running job and starts it', () => {
      const plan = planDueFires(running('cancel_running'), at(120), true)
      expect(plan.fires).toMatchObject([{ action: 'start', cancel: 'job-1' }])
    })

    it('buffer_one keeps one, starts it when the job ended, and a later one replaces it', () => {
      let state = running('buffer_one')
      const buffered = planDueFires(state, at(120), true)
      expect(actions(buffered.fires)).toEqual(['00:02:00 buffered'])
      expect(buffered.bufferedFor).toEqual(at(120))
      state = record(state, buffered.fires, buffered.cursor, at(120), buffered.bufferedFor).state
      expect(planDueFires(state, at(125), true).fires).toEqual([])
      const released = planDueFires(state, at(130), false)
      expect(actions(released.fires)).toEqual(['00:02:00 start'])
      state = record(state, released.fires, released.cursor, at(130), released.bufferedFor).state
      expect(state.fire).toMatchObject({ runs: 2, bufferedFor: undefined })
      const manual = planManualFires(state, [at(140), at(141)], 'trigger', true)
      expect(actions(manual.fires)).toEqual([
        '00:02:20 buffered',
        '00:02:20 skipped_overlap',
        '00:02:21 buffered',
      ])
    })
  })

  it('a paused schedule decides nothing, and its resume never replays what passed', () => {
    const state = created()
    const paused = when(state, {
      type: 'UpdateSchedule',
      customer: 'acme',
      spec: { ...state.spec, enabled: false },
      fields: ['enabled'],
      now: at(30),
    }).state
    expect(scheduleStatus(paused)).toBe('paused')
    expect(paused.fire.nextFireAt).toBeUndefined()
    expect(planDueFires(paused, at(600), false).fires).toEqual([])
    const resumed = when(paused, {
      type: 'UpdateSchedule',
      customer: 'acme',
      spec: { ...paused.spec, enabled: true },
      fields: ['enabled'],
      now: at(630),
    }).state
    expect(resumed.fire.nextFireAt).toEqual(at(660))
    expect(planDueFires(resumed, at(631), false).fires).toEqual([])
    expect(actions(planDueFires(resumed, at(660), false).fires)).toEqual(['00:11:00 start'])
  })

  it('counts edits, not fires, in its revision, and refuses a change decided on another revision', () => {
    let state = created()
    expect(state.revision).toBe(1)
    const plan = planDueFires(state, at(60), false)
    state = record(state, plan.fires, plan.cursor, at(60)).state
    expect(state.revision).toBe(1)
    const change = (expectedRevision: number | undefined, note: string) =>
      when(state, {
        type: 'UpdateSchedule',
        customer: 'acme',
        spec: { ...state.spec, note },
        fields: ['note'],
        now: at(70),
        ...(expectedRevision === undefined ? {} : { expectedRevision }),
      }).state
    state = change(1, 'first')
    expect(state).toMatchObject({ revision: 2, spec: { note: 'first' } })
    let refused: unknown
    try {
      change(1, 'second, on what it saw before the first')
    } catch (error) {
      refused = error
    }
    expect(isAppError(refused) && refused.code).toBe('PRECONDITION_FAILED')
    expect(change(undefined, 'unconditional').revision).toBe(3)
  })

  it('ends after max_runs and after end_at; keeps start_at', () => {
    let state = created({ maxRuns: 1 })
    const plan = planDueFires(state, at(60), false)
    state = record(state, plan.fires, plan.cursor, at(60)).state
    expect(scheduleStatus(state)).toBe('ended')
    expect(state.fire.nextFireAt).toBeUndefined()
    expect(planDueFires(state, at(600), false).fires).toEqual([])

    const bounded = created({ startAt: at(300), endAt: at(400) })
    expect(bounded.fire.nextFireAt).toEqual(at(300))
    expect(actions(planDueFires(bounded, at(100), false).fires)).toEqual([])
    expect(actions(planDueFires(bounded, at(1000), false).fires)).toEqual([
      '00:05:00 missed',
      '00:06:00 missed',
    ])
  })

  it('a fire that found its task gone puts the schedule in error, visibly, with the reason', () => {
    const state = created()
    const { state: failed, events } = when(state, {
      type: 'RecordFires',
      fires: [
        {
          scheduledFor: at(60),
          kind: 'schedule',
          outcome: 'failed_to_start',
          jobId: '',
          reason: 'task task-1 is gone',
        },
      ],
      cursor: at(60),
      bufferedFor: undefined,
      now: at(60),
      failure: 'task task-1 is gone',
    })
    expect(events.map((event) => event.$case)).toEqual(['fired', 'failed'])
    expect(scheduleStatus(failed)).toBe('error')
    expect(failed.error).toBe('task task-1 is gone')
    expect(planDueFires(failed, at(600), false).fires).toEqual([])
  })

  it('a failed start (arguments no longer valid) is recorded and the schedule keeps going', () => {
    const state = created()
    const after = when(state, {
      type: 'RecordFires',
      fires: [
        {
          scheduledFor: at(60),
          kind: 'schedule',
          outcome: 'failed_to_start',
          jobId: '',
          reason: 'bad arguments',
        },
      ],
      cursor: at(60),
      bufferedFor: undefined,
      now: at(60),
    }).state
    expect(scheduleStatus(after)).toBe('active')
    expect(after.fire.nextFireAt).toEqual(at(120))
  })

  it('jitter delays the due time, the same for every replica', () => {
    const state = created({ jitterSeconds: 30 })
    const plan = planDueFires(state, at(60), false)
    expect(plan.fires).toHaveLength(1)
    expect(given([]).exists).toBe(false)
  })
})
