import { isAppError } from '@taskforge/core'
import { executeJobCommand, type JobCommandDeps } from '../app/job-command-handler.js'
import { lockTask, placementFacts } from '../schedule/task-queue.js'
import { type DueTimerSource, DueTimers, type DueTimersOptions } from '../timers/due-timers.js'
import { oneRowSource } from '../timers/one-row-timers.js'
import { deleteHoldTimer, HOLD_TIMERS, type HoldTimersTable } from './hold-timers-table.js'

export interface HoldTimersOptions extends JobCommandDeps, DueTimersOptions {}

/**
 * Fires the grace-time timers of jobs on hold: each due timer releases its job (to `ready`, or
 * straight to its bot when it may run) and is deleted, in one transaction that holds the timer row,
 * on the one loop of due timers ({@link DueTimers}).
 */
export class HoldTimers extends DueTimers {
  constructor(options: HoldTimersOptions) {
    super(holdTimerSource(options), options)
  }
}

function holdTimerSource(options: HoldTimersOptions): DueTimerSource {
  const { store, logger } = options
  return oneRowSource<HoldTimersTable>({
    name: 'hold timers',
    table: HOLD_TIMERS,
    store,
    logger,
    keyOf: (timer) => timer.job_id,
    keyName: 'jobId',
    async fire(trx, timer) {
      const now = timer.claimed_at
      if (timer.task_id !== '') await lockTask(trx, timer.task_id)
      const facts = timer.task_id === '' ? {} : await placementFacts(trx, timer.task_id)
      const { newEvents } = await executeJobCommand(
        options,
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
    },
    async abandon(error, jobId) {
      if (!isAppError(error) || error.code !== 'NOT_FOUND') return false
      // A timer whose job stream does not exist can never fire: drop it rather than retry forever.
      await deleteHoldTimer(store.db, jobId).catch(() => undefined)
      logger.warn({ jobId }, 'hold timer of an unknown job dropped')
      return true
    },
  })
}
