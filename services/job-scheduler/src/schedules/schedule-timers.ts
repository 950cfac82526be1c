import { claimDueRow, msUntilNextDue } from '../timers/due-timer-table.js'
import {
  type DueTimerSource,
  DueTimers,
  type DueTimersOptions,
  type FireOutcome,
} from '../timers/due-timers.js'
import { planDueFires } from './schedule-decider.js'
import {
  carryOut,
  jobRunning,
  readSchedule,
  reportFires,
  type ScheduleDeps,
  timerDueAt,
  timerRow,
} from './schedule-firing.js'
import { SCHEDULE_TIMERS, type ScheduleTimersTable, setScheduleTimer } from './schedule-tables.js'

export interface ScheduleTimersOptions extends ScheduleDeps, DueTimersOptions {}

/**
 * Fires the schedules that are due, on the one loop of due timers ({@link DueTimers}). Each due
 * schedule is claimed with its timer row (`FOR UPDATE SKIP LOCKED`), so replicas share the work; in
 * that one transaction its stream is read, the fire is decided ({@link planDueFires}, on the
 * database's clock), its job queued, the fire recorded (a row keyed by the scheduled time, and a
 * `fired` event appended at the version read) and the timer moved to the next fire. A replica killed
 * half-way commits nothing; another fires it.
 */
export class ScheduleTimers extends DueTimers {
  constructor(options: ScheduleTimersOptions) {
    super(scheduleTimerSource(options), options)
  }
}

function scheduleTimerSource(options: ScheduleTimersOptions): DueTimerSource {
  const { store, logger } = options
  return {
    name: 'schedule timers',
    msUntilNext: () => msUntilNextDue(store.db, SCHEDULE_TIMERS),
    async fireOne(at, skip): Promise<FireOutcome> {
      let scheduleId: string | undefined
      try {
        const done = await store.transaction(async (trx) => {
          const timer = await claimDueRow<ScheduleTimersTable>(trx, SCHEDULE_TIMERS, at, skip)
          if (timer === undefined) return undefined
          scheduleId = timer.schedule_id
          const now = timer.claimed_at
          const state = await readSchedule(store, timer.schedule_id, trx)
          const plan = planDueFires(state, now, await jobRunning(trx, state.fire.lastJobId))
          const { records, result } = await carryOut(options, trx, state, plan, now, 'schedule')
          if (result === undefined) {
            // Nothing was due (a buffered fire still waits, or the timer was stale): re-arm or disarm.
            const due = timerDueAt(state)
            await setScheduleTimer(trx, timerRow(state, due !== undefined && due > now ? due : undefined))
          }
          return { records, now, customer: timer.customer }
        })
        if (done === undefined) return { outcome: 'none' }
        reportFires(options, done.records)
        return { outcome: 'fired', customer: done.customer }
      } catch (error) {
        if (scheduleId === undefined) throw error
        logger.error({ err: error, scheduleId }, 'schedule not fired; will retry')
        return { outcome: 'failed', key: scheduleId, retry: true }
      }
    },
  }
}
