import { checkEnv, conflict, isAppError, notFound } from '@taskforge/core'
import { type EventStore, handleCommand, type StoredEvent, type Trx } from '@taskforge/event-store'
import { finishedOutcome, isTerminalLifecycle, type JobStatus, jobStatusAfter } from '@taskforge/model'
import type { GetTaskToRunResponse } from '@taskforge/proto/catalog/v1/catalog_service'
import { WorkflowDefinition, type WorkflowNode } from '@taskforge/proto/catalog/v1/model'
import { JobSpec } from '@taskforge/proto/jobs/v1/model'
import type { WorkflowNodeStarted } from '@taskforge/proto/jobs/v1/workflow_runs'
import { currentTraceContext } from '@taskforge/telemetry'
import { sql } from 'kysely'
import { executeJobCommand, type JobCommandDeps } from '../app/job-command-handler.js'
import { decodeJobEvent } from '../domain/job-events.js'
import { jobSpecFromTask } from '../grpc/job-spec-from-task.js'
import type { TaskCatalog } from '../grpc/scheduler-service.js'
import { checkQueueQuota, type QueueQuotas } from '../schedule/queue-quota.js'
import {
  liveJobs,
  type NodeJobEnd,
  type NodeTaskFacts,
  nextRetryDue,
  type RunDomainEvent,
  stepOf,
  taskOf,
  type WorkflowRunCommand,
  type WorkflowRunState,
  workflowRunDecider,
} from './workflow-run-decider.js'
import { decodeRunEvent, encodeRunEvent, WORKFLOW_RUN_STREAM_TYPE } from './workflow-run-events.js'
import { passTurn, setRetryWakeup, setStepExpiry, takeTurn } from './workflow-tables.js'
import { pinnedDefinition } from './workflow-versions.js'

export interface WorkflowRunDeps extends JobCommandDeps {
  store: EventStore
  catalog: TaskCatalog
  queueQuotas: QueueQuotas
}

/** What a run command needs besides the facts the command side gathers (definition, tasks). */
export type RunCommandDraft =
  | Omit<Extract<WorkflowRunCommand, { type: 'StartRun' }>, 'tasks' | 'definition'>
  | Omit<Extract<WorkflowRunCommand, { type: 'AdvanceRun' }>, 'tasks' | 'definition'>
  | Omit<Extract<WorkflowRunCommand, { type: 'CancelRun' }>, 'tasks' | 'definition'>
  | Omit<Extract<WorkflowRunCommand, { type: 'RetryRun' }>, 'tasks' | 'definition'>

export interface RunCommandResult {
  state: WorkflowRunState
  newEvents: RunDomainEvent[]
  appended: StoredEvent[]
}

/** A task read once per command, with what a node of the run needs to know about it. */
interface TaskRead {
  facts: NodeTaskFacts
  found?: GetTaskToRunResponse
}

/** Reads a node's task from the catalog: a task gone, without a script or past its queue quota cannot run. */
async function readTask(
  deps: WorkflowRunDeps,
  trx: Trx,
  customer: string,
  taskId: string,
  definition: WorkflowDefinition,
): Promise<TaskRead> {
  const refused = (reason: string): TaskRead => ({ facts: { kind: 'refused', reason } })
  let found: GetTaskToRunResponse
  try {
    found = await deps.catalog.getTaskToRun({ customer, taskId, secret: '' })
  } catch (error) {
    if (isAppError(error) && error.code === 'NOT_FOUND') return refused(`task ${taskId} is gone`)
    throw error
  }
  const { task, script } = found
  if (task === undefined) return refused(`task ${taskId} is gone`)
  if (script === undefined) return refused(`task ${taskId} has no script to run`)
  try {
    await checkQueueQuota(trx, deps.queueQuotas, customer, taskId)
    checkEnv({ ...definition.env, ...task.definition?.env }, 'env of the workflow and its task')
  } catch (error) {
    if (!isAppError(error)) throw error
    return refused(error.message)
  }
  return { facts: { kind: 'ready', taskArguments: task.definition?.taskArguments ?? [] }, found }
}

/**
 * Runs one command against a run stream in `trx`: the run is locked (one decision at a time for a
 * run, whichever replica), read, and decided on its pinned definition. A decision that starts nodes
 * whose tasks were not read yet is a draft: those tasks are read and it is decided again, until it
 * starts nothing unread. The events are appended at the version read and, in the same transaction,
 * every node started gets its job queued through the job command path (`origin: workflow`, the run
 * and node on the job), a cancel cancels every live job, and the retry wake-up follows the run.
 */
export async function executeRunCommand(
  deps: WorkflowRunDeps,
  trx: Trx,
  runId: string,
  draft: RunCommandDraft,
  author: string,
  /** The definition of a run being started (later commands read the pinned one). */
  startDefinition?: WorkflowDefinition,
): Promise<RunCommandResult> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`workflow-run:${runId}`}))`.execute(trx)
  const tasks = new Map<string, TaskRead>()
  let definition: WorkflowDefinition | undefined = startDefinition
  const customer = draft.type === 'StartRun' ? draft.customer : ''
  let runCustomer = customer
  const prepare = async (state: WorkflowRunState): Promise<WorkflowRunCommand> => {
    if (state.runId === undefined && draft.type !== 'StartRun') {
      // A wake-up of a run that is not there decides nothing; anything else about it is a 404.
      if (draft.type === 'AdvanceRun')
        return { ...draft, definition: WorkflowDefinition.fromPartial({}), tasks: new Map() }
      throw notFound('workflow run', runId)
    }
    definition ??= await pinnedDefinition(trx, state.workflowId, state.version)
    runCustomer = customer || state.customer
    const facts = () => new Map([...tasks].map(([taskId, read]) => [taskId, read.facts]))
    for (;;) {
      const command = { ...draft, definition: definition!, tasks: facts() } as WorkflowRunCommand
      const unread = new Set<string>()
      for (const event of workflowRunDecider.decide(command, state)) {
        if (event.$case !== 'nodeStarted') continue
        const node = definition!.nodes.find((candidate) => candidate.key === event.value.key)
        const taskId = node === undefined ? undefined : taskOf(node)
        if (taskId !== undefined && !tasks.has(taskId)) unread.add(taskId)
      }
      if (unread.size === 0) return command
      for (const taskId of unread)
        tasks.set(taskId, await readTask(deps, trx, runCustomer, taskId, definition!))
    }
  }
  const trace = currentTraceContext()
  const result = await handleCommand(deps.store, {
    streamType: WORKFLOW_RUN_STREAM_TYPE,
    streamId: runId,
    decider: workflowRunDecider,
    // Replaced by `prepare` with the definition and the tasks.
    command: draft as WorkflowRunCommand,
    trx,
    prepare,
    decode: (stored) => {
      // An id of another kind of stream (a job id sent as a run id) names no run.
      if (stored.streamType !== WORKFLOW_RUN_STREAM_TYPE) throw notFound('workflow run', runId)
      return decodeRunEvent(stored)
    },
    encode: (event: RunDomainEvent) =>
      encodeRunEvent(event, {
        customer: runCustomer,
        author,
        correlationId: runId,
        ...(trace === undefined ? {} : { traceparent: trace.traceparent, tracestate: trace.tracestate }),
      }),
  })
  const { state } = result
  if (!definition!.multitasking && result.newEvents.some((event) => event.$case === 'retried')) {
    // A run retried takes its place in its workflow's line again, and is not held: it goes on now.
    const behind = await takeTurn(trx, { runId, workflowId: state.workflowId, customer: state.customer })
    if (behind !== undefined) {
      throw conflict(
        `workflow ${state.workflowId} runs one run at a time and run ${behind} is live: retry this run once it ended`,
        { run_id: behind },
      )
    }
  }
  if (result.newEvents.some((event) => event.$case === 'ended')) await passTurn(trx, runId)
  for (const event of result.newEvents) {
    if (event.$case !== 'nodeStarted') continue
    const node = definition!.nodes.find((candidate) => candidate.key === event.value.key)!
    if (event.value.step !== '') {
      await queueStepJob(deps, trx, {
        runId,
        state,
        definition: definition!,
        node,
        started: event.value,
        author,
      })
      continue
    }
    const found = tasks.get(taskOf(node) ?? '')?.found
    if (found?.task === undefined || found.script === undefined) continue
    const spec = jobSpecFromTask(found.task, found.script)
    await executeJobCommand(
      deps,
      event.value.jobId,
      {
        type: 'QueueJob',
        jobId: event.value.jobId,
        customer: state.customer,
        spec: {
          ...spec,
          env: { ...definition!.env, ...spec.env },
          timeout: node.timeout > 0 ? node.timeout : spec.timeout,
        },
        argumentsValues: event.value.arguments,
        origin: 'workflow',
        now: new Date(),
        workflow: { runId, node: node.key },
        // A triggered run's jobs carry its chain (with their task): a chain of triggers coming
        // back to the workflow stops.
        ...(state.chain === undefined
          ? {}
          : { chain: { ...state.chain, taskIds: [...state.chain.taskIds, found.task.id] } }),
      },
      { author, causationId: runId, trx },
    )
  }
  if (result.newEvents.some((event) => event.$case === 'cancelRequested')) {
    for (const jobId of liveJobs(state)) {
      try {
        await executeJobCommand(
          deps,
          jobId,
          { type: 'Cancel', customer: state.customer, reason: `workflow run ${runId} was canceled` },
          { author, causationId: runId, trx },
        )
      } catch (error) {
        // Ended in between: its end reaches the run anyway.
        if (!isAppError(error)) throw error
      }
    }
  }
  await setRetryWakeup(
    trx,
    runId,
    state.customer,
    state.status === 'running' ? nextRetryDue(state) : undefined,
  )
  return { state, newEvents: result.newEvents, appended: result.appended }
}

/**
 * Queues the job of an approval or input step (decision 32): a job no bot runs, `origin: workflow`,
 * that waits for people (lifecycle `waiting`) and carries what its votes are checked against; its
 * expiry is a wake-up of the run due at `expires_at`, on the run timers' loop.
 */
async function queueStepJob(
  deps: WorkflowRunDeps,
  trx: Trx,
  facts: {
    runId: string
    state: WorkflowRunState
    definition: WorkflowDefinition
    node: WorkflowNode
    started: WorkflowNodeStarted
    author: string
  },
): Promise<void> {
  const { runId, state, definition, node, started } = facts
  const step = stepOf(node)!
  const form = node.step?.$case === 'input' ? node.step.value.form : []
  const expiresAt = started.expiresAt ?? new Date()
  await executeJobCommand(
    deps,
    started.jobId,
    {
      type: 'QueueJob',
      jobId: started.jobId,
      customer: state.customer,
      spec: JobSpec.fromPartial({ taskName: `${definition.name} / ${node.key}`, multitasking: true }),
      argumentsValues: [],
      origin: 'workflow',
      now: new Date(),
      workflow: { runId, node: node.key },
      step: {
        kind: step.kind,
        approvers: step.approvers,
        required: step.required,
        expiresAt,
        form: form.map(({ order, type, label, value, required, options }) => ({
          order,
          type,
          label,
          value,
          required,
          options,
        })),
        starterId: state.authorId,
        starterName: state.authorId === '' ? '' : state.author,
        workflowId: state.workflowId,
        workflowName: definition.name,
        runId,
        node: node.key,
      },
    },
    { author: facts.author, causationId: runId, trx },
  )
  await setStepExpiry(trx, started.jobId, runId, state.customer, expiresAt)
}

/** How a job of a run ended, from its stream; undefined while it has not ended. */
export async function jobEndOf(store: EventStore, trx: Trx, jobId: string): Promise<NodeJobEnd | undefined> {
  const { events } = await store.readStream(jobId, { trx, latestOf: ['outputAppended'] })
  let status: JobStatus | undefined
  let end: NodeJobEnd | undefined
  let answers: Record<string, string> | undefined
  for (const stored of events) {
    const event = decodeJobEvent(stored)
    status = jobStatusAfter(status, event)
    if (event.$case === 'stepVoted' && event.value.vote === 'input') answers = event.value.answers
    if (event.$case === 'finished') {
      const { output, result } = event.value
      end = {
        jobId,
        outcome: finishedOutcome(event.value),
        output,
        lastLine: result?.lastline || (output.at(-1) ?? ''),
        reason: result?.reason ?? '',
        ...(answers === undefined ? {} : { answers }),
      }
    } else if (event.$case === 'canceled') {
      end = { jobId, outcome: 'canceled', output: [], lastLine: '', reason: event.value.reason }
    } else if (event.$case === 'leaseExpired') {
      end = { jobId, outcome: 'error', output: [], lastLine: '', reason: event.value.reason }
    }
  }
  return isTerminalLifecycle(status?.lifecycle) ? end : undefined
}
