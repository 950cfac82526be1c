import type { Logger } from '@taskforge/telemetry'
import { databaseNow } from '../triggers/hold-timers-table.js'
import { planDueFires } from './schedule-decider.js'
import {
  carryOut,
  jobRunning,
  readSchedule,
  reportFires,
  type ScheduleDeps,
  timerDueAt,
} from './schedule-firing.js'
import { claimDueSchedule, msUntilNextSchedule, setScheduleTimer } from './schedule-tables.js'

export interface ScheduleTimersOptions extends ScheduleDeps {
  logger: Logger
  /** Longest sleep between two looks at the table, for timers another replica set. */
  maxSleepMs: number
  /** Pause before a schedule that failed to fire is tried again. */
  retryMs?: number
}

/**
 * Fires the schedules that are due. Each due schedule is claimed with its timer row (`FOR UPDATE
 * SKIP LOCKED`), so replicas share the work; in that one transaction its stream is read, the fire
 * is decided ({@link planDueFires}, on the database's clock), its job queued, the fire recorded
 * (a row keyed by the scheduled time, and a `fired` event appended at the version read) and the
 * timer moved to the next fire. A replica killed half-way commits nothing; another fires it.
 * Sleeps until the next due time (or `maxSleepMs`); {@link wake} brings the sleep forward.
 */
export class ScheduleTimers {
  readonly #options: ScheduleTimersOptions
  #timer: NodeJS.Timeout | undefined
  #wakeAt = Number.POSITIVE_INFINITY
  #round: Promise<void> | undefined
  #retry = false
  #rerun = false
  #stopped = true

  constructor(options: ScheduleTimersOptions) {
    this.#options = options
  }

  async start(): Promise<void> {
    this.#stopped = false
    this.#run()
    await this.#round
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#round
  }

  /** A schedule due at `dueAt` was armed: look again by then. */
  wake(dueAt: Date): void {
    this.#sleepUntil(dueAt.getTime())
  }

  /** Fires every schedule due at `at` (default: the database's now); answers how many it looked at. */
  async fireDue(at?: Date): Promise<number> {
    const failed: string[] = []
    let fired = 0
    for (;;) {
      const outcome = await this.#fireOne(at, failed)
      if (outcome === 'none') return fired
      if (outcome === 'fired') fired += 1
    }
  }

  async #fireOne(at: Date | undefined, failed: string[]): Promise<'fired' | 'failed' | 'none'> {
    const { store, logger } = this.#options
    let scheduleId: string | undefined
    try {
      const done = await store.transaction(async (trx) => {
        const timer = await claimDueSchedule(trx, at, failed)
        if (timer === undefined) return undefined
        scheduleId = timer.schedule_id
        const now = at ?? (await databaseNow(trx))
        const state = await readSchedule(store, timer.schedule_id, trx)
        const plan = planDueFires(state, now, await jobRunning(trx, state.fire.lastJobId))
        const { records, result } = await carryOut(this.#options, trx, state, plan, now, 'schedule')
        if (result === undefined) {
          // Nothing was due (a buffered fire still waits, or the timer was stale): re-arm or disarm.
          const due = timerDueAt(state)
          await setScheduleTimer(trx, {
            schedule_id: timer.schedule_id,
            customer: timer.customer,
            task_id: timer.task_id,
            due_at: due !== undefined && due > now ? due : null,
          })
        }
        return { records, now }
      })
      if (done === undefined) return 'none'
      reportFires(this.#options, done.records, done.now)
      return 'fired'
    } catch (error) {
      if (scheduleId === undefined) throw error
      failed.push(scheduleId)
      logger.error({ err: error, scheduleId }, 'schedule not fired; will retry')
      this.#retry = true
      return 'failed'
    }
  }

  #sleepUntil(at: number): void {
    if (this.#stopped || at >= this.#wakeAt) return
    clearTimeout(this.#timer)
    this.#wakeAt = at
    this.#timer = setTimeout(() => this.#run(), Math.max(0, at - Date.now()))
    this.#timer.unref()
  }

  #run(): void {
    this.#timer = undefined
    this.#wakeAt = Number.POSITIVE_INFINITY
    if (this.#stopped) return
    if (this.#round !== undefined) {
      this.#rerun = true
      return
    }
    this.#round = this.#roundOnce().finally(() => {
      this.#round = undefined
    })
  }

  async #roundOnce(): Promise<void> {
    const { logger, maxSleepMs } = this.#options
    let next = Date.now() + maxSleepMs
    try {
      this.#retry = false
      this.#rerun = false
      await this.fireDue()
      const due = await msUntilNextSchedule(this.#options.store.db)
      if (due !== undefined) next = Math.min(next, Date.now() + due)
      if (this.#retry) next = Math.min(next, Date.now() + (this.#options.retryMs ?? 1_000))
      if (this.#rerun) next = Date.now()
    } catch (error) {
      logger.error({ err: error }, 'schedule timers not read; will retry')
      next = Math.min(next, Date.now() + (this.#options.retryMs ?? 1_000))
    }
    this.#sleepUntil(next)
  }
}
