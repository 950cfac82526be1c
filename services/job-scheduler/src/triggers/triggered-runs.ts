import { checkTaskArguments, isAppError, newId } from '@taskforge/core'
import type { StoredEvent } from '@taskforge/event-store'
import { Script } from '@taskforge/proto/catalog/v1/model'
import type { Logger } from '@taskforge/telemetry'
import { executeJobCommand, type JobCommandDeps } from '../app/job-command-handler.js'
import { jobSpecFromTask } from '../grpc/job-spec-from-task.js'
import { JOB_ARGV, type TaskCatalog } from '../grpc/scheduler-service.js'
import { databaseNow } from '../timers/due-timer-table.js'
import type { TriggeredWorkflowRun } from '../workflows/triggered-workflow-runs.js'
import { setHoldTimer } from './hold-timers-table.js'
import { triggeredArguments } from './trigger-arguments.js'
import { nextChainStep, type TriggerSource } from './trigger-chain.js'

/** How a limit's message names the values a trigger gave. */
const TRIGGER_VALUES = 'the trigger values'

/**
 * What a refused job keeps of the values it was given, to show them: all, when they are within the
 * limits of a run's values (its events must stay small enough to travel), else none.
 */
export function shownValues(values: readonly string[]): string[] {
  try {
    checkTaskArguments(values)
    return [...values]
  } catch (error) {
    if (!isAppError(error)) throw error
    return []
  }
}

/** The inbox consumer that makes each (source event, triggered task) start one job at most. */
export const TRIGGERS_INBOX = 'job-scheduler-triggers'

export interface TriggeredRunsDeps extends JobCommandDeps {
  catalog: TaskCatalog
  logger: Logger
  /** How many triggers deep a chain may go. */
  maxChainDepth: number
  /** Told of every timer set, so that it fires on time. */
  onHoldTimer(dueAt: Date): void
  /** Starts a run of a workflow a trigger names (decision 31); absent: workflows are not triggered. */
  startWorkflowRun?(run: TriggeredWorkflowRun): Promise<unknown>
}

/** One task to start because `source` fired. */
export interface TriggeredRun {
  customer: string
  taskId: string
  source: TriggerSource
  /** Unique per source event (the id of the event that fired); with the task, the inbox key. */
  sourceEventId: string
  /** The triggering job's output lines, or the values of the webhook's payload. */
  values: readonly string[]
  /** What the job's `origin` says. */
  origin: string
}

/** What became of a triggered run. */
export type TriggeredOutcome =
  | { kind: 'queued' | 'onhold' | 'refused'; jobId: string; reason?: string }
  | { kind: 'duplicate' | 'task-gone' }

/**
 * Starts the job a trigger asks for. The task and its script are read from the catalog at this
 * moment (a later edit of the task never changes a job already queued). A run refused (its chain
 * loops or runs too deep, its values do not fit the task's arguments, the task lost its script) is
 * still recorded, as a job canceled at once with the reason. With a grace time the job waits in
 * `onhold` with its arguments, and its timer is set in the same transaction. The inbox claim makes a
 * redelivered source event start nothing twice.
 */
export async function startTriggeredRun(
  deps: TriggeredRunsDeps,
  run: TriggeredRun,
  at?: Date,
): Promise<TriggeredOutcome> {
  const { customer, taskId } = run
  let found: Awaited<ReturnType<TaskCatalog['getTaskToRun']>> = { task: undefined, script: undefined }
  try {
    found = await deps.catalog.getTaskToRun({ customer, taskId, secret: '' })
  } catch (error) {
    if (!isAppError(error) || error.code !== 'NOT_FOUND') throw error
  }
  const { task, script } = found
  if (task === undefined) {
    deps.logger.info({ taskId, origin: run.origin }, 'triggered task is gone: nothing to run')
    return { kind: 'task-gone' }
  }
  const step = nextChainStep(run.source, taskId, deps.maxChainDepth)
  let refusal = step.refusal
  if (script === undefined) refusal ??= `task ${taskId} has no script to run`
  let argumentsValues: string[] = []
  if (refusal === undefined) {
    try {
      // Held to the limits of a run's values, as given and as the job's argv.
      checkTaskArguments(run.values, TRIGGER_VALUES)
      argumentsValues = triggeredArguments(task.definition?.taskArguments ?? [], run.values)
      checkTaskArguments(argumentsValues, JOB_ARGV)
    } catch (error) {
      if (!isAppError(error)) throw error
      refusal = `the trigger's values do not fit the task's arguments: ${error.message}`
    }
  }
  const graceMs = refusal === undefined ? (task.definition?.graceTime ?? 0) * 1000 : 0
  const jobId = newId()
  const spec = jobSpecFromTask(task, script ?? Script.fromPartial({}))

  let holdUntil: Date | undefined
  const appended = await deps.store.transaction(async (trx): Promise<StoredEvent[] | undefined> => {
    if (!(await deps.store.claimInbox(trx, TRIGGERS_INBOX, `${run.sourceEventId}:${taskId}`))) {
      return undefined
    }
    // Due times are on the database's clock, the one every replica's timers compare them with.
    const now = at ?? (await databaseNow(trx))
    holdUntil = graceMs > 0 ? new Date(now.getTime() + graceMs) : undefined
    const result = await executeJobCommand(
      deps,
      jobId,
      {
        type: 'QueueJob',
        jobId,
        customer,
        spec,
        argumentsValues: refusal === undefined ? argumentsValues : shownValues(run.values),
        origin: run.origin,
        now,
        ...(holdUntil === undefined ? {} : { holdUntil }),
        chain: step.chain,
        ...(refusal === undefined ? {} : { refusal }),
      },
      { author: 'trigger', causationId: run.sourceEventId, trx },
    )
    if (holdUntil !== undefined) {
      await setHoldTimer(trx, { job_id: jobId, customer, task_id: taskId, due_at: holdUntil })
    }
    return result.appended
  })
  if (appended === undefined) return { kind: 'duplicate' }
  if (refusal !== undefined) {
    deps.logger.warn({ jobId, taskId, origin: run.origin, reason: refusal }, 'triggered run refused')
    return { kind: 'refused', jobId, reason: refusal }
  }
  if (holdUntil !== undefined) {
    deps.onHoldTimer(holdUntil)
    return { kind: 'onhold', jobId }
  }
  return { kind: 'queued', jobId }
}
