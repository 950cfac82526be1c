import {
  checkSize,
  checkTaskArguments,
  ErrorKinds,
  isAppError,
  isId,
  Limits,
  newId,
  notFound,
  validationFailed,
} from '@taskforge/core'
import type { Db, EventStore, GlobalPosition, Projector } from '@taskforge/event-store'
import type { GetWorkflowRequest, GetWorkflowResponse } from '@taskforge/proto/catalog/v1/catalog_service'
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
import type { TaskCatalog } from '../grpc/scheduler-service.js'
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

  return {
    async runWorkflow(request: RunWorkflowRequest): Promise<RunWorkflowResponse> {
      const customer = required(request.customer, 'customer')
      const workflowId = required(request.workflowId, 'workflow_id')
      checkTaskArguments(request.arguments)
      if (!isId(workflowId)) throw notFound('workflow', workflowId)
      const { workflow } = await catalog.getWorkflow({ customer, workflowId, version: 0 })
      if (workflow?.definition === undefined) throw notFound('workflow', workflowId)
      const definition = workflow.definition
      // Runs of an organization are held to its queue quotas, as its jobs are (429 when past them).
      const start = definition.nodes.find((node) => node.key === definition.start)
      await checkQueueQuota(db, deps.queueQuotas, customer, (start && taskOf(start)) ?? '')
      const runId = newId()
      const author = request.author || 'system'
      const result = await store.transaction(async (trx) => {
        await keepWorkflow(trx, workflow)
        return executeRunCommand(
          deps,
          trx,
          runId,
          {
            type: 'StartRun',
            runId,
            customer,
            workflowId,
            version: workflow.version,
            arguments: request.arguments,
            origin: request.origin || 'api',
            author,
            authorId: request.authorId,
            now: new Date(),
          },
          author,
          definition,
        )
      })
      deps.onWoken?.(new Date())
      return { run: await answer(customer, runId, result.appended) }
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
