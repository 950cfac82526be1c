import {
  checkSize,
  checkTaskArguments,
  ErrorKinds,
  isAppError,
  isId,
  Limits,
  newId,
  notFound,
  unauthorized,
  validationFailed,
} from '@taskforge/core'
import type { Db, EventStore, GlobalPosition, Projector } from '@taskforge/event-store'
import type { GetWorkflowRequest, GetWorkflowResponse } from '@taskforge/proto/catalog/v1/catalog_service'
import type { Workflow, WorkflowDefinition } from '@taskforge/proto/catalog/v1/model'
import type {
  ListWorkflowRunsRequest,
  ListWorkflowRunsResponse,
} from '@taskforge/proto/jobs/v1/scheduler_service'
import type {
  CancelWorkflowRunRequest,
  CancelWorkflowRunResponse,
  GetWorkflowRunRequest,
  GetWorkflowRunResponse,
  RetryWorkflowRunRequest,
  RetryWorkflowRunResponse,
  RunWorkflowRequest,
  RunWorkflowResponse,
} from '@taskforge/proto/jobs/v1/workflow_runs'
import type { Logger } from '@taskforge/telemetry'
import {
  checkRunKey,
  claimRunKey,
  findRunKey,
  type RunKeyClaim,
  type RunKeyOwner,
  RunKeyTaken,
  runKeyReused,
} from '../app/run-keys.js'
import { shownTo, type TaskCatalog } from '../grpc/scheduler-service.js'
import { checkQueueQuota } from '../schedule/queue-quota.js'
import { executeRunCommand, type RunCommandDraft, type WorkflowRunDeps } from './workflow-run-commands.js'
import { taskOf } from './workflow-run-decider.js'
import {
  findWorkflowRun,
  foldRunStream,
  listWorkflowRuns,
  workflowRunFromRow,
  workflowRunsProjection,
} from './workflow-runs-projection.js'
import { takeTurn } from './workflow-tables.js'
import { keepWorkflow, pinnedDefinition } from './workflow-versions.js'

/** The catalog queries runs need: a task to run, and a workflow's latest version. */
export interface WorkflowCatalog extends TaskCatalog {
  getWorkflow(request: GetWorkflowRequest): Promise<GetWorkflowResponse>
}

export interface WorkflowRunServiceDeps extends WorkflowRunDeps {
  store: EventStore
  db: Db
  projector: Projector
  catalog: WorkflowCatalog
  /** Told of a retry wake-up or an end it should look at now. */
  onWoken?(dueAt: Date): void
  projectionTimeoutMs?: number
  logger?: Logger
}

function required(value: string, field: string): string {
  if (value === '') throw validationFailed(`${field} is required`, { field })
  return value
}

function runIdOf(value: string): string {
  if (!isId(value)) throw notFound('workflow run', value)
  return value
}

/**
 * The scheduler's workflow-run queries and commands (decision 31): a run starts on the workflow's
 * latest version (read from the catalog, kept with the versions the events bring) and keeps it;
 * cancel and retry are decisions of the run; answers come from the `workflow_runs` read model once
 * it passed the command's events.
 */
export function workflowRunService(deps: WorkflowRunServiceDeps) {
  const { store, db, projector, catalog } = deps
  const timeoutMs = deps.projectionTimeoutMs ?? 10_000

  async function answer(customer: string, runId: string, appended: readonly GlobalPosition[]) {
    if (appended.length > 0) {
      try {
        await projector.waitForAppended(appended, { timeoutMs, projections: [workflowRunsProjection.name] })
      } catch (error) {
        if (!isAppError(error) || error.code !== ErrorKinds.TIMEOUT.code) throw error
        deps.logger?.warn({ err: error }, 'workflow_runs read model is behind a committed command')
      }
    }
    const row = await findWorkflowRun(db, customer, runId)
    if (row !== undefined) return workflowRunFromRow(row)
    const { events } = await store.readStream(runId)
    const folded = foldRunStream(events, [])
    if (folded === undefined || folded.customer !== customer) throw notFound('workflow run', runId)
    const definition = await pinnedDefinition(db, folded.workflow_id, folded.version)
    return workflowRunFromRow(
      foldRunStream(
        events,
        definition.nodes.map((node) => node.key),
      )!,
    )
  }

  async function command(customer: string, runId: string, draft: RunCommandDraft, author: string) {
    const result = await store.transaction((trx) => executeRunCommand(deps, trx, runId, draft, author))
    deps.onWoken?.(new Date())
    return answer(customer, runId, result.appended)
  }

  /**
   * The workflow a run names, at its latest version: read once per run. A token's run below admin
   * must be shown the workflow by its acls, and a run by secret key must give the workflow's key
   * (the catalog checks it as it reads); a workflow the caller may not see is one that does not exist.
   */
  async function workflowToRun(request: RunWorkflowRequest, workflowId: string) {
    if (!isId(workflowId)) {
      if (request.secret !== '') throw unauthorized('the secret key is not valid for this workflow')
      throw notFound('workflow', workflowId)
    }
    const { workflow } = await catalog.getWorkflow({
      customer: request.customer,
      workflowId,
      version: 0,
      secret: request.secret,
    })
    if (workflow?.definition === undefined || !shownTo(request.caller, workflow.definition.acls))
      throw notFound('workflow', workflowId)
    return workflow as Workflow & { definition: WorkflowDefinition }
  }

  /** Starts a run on the workflow's version; a run key is claimed in the same transaction. */
  async function startRun(
    request: RunWorkflowRequest,
    workflow: Workflow & { definition: WorkflowDefinition },
    runKey?: RunKeyClaim,
  ) {
    const { customer, definition } = workflow
    // Runs of an organization are held to its queue quotas, as its jobs are (429 when past them).
    const start = definition.nodes.find((node) => node.key === definition.start)
    await checkQueueQuota(db, deps.queueQuotas, customer, (start && taskOf(start)) ?? '')
    const runId = newId()
    const author = request.author || 'system'
    const result = await store.transaction(async (trx) => {
      if (runKey !== undefined && !(await claimRunKey(trx, runKey, runId))) throw new RunKeyTaken(runKey)
      await keepWorkflow(trx, workflow)
      // A workflow that runs one run at a time holds this run while another of it is live.
      const heldBehind = definition.multitasking
        ? undefined
        : await takeTurn(trx, { runId, workflowId: workflow.id, customer })
      return executeRunCommand(
        deps,
        trx,
        runId,
        {
          type: 'StartRun',
          runId,
          customer,
          workflowId: workflow.id,
          version: workflow.version,
          arguments: request.arguments,
          origin: request.origin || 'api',
          author,
          authorId: request.authorId,
          now: new Date(),
          ...(heldBehind === undefined ? {} : { heldBehind }),
        },
        author,
        definition,
      )
    })
    deps.onWoken?.(new Date())
    return answer(customer, runId, result.appended)
  }

  /** The run a key names, as it is now; refused when the key was taken for another task or workflow. */
  async function keyedRun(runKey: RunKeyClaim, owner: RunKeyOwner) {
    if (owner.taskId !== runKey.taskId) throw runKeyReused(runKey, owner)
    return answer(runKey.customer, owner.jobId, [])
  }

  return {
    async runWorkflow(request: RunWorkflowRequest): Promise<RunWorkflowResponse> {
      // A run by secret key may leave the organization out: the workflow's own is used.
      if (request.secret === '') required(request.customer, 'customer')
      const workflowId = required(request.workflowId, 'workflow_id')
      checkTaskArguments(request.arguments)
      if (request.idempotencyKey !== '') checkRunKey(request.idempotencyKey)
      const workflow = await workflowToRun(request, workflowId)
      const customer = workflow.customer
      if (request.idempotencyKey === '') return { run: await startRun(request, workflow) }
      const runKey: RunKeyClaim = { customer, key: request.idempotencyKey, taskId: workflowId }
      const owner = await findRunKey(db, customer, runKey.key)
      if (owner !== undefined) return { run: await keyedRun(runKey, owner) }
      try {
        return { run: await startRun(request, workflow, runKey) }
      } catch (error) {
        // A concurrent run with the key started its run first (and committed): answer that one.
        if (!(error instanceof RunKeyTaken)) throw error
        const winner = await findRunKey(db, customer, runKey.key)
        if (winner === undefined) throw error
        return { run: await keyedRun(runKey, winner) }
      }
    },

    async getWorkflowRun(request: GetWorkflowRunRequest): Promise<GetWorkflowRunResponse> {
      const customer = required(request.customer, 'customer')
      const runId = runIdOf(request.runId)
      const row = await findWorkflowRun(db, customer, runId)
      if (row === undefined) throw notFound('workflow run', runId)
      return { run: workflowRunFromRow(row) }
    },

    async listWorkflowRuns(request: ListWorkflowRunsRequest): Promise<ListWorkflowRunsResponse> {
      const customer = required(request.customer, 'customer')
      const workflowId = required(request.workflowId, 'workflow_id')
      // Runs of a deleted workflow stay listed: they are kept, as its versions are.
      if (!isId(workflowId)) return { runs: [], more: false }
      const after = request.after
      const page = await listWorkflowRuns(db, {
        customer,
        workflowId,
        limit: request.limit,
        ...(after?.creationDate !== undefined && isId(after.id)
          ? { after: { createdAt: after.creationDate, id: after.id } }
          : {}),
      })
      return { runs: page.runs.map(workflowRunFromRow), more: page.more }
    },

    async cancelWorkflowRun(request: CancelWorkflowRunRequest): Promise<CancelWorkflowRunResponse> {
      const customer = required(request.customer, 'customer')
      const runId = runIdOf(request.runId)
      checkSize(Limits.cancelReason, 'reason', request.reason)
      const author = request.author || 'api'
      const draft: RunCommandDraft = {
        type: 'CancelRun',
        customer,
        reason: request.reason || 'canceled by a user',
        author,
        now: new Date(),
      }
      return { run: await command(customer, runId, draft, author) }
    },

    async retryWorkflowRun(request: RetryWorkflowRunRequest): Promise<RetryWorkflowRunResponse> {
      const customer = required(request.customer, 'customer')
      const runId = runIdOf(request.runId)
      const author = request.author || 'api'
      return {
        run: await command(customer, runId, { type: 'RetryRun', customer, author, now: new Date() }, author),
      }
    },
  }
}
