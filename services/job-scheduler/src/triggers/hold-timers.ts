import { isAppError } from '@taskforge/core'
import type { Logger } from '@taskforge/telemetry'
import { executeJobCommand, type JobCommandDeps } from '../app/job-command-handler.js'
import { lockTask, placementFacts } from '../schedule/task-queue.js'
import { claimDueTimer, databaseNow, deleteHoldTimer, msUntilNextDue } from './hold-timers-table.js'

export interface HoldTimersOptions extends JobCommandDeps {
  logger: Logger
  /** Longest sleep between two looks at the table, for timers another replica set. */
  maxSleepMs: number
  /** Pause before a timer that failed to fire is tried again. */
  retryMs?: number
}

/**
 * Fires the grace-time timers of jobs on hold: each due timer releases its job (to `ready`, or
 * straight to its bot when it may run) and is deleted, in one transaction that holds the timer row
 * (`FOR UPDATE SKIP LOCKED`), so replicas share the work and none fires a timer twice. The due times
 * are data, on the database's clock: a start fires every overdue timer, then sleeps until the next
 * one is due (or `maxSleepMs`), and {@link wake} brings the sleep forward for a timer just set.
 */
export class HoldTimers {
  readonly #options: HoldTimersOptions
  #timer: NodeJS.Timeout | undefined
  #wakeAt = Number.POSITIVE_INFINITY
  #round: Promise<void> | undefined
  /** A timer failed to fire in this round: try again after `retryMs`. */
  #retry = false
  /** Woken while a round ran, which may have read the next due time before that timer was set. */
  #rerun = false
  #stopped = true

  constructor(options: HoldTimersOptions) {
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

  /** A timer due at `dueAt` was set: look again by then. */
  wake(dueAt: Date): void {
    this.#sleepUntil(dueAt.getTime())
  }

  /**
   * Fires every timer due at `at` (default: the database's now); answers how many it fired (jobs
   * released, or found ended already).
   */
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
    let jobId: string | undefined
    try {
      return await store.transaction(async (trx) => {
        const timer = await claimDueTimer(trx, at, failed)
        if (timer === undefined) return 'none'
        jobId = timer.job_id
        const now = at ?? (await databaseNow(trx))
        if (timer.task_id !== '') await lockTask(trx, timer.task_id)
        const facts = timer.task_id === '' ? {} : await placementFacts(trx, timer.task_id)
        const { newEvents } = await executeJobCommand(
          this.#options,
          timer.job_id,
          { type: 'ReleaseHold', now, facts },
          { author: 'scheduler', causationId: timer.job_id, trx },
        )
        await deleteHoldTimer(trx, timer.job_id)
        if (newEvents.length > 0) {
          logger.info(
            {
              jobId: timer.job_id,
              dueAt: timer.due_at,
              assigned: newEvents.some((e) => e.$case === 'assigned'),
            },
            'grace time over: job released',
          )
        }
        return 'fired'
      })
    } catch (error) {
      if (jobId === undefined) throw error
      failed.push(jobId)
      if (isAppError(error) && error.code === 'NOT_FOUND') {
        // A timer whose job stream does not exist can never fire: drop it rather than retry forever.
        await deleteHoldTimer(store.db, jobId).catch(() => undefined)
        logger.warn({ jobId }, 'hold timer of an unknown job dropped')
        return 'failed'
      }
      logger.error({ err: error, jobId }, 'hold timer not fired; will retry')
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
      const due = await msUntilNextDue(this.#options.store.db)
      if (due !== undefined) next = Math.min(next, Date.now() + due)
      if (this.#retry) next = Math.min(next, Date.now() + (this.#options.retryMs ?? 1_000))
      if (this.#rerun) next = Date.now()
    } catch (error) {
      logger.error({ err: error }, 'hold timers not read; will retry')
      next = Math.min(next, Date.now() + (this.#options.retryMs ?? 1_000))
    }
    this.#sleepUntil(next)
  }
}
