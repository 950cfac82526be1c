import { executeJobCommand } from '../app/job-command-handler.js'
import { type DueTimerSource, DueTimers, type DueTimersOptions } from '../timers/due-timers.js'
import { oneRowSource } from '../timers/one-row-timers.js'
import { executeRunCommand, jobEndOf, type WorkflowRunDeps } from './workflow-run-commands.js'
import type { NodeJobEnd } from './workflow-run-decider.js'
import {
  deleteWakeups,
  dueWakeupsOfRun,
  WORKFLOW_RUN_WAKEUPS,
  type WorkflowRunWakeupsTable,
} from './workflow-tables.js'

export interface WorkflowRunTimersOptions extends WorkflowRunDeps, DueTimersOptions {}

/**
 * Brings runs what they wait for, on the one loop of due timers ({@link DueTimers}): a due wake-up
 * (a node's job ended, a node's retry is due, a triggered run's grace time is over) is claimed with `FOR UPDATE SKIP LOCKED`, with every
 * other due wake-up of its run; in that one transaction the jobs' ends are read from their streams,
 * the run decides (`AdvanceRun`), the next nodes' jobs are queued and the wake-ups are deleted. A
 * replica killed half-way commits nothing, and another brings the same ends; an end the run has
 * recorded already changes nothing. Runs of organizations take turns, as schedules do.
 */
export class WorkflowRunTimers extends DueTimers {
  constructor(options: WorkflowRunTimersOptions) {
    super(runTimerSource(options), options)
  }
}

function runTimerSource(options: WorkflowRunTimersOptions): DueTimerSource {
  const { store, logger } = options
  return oneRowSource<WorkflowRunWakeupsTable>({
    name: 'workflow run timers',
    table: WORKFLOW_RUN_WAKEUPS,
    store,
    logger,
    keyOf: (claimed) => claimed.wakeup_id,
    keyName: 'wakeupId',
    async fire(trx, claimed) {
      const wakeups = await dueWakeupsOfRun(trx, claimed.run_id, claimed.claimed_at)
      const ended: NodeJobEnd[] = []
      const release = wakeups.some((wakeup) => wakeup.wakeup_id.startsWith('release:'))
      const graceOver = wakeups.some((wakeup) => wakeup.wakeup_id.startsWith('grace:'))
      const done = wakeups.map((wakeup) => wakeup.wakeup_id)
      const endOf = async (jobId: string) => {
        if (ended.some((end) => end.jobId === jobId)) return
        const end = await jobEndOf(store, trx, jobId)
        if (end !== undefined) ended.push(end)
      }
      for (const wakeup of wakeups) {
        if (wakeup.wakeup_id.startsWith('expire:')) {
          // A step nobody decided in time ends here; its end is brought to the run at once.
          const jobId = wakeup.wakeup_id.slice('expire:'.length)
          await executeJobCommand(
            options,
            jobId,
            { type: 'ExpireStep', now: claimed.claimed_at },
            { author: 'scheduler', causationId: claimed.run_id, trx },
          )
          done.push(`end:${jobId}`)
          await endOf(jobId)
        } else if (wakeup.wakeup_id.startsWith('end:')) {
          const jobId = wakeup.wakeup_id.slice('end:'.length)
          // A step decided before it expired no longer needs its expiry.
          done.push(`expire:${jobId}`)
          await endOf(jobId)
        }
      }
      // Deleted first: the decision sets the run's retry wake-up again when one still waits.
      await deleteWakeups(trx, done)
      await executeRunCommand(
        options,
        trx,
        claimed.run_id,
        { type: 'AdvanceRun', ended, release, graceOver, now: claimed.claimed_at },
        'scheduler',
      )
    },
  })
}
