import { ScheduleEvent, ScheduleSpec } from '@taskforge/proto/jobs/v1/schedules'
import { describe, expect, it } from 'vitest'
import { filterMatches, validateEventFilter } from './event-names.js'
import { type MappedEvent, mapEvent } from './public-events.js'
import type { PublicObject } from './public-objects.js'

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second))

const schedule = (version: number, event: NonNullable<ScheduleEvent['event']>) => ({
  eventId: `s1-${version}`,
  streamType: 'schedule',
  streamId: 's1',
  streamVersion: version,
  type: event.$case,
  customer: 'acme',
  author: 'admin',
  occurredAt: at(version),
  data: ScheduleEvent.encode({ event }).finish(),
})

function fold(events: ReturnType<typeof schedule>[]): MappedEvent[] {
  let object: PublicObject | undefined
  return events.map((event) => {
    const mapped = mapEvent(event, object)
    object = mapped.object
    return mapped
  })
}

const fired = (outcome: string, jobId: string, reason = '') => ({
  scheduledFor: at(60),
  outcome,
  jobId,
  reason,
  kind: 'schedule',
  firedAt: at(60),
  runs: 1,
  lastJobId: jobId,
  bufferedFor: undefined,
  nextFireAt: at(120),
  lastScheduledFor: at(60),
})

describe('public events of schedules', () => {
  it('announces creation, changes, each fire with its outcome, the error state and deletion', () => {
    const spec = ScheduleSpec.fromPartial({
      cron: '* * * * *',
      timezone: 'Europe/Berlin',
      enabled: true,
      overlap: 'skip',
    })
    const mapped = fold([
      schedule(1, {
        $case: 'created',
        value: {
          scheduleId: 's1',
          customer: 'acme',
          taskId: 't1',
          spec,
          createdAt: at(1),
          nextFireAt: at(60),
        },
      }),
      schedule(2, {
        $case: 'updated',
        value: {
          spec: { ...spec, enabled: false },
          updatedAt: at(2),
          nextFireAt: undefined,
          changed: ['enabled'],
        },
      }),
      schedule(3, { $case: 'fired', value: fired('started', 'j1') }),
      schedule(4, { $case: 'fired', value: fired('', '') }),
      schedule(5, { $case: 'failed', value: { reason: 'task t1 is gone', failedAt: at(5) } }),
      schedule(6, { $case: 'deleted', value: { deletedAt: at(6) } }),
    ])
    expect(mapped.map((event) => event.publicEvent?.name)).toEqual([
      'schedule.create',
      'schedule.update',
      'schedule.fire',
      undefined,
      'schedule.error',
      'schedule.delete',
    ])
    expect(mapped[0]!.publicEvent!.data).toMatchObject({
      schedule_id: 's1',
      task_id: 't1',
      schedule: { cron: '* * * * *', timezone: 'Europe/Berlin', enabled: true },
    })
    expect(mapped[1]!.publicEvent!.data).toMatchObject({ changes: ['enabled'], schedule: { enabled: false } })
    expect(mapped[2]!.publicEvent!.data).toMatchObject({
      scheduled_for: '2026-01-01T00:01:00.000Z',
      outcome: 'started',
      kind: 'schedule',
      job_id: 'j1',
    })
    expect(mapped[4]!.publicEvent!.data).toMatchObject({ reason: 'task t1 is gone' })
    expect(mapped[5]!.deleted).toBe(true)
  })

  it('lets a subscription ask for schedule.* or one of them', () => {
    expect(validateEventFilter(['schedule.*', 'schedule.fire'])).toEqual(['schedule.*', 'schedule.fire'])
    expect(filterMatches(['schedule.*'], 'schedule.error')).toBe(true)
    expect(filterMatches(['job.*'], 'schedule.fire')).toBe(false)
  })
})
