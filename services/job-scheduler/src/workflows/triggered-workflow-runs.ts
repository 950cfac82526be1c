import { checkTaskArguments, isAppError, newId } from '@taskforge/core'
import type { StoredEvent } from '@taskforge/event-store'
import type { Workflow, WorkflowDefinition } from '@taskforge/proto/catalog/v1/model'
import type { Logger } from '@taskforge/telemetry'
import { databaseNow } from '../timers/due-timer-table.js'
import { nextChainStep, type TriggerSource } from '../triggers/trigger-chain.js'
import { shownValues, TRIGGERS_INBOX } from '../triggers/triggered-runs.js'
import { executeRunCommand, type WorkflowRunDeps } from './workflow-run-commands.js'
import type { WorkflowCatalog } from './workflow-run-service.js'
import { setGraceWakeup, takeTurn } from './workflow-tables.js'
import { keepWorkflow } from './workflow-versions.js'

export interface TriggeredWorkflowRunsDeps extends WorkflowRunDeps {
  catalog: WorkflowCatalog
  logger: Logger
  /** How many triggers deep a chain may go. */
  maxChainDepth: number
  /** Told of a run that starts now, or of the end of a grace time, so that its timers look then. */
  onWoken(dueAt: Date): void
}

/** One workflow to run because `source` fired. */
export interface TriggeredWorkflowRun {
  customer: string
  workflowId: string
  source: TriggerSource
  /** Unique per source event; with the workflow, the inbox key. */
  sourceEventId: string
  /** The triggering job's output lines, or the values of the webhook's payload: the run's `$run`. */
  values: readonly string[]
  /** What the run's `origin` says. */
  origin: string
}

export type TriggeredWorkflowOutcome =
  | { kind: 'started' | 'held' | 'refused'; runId: string; reason?: string }
  | { kind: 'duplicate' | 'workflow-gone' }

/**
 * Starts the run of a workflow's latest version that a trigger asks for, as a triggered job starts
 * (decision 8): the run's arguments are the trigger's values; a run whose chain of triggers comes
 * back to the workflow or runs too deep, or whose values are past a run's limits, is still recorded,
 * as a run canceled at once with the reason; with the workflow's `grace_time` the run is held (its
 * `waiting_reason` says until when) and a `grace:` wake-up releases it then. The inbox row claimed in
 * the run's start transaction makes a redelivered source event start nothing twice.
 */
export async function startTriggeredWorkflowRun(
  deps: TriggeredWorkflowRunsDeps,
  run: TriggeredWorkflowRun,
): Promise<TriggeredWorkflowOutcome> {
  const { customer, workflowId } = run
  let workflow: Workflow | undefined
  try {
    workflow = (await deps.catalog.getWorkflow({ customer, workflowId, version: 0, secret: '' })).workflow
  } catch (error) {
    if (!isAppError(error) || error.code !== 'NOT_FOUND') throw error
  }
  const definition: WorkflowDefinition | undefined = workflow?.definition
  if (workflow === undefined || definition === undefined || workflow.customer !== customer) {
    deps.logger.info({ workflowId, origin: run.origin }, 'triggered workflow is gone: nothing to run')
    return { kind: 'workflow-gone' }
  }
  const step = nextChainStep(run.source, workflowId, deps.maxChainDepth, 'workflow')
  let refusal = step.refusal
  if (refusal === undefined) {
    try {
      checkTaskArguments(run.values, 'the trigger values')
    } catch (error) {
      if (!isAppError(error)) throw error
      refusal = `the trigger's values do not fit a run's arguments: ${error.message}`
    }
  }
  const graceMs = refusal === undefined ? definition.graceTime * 1000 : 0
  const runId = newId()
  let holdUntil: Date | undefined
  let now = new Date()
  const appended = await deps.store.transaction(async (trx): Promise<StoredEvent[] | undefined> => {
    if (!(await deps.store.claimInbox(trx, TRIGGERS_INBOX, `${run.sourceEventId}:${workflowId}`))) {
      return undefined
    }
    // Due times are on the database's clock, the one every replica's timers compare them with.
    now = await databaseNow(trx)
    holdUntil = graceMs > 0 ? new Date(now.getTime() + graceMs) : undefined
    await keepWorkflow(trx, workflow)
    const heldBehind =
      refusal !== undefined || definition.multitasking
        ? undefined
        : await takeTurn(trx, { runId, workflowId, customer })
    const result = await executeRunCommand(
      deps,
      trx,
      runId,
      {
        type: 'StartRun',
        runId,
        customer,
        workflowId,
        version: workflow.version,
        arguments: refusal === undefined ? [...run.values] : shownValues(run.values),
        origin: run.origin,
        author: 'trigger',
        authorId: '',
        now,
        chain: step.chain,
        ...(heldBehind === undefined ? {} : { heldBehind }),
        ...(holdUntil === undefined ? {} : { holdUntil }),
        ...(refusal === undefined ? {} : { refusal }),
      },
      'trigger',
      definition,
    )
    if (holdUntil !== undefined) await setGraceWakeup(trx, runId, customer, holdUntil)
    return result.appended
  })
  if (appended === undefined) return { kind: 'duplicate' }
  if (refusal !== undefined) {
    deps.logger.warn(
      { runId, workflowId, origin: run.origin, reason: refusal },
      'triggered workflow run refused',
    )
    return { kind: 'refused', runId, reason: refusal }
  }
  deps.onWoken(holdUntil ?? now)
  return holdUntil === undefined ? { kind: 'started', runId } : { kind: 'held', runId }
}
