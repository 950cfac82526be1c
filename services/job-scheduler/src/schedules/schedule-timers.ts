import { isTransientFailure } from '@taskforge/core'
import { claimDueRows, msUntilNextDue } from '../timers/due-timer-table.js'
import {
  type DueTimerSkip,
  type DueTimerSource,
  DueTimers,
  type DueTimersOptions,
  type FireReport,
  NOTHING_DUE,
} from '../timers/due-timers.js'
import { type FireRecord, planDueFires } from './schedule-decider.js'
import {
  carryOut,
  readSchedules,
  reportFires,
  runningJobs,
  type ScheduleDeps,
  tasksToRun,
  timerDueAt,
  timerRow,
} from './schedule-firing.js'
import { SCHEDULE_TIMERS, type ScheduleTimersTable, setScheduleTimers } from './schedule-tables.js'

/** Schedules one transaction fires at most by default. */
export const DEFAULT_SCHEDULE_BURST = 64
/** Schedules one transaction fires at most, whatever the setting (the catalog reads 1,000 tasks at once). */
export const MAX_SCHEDULE_BURST = 1000

export interface ScheduleTimersOptions extends ScheduleDeps, DueTimersOptions {
  /** Due schedules claimed and fired together, in one transaction (default {@link DEFAULT_SCHEDULE_BURST}). */
  burst?: number
}

/**
 * Fires the schedules that are due, on the one loop of due timers ({@link DueTimers}), a burst at a
 * time: up to `burst` due schedules are claimed with their timer rows (`FOR UPDATE SKIP LOCKED`, in
 * turns by organization), so replicas share the work; in that one transaction their streams are read
 * (one query), the jobs their previous fires started are looked up (one query), every fire is decided
 * ({@link planDueFires}, on the database's clock), carried out ({@link carryOut}: one catalog read,
 * one batch of job commands, one insert of fire rows, one append of `fired` events) and the timers
 * moved to their next fires. A replica killed half-way commits nothing; another fires them.
 *
 * A burst that fails for a reason other than the infrastructure is fired again one schedule per
 * transaction: the schedule at fault fails alone (and is tried again after the round's pause), the
 * others of its burst fire.
 */
export class ScheduleTimers extends DueTimers {
  constructor(options: ScheduleTimersOptions) {
    super(scheduleTimerSource(options), options)
  }
}

function scheduleTimerSource(options: ScheduleTimersOptions): DueTimerSource {
  const { store, logger } = options
  const burst = Math.min(Math.max(Math.trunc(options.burst ?? DEFAULT_SCHEDULE_BURST), 1), MAX_SCHEDULE_BURST)

  /** Fires a burst (or, with `only`, that schedule alone) in one transaction; undefined when none is due. */
  async function fire(
    at: Date | undefined,
    skip: DueTimerSkip,
    claimed: string[],
    only?: string,
  ): Promise<string[] | undefined> {
    const done = await store.transaction(async (trx) => {
      const timers = await claimDueRows<ScheduleTimersTable>(
        trx,
        SCHEDULE_TIMERS,
        at,
        skip,
        only === undefined ? burst : 1,
        only,
      )
      if (timers.length === 0) return undefined
      claimed.push(...timers.map((timer) => timer.schedule_id))
      const now = timers[0]!.claimed_at
      // The catalog answers while the streams are read: its round trip is off the burst's path. (A
      // timer row names its schedule's task, which never changes.)
      const tasks = tasksToRun(
        options.catalog,
        timers.map((timer) => ({ customer: timer.customer, taskId: timer.task_id })),
      )
      // Awaited below, unless reading the streams fails first: that failure is the one told.
      tasks.catch(() => undefined)
      const states = await readSchedules(
        store,
        timers.map((timer) => timer.schedule_id),
        trx,
      )
      const schedules = timers.map((timer) => states.get(timer.schedule_id)!)
      const running = await runningJobs(
        trx,
        schedules.map((state) => state.fire.lastJobId),
      )
      const carried = await carryOut(
        options,
        trx,
        schedules.map((state) => ({
          state,
          plan: planDueFires(state, now, running.has(state.fire.lastJobId)),
        })),
        now,
        'schedule',
        tasks,
      )
      // Nothing was due (a buffered fire still waits, or the timer was stale): re-arm or disarm.
      const idle: ScheduleTimersTable[] = []
      carried.forEach(({ result }, index) => {
        if (result !== undefined) return
        const state = schedules[index]!
        const due = timerDueAt(state)
        idle.push(timerRow(state, due !== undefined && due > now ? due : undefined))
      })
      await setScheduleTimers(trx, idle)
      return {
        records: carried.flatMap(({ records }): FireRecord[] => records),
        customers: timers.map((timer) => timer.customer),
      }
    })
    if (done === undefined) return undefined
    reportFires(options, done.records)
    return done.customers
  }

  return {
    name: 'schedule timers',
    msUntilNext: () => msUntilNextDue(store.db, SCHEDULE_TIMERS),
    async fireDue(at, skip): Promise<FireReport> {
      const claimed: string[] = []
      try {
        const customers = await fire(at, skip, claimed)
        return customers === undefined
          ? NOTHING_DUE
          : { fired: customers, failed: [], full: customers.length === burst }
      } catch (error) {
        if (claimed.length === 0) throw error
        if (claimed.length === 1 || isTransientFailure(error)) {
          logger.error({ err: error, scheduleIds: claimed }, 'schedules not fired; will retry')
          return {
            fired: [],
            failed: claimed.map((key) => ({ key, retry: true })),
            full: claimed.length === burst,
          }
        }
        logger.warn({ err: error, scheduleIds: claimed }, 'burst of schedules not fired; firing each alone')
        const report: FireReport = { fired: [], failed: [], full: claimed.length === burst }
        for (const scheduleId of claimed) {
          try {
            report.fired.push(...((await fire(at, skip, [], scheduleId)) ?? []))
          } catch (alone) {
            logger.error({ err: alone, scheduleId }, 'schedule not fired; will retry')
            report.failed.push({ key: scheduleId, retry: true })
          }
        }
        return report
      }
    },
  }
}
