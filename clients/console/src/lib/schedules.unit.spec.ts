import { describe, expect, it, vi } from 'vitest'
import { argumentsOf, definitionsOf } from './run-form.js'
import {
  bodyOf,
  coalesced,
  draftOf,
  draftProblems,
  fieldsWithValues,
  fireOfEvent,
  instantOf,
  inZone,
  isTimeZone,
  localInput,
  type Schedule,
  timeZones,
} from './schedules.js'

const schedule: Schedule = {
  id: 's1',
  customer: 'acme',
  task_id: 't1',
  cron: '*/5 * * * *',
  timezone: 'Europe/Berlin',
  task_arguments: ['prod', '{"n":1}'],
  start_at: '2026-12-01T08:00:00.000Z',
  end_at: null,
  max_runs: 3,
  jitter: 10,
  overlap: 'buffer_one',
  catchup_window: 60,
  enabled: true,
  note: 'nightly',
  state: 'active',
  runs: 0,
}

describe('schedule form', () => {
  it('edits a schedule as it is and sends back the same fields', () => {
    const draft = draftOf(schedule)
    expect(draftProblems(draft)).toEqual({})
    expect(bodyOf(draft, schedule.task_arguments ?? [])).toEqual({
      cron: '*/5 * * * *',
      timezone: 'Europe/Berlin',
      task_arguments: ['prod', '{"n":1}'],
      start_at: '2026-12-01T08:00:00.000Z',
      end_at: null,
      max_runs: 3,
      jitter: 10,
      overlap: 'buffer_one',
      catchup_window: 60,
      note: 'nightly',
    })
  })

  it('starts a new schedule in UTC with the server defaults', () => {
    const draft = draftOf()
    expect(draft).toMatchObject({ timezone: 'UTC', overlap: 'skip', catchup_window: '300', max_runs: '0' })
    expect(draftProblems(draft)).toEqual({ cron: 'Cron is required' })
  })

  it('names what is wrong before anything is sent', () => {
    const problems = draftProblems({
      ...draftOf(),
      cron: '* * *',
      timezone: 'Mars/Olympus',
      jitter: '4000',
      catchup_window: '-1',
      max_runs: 'many',
      start_at: '2026-12-02T10:00',
      end_at: '2026-12-01T10:00',
    })
    expect(problems).toEqual({
      cron: expect.stringContaining('not 3'),
      timezone: expect.stringContaining('Mars/Olympus is not an IANA time zone'),
      jitter: 'Jitter must be at most 3600',
      catchup_window: 'Catch-up window must be a whole number',
      max_runs: 'Max runs must be a whole number',
      end_at: 'End must be after start',
    })
    expect(draftProblems({ ...draftOf(), cron: '*/1 * * * * *' }).cron).toBeUndefined()
  })

  it('knows IANA zones and suggests them, UTC first', () => {
    expect(isTimeZone('America/New_York')).toBe(true)
    expect(isTimeZone('UTC')).toBe(true)
    expect(isTimeZone('Nowhere/City')).toBe(false)
    expect(isTimeZone('')).toBe(false)
    const zones = timeZones()
    expect(zones[0]).toBe('UTC')
    expect(zones).toContain('Europe/Berlin')
    expect(zones.filter((zone) => zone === 'UTC')).toHaveLength(1)
  })

  it("shows fire times on the schedule's own wall clock, across a daylight-saving change", () => {
    // 30 2 * * * in Europe/Berlin on the spring change fires at 03:00 CEST (docs/schedules.md).
    expect(inZone('2026-03-29T01:00:00.000Z', 'Europe/Berlin')).toBe('2026-03-29 03:00:00 GMT+2')
    expect(inZone('2026-03-28T01:30:00.000Z', 'Europe/Berlin')).toBe('2026-03-28 02:30:00 GMT+1')
    expect(inZone('2026-03-08T07:00:00.000Z', 'America/New_York')).toBe('2026-03-08 03:00:00 EDT')
    expect(inZone('2026-03-08T07:00:00.000Z', 'UTC')).toBe('2026-03-08 07:00:00 UTC')
    expect(inZone('2026-03-08T07:00:00.000Z', 'Nowhere/City')).toBe('2026-03-08T07:00:00.000Z')
  })

  it('turns instants into local input values and back', () => {
    const local = localInput('2026-12-01T08:00:00.000Z')
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/)
    expect(instantOf(local)).toBe('2026-12-01T08:00:00.000Z')
    expect(localInput(null)).toBe('')
    expect(instantOf('')).toBeNull()
  })

  it("fills the run form's fields from a schedule's values, fixed arguments skipped", () => {
    const definitions = definitionsOf([
      { order: 0, type: 'fixed', label: 'mode', value: '--loud' },
      { order: 1, type: 'select', label: 'env', options: ['dev', 'prod'], required: true },
      { order: 2, type: 'json', label: 'extra' },
      { order: 3, type: 'input', label: 'who' },
    ])
    const fields = fieldsWithValues(definitions, ['prod', '{"n":1}'])
    expect(fields.map((f) => [f.definition.label, f.fixed, f.value])).toEqual([
      ['mode', true, '--loud'],
      ['env', false, 'prod'],
      ['extra', false, '{"n":1}'],
      ['who', false, ''],
    ])
    expect(argumentsOf(fields)).toEqual(['prod', '{"n":1}', ''])
  })
})

describe('schedule pages, live', () => {
  it('runs a reload once at a time, and once more for the calls that came meanwhile', async () => {
    let runs = 0
    let release: () => void = () => {}
    const reload = coalesced(async () => {
      runs++
      await new Promise<void>((resolve) => {
        release = resolve
      })
    })
    reload()
    reload()
    reload()
    expect(runs).toBe(1)
    release()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(runs).toBe(2)
    release()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(runs).toBe(2)
  })

  it('reads once more a while after the last call, as the read model may lag the event', async () => {
    vi.useFakeTimers()
    try {
      let runs = 0
      const reload = coalesced(async () => {
        runs++
      }, 1000)
      reload()
      await vi.advanceTimersByTimeAsync(500)
      reload()
      await vi.advanceTimersByTimeAsync(0)
      expect(runs).toBe(2)
      await vi.advanceTimersByTimeAsync(900)
      expect(runs).toBe(2)
      await vi.advanceTimersByTimeAsync(100)
      expect(runs).toBe(3)
      await vi.advanceTimersByTimeAsync(5000)
      expect(runs).toBe(3)
    } finally {
      vi.useRealTimers()
    }
  })

  it('reads the last fire from a schedule.fired event, and nothing from another', () => {
    expect(
      fireOfEvent({
        type: 'schedule.fired',
        id: 's1',
        outcome: 'started',
        kind: 'trigger',
        scheduled_for: '2026-12-07T10:00:00.000Z',
        job_id: 'j1',
      }),
    ).toEqual({
      schedule_id: 's1',
      scheduled_for: '2026-12-07T10:00:00.000Z',
      outcome: 'started',
      kind: 'trigger',
      job_id: 'j1',
      reason: '',
    })
    expect(fireOfEvent({ type: 'schedule.fired', id: 's1', outcome: 'missed' })?.job_id).toBeNull()
    expect(fireOfEvent({ type: 'schedule.updated', id: 's1' })).toBeUndefined()
  })
})
