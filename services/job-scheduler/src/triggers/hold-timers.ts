import { isAppError } from '@taskforge/core'
import { executeJobCommand, type JobCommandDeps } from '../app/job-command-handler.js'
import { lockTask, placementFacts } from '../schedule/task-queue.js'
import { claimDueRow, msUntilNextDue } from '../timers/due-timer-table.js'
import {
  type DueTimerSource,
  DueTimers,
  type DueTimersOptions,
  type FireReport,
  NOTHING_DUE,
} from '../timers/due-timers.js'
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
  return {
    name: 'hold timers',
    msUntilNext: () => msUntilNextDue(store.db, HOLD_TIMERS),
    async fireDue(at, skip): Promise<FireReport> {
      let jobId: string | undefined
      try {
        return await store.transaction(async (trx) => {
          const timer = await claimDueRow<HoldTimersTable>(trx, HOLD_TIMERS, at, skip)
          if (timer === undefined) return NOTHING_DUE
          jobId = timer.job_id
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
          return { fired: [timer.customer], failed: [], full: true }
        })
      } catch (error) {
        if (jobId === undefined) throw error
        if (isAppError(error) && error.code === 'NOT_FOUND') {
          // A timer whose job stream does not exist can never fire: drop it rather than retry forever.
          await deleteHoldTimer(store.db, jobId).catch(() => undefined)
          logger.warn({ jobId }, 'hold timer of an unknown job dropped')
          return { fired: [], failed: [{ key: jobId, retry: false }], full: true }
        }
        logger.error({ err: error, jobId }, 'hold timer not fired; will retry')
        return { fired: [], failed: [{ key: jobId, retry: true }], full: true }
      }
    },
  }
}
