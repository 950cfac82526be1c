import { invalidState, isId, newId, notFound, validationFailed } from '@taskforge/core'
import type { EventStore, GlobalPosition, Projector } from '@taskforge/event-store'
import type {
  GetScriptRequest,
  GetScriptResponse,
  GetTaskRequest,
  GetTaskResponse,
} from '@taskforge/proto/catalog/v1/catalog_service'
import type {
  CancelJobRequest,
  CancelJobResponse,
  GetJobRequest,
  GetJobResponse,
  ListJobsRequest,
  ListJobsResponse,
  RunTaskRequest,
  RunTaskResponse,
} from '@taskforge/proto/jobs/v1/scheduler_service'
import { executeJobCommand } from '../app/job-command-handler.js'
import { resolveTaskArguments } from '../domain/task-arguments.js'
import { findJob, listJobs } from '../projection/job-queries.js'
import type { JobsDb } from '../projection/jobs-projection.js'
import { toProtoJob } from '../projection/to-proto-job.js'
import { jobSpecFromTask } from './job-spec-from-task.js'

/** The catalog queries the scheduler needs (a `TaskCatalogService` client satisfies it). */
export interface TaskCatalog {
  getTask(request: GetTaskRequest): Promise<GetTaskResponse>
  getScript(request: GetScriptRequest): Promise<GetScriptResponse>
}

export interface SchedulerServiceDeps {
  store: EventStore
  projector: Projector
  db: JobsDb
  catalog: TaskCatalog
  /** How long a command waits for the read model before failing (default 10s). */
  projectionTimeoutMs?: number
}

function required(value: string, field: string): string {
  if (value === '') throw validationFailed(`${field} is required`, { field })
  return value
}

/** Job ids are uuids; anything else names no job (and never reaches the store). */
function jobIdOf(value: string): string {
  if (!isId(value)) throw notFound('job', value)
  return value
}

/** `JobSchedulerService`: runs tasks as jobs, answers job queries from the `jobs` read model, cancels. */
export function schedulerService(deps: SchedulerServiceDeps) {
  const { store, projector, db, catalog } = deps
  const timeoutMs = deps.projectionTimeoutMs ?? 10_000

  /** Read-your-writes: waits until the read model passed the job's last event, then answers the job. */
  async function readJob(customer: string, jobId: string, appended: readonly GlobalPosition[]) {
    const position = appended.at(-1) ?? (await store.readStream(jobId)).events.at(-1)
    if (position !== undefined) {
      await projector.waitFor(
        { transactionId: position.transactionId, position: position.position },
        timeoutMs,
      )
    }
    const view = await findJob(db, customer, jobId)
    if (view === undefined) throw notFound('job', jobId)
    return toProtoJob(view)
  }

  return {
    async runTask(request: RunTaskRequest): Promise<RunTaskResponse> {
      const customer = required(request.customer, 'customer')
      const taskId = required(request.taskId, 'task_id')
      if (request.jobId !== '' && !isId(request.jobId)) {
        throw validationFailed('job_id must be a uuid', { field: 'job_id' })
      }
      const { task } = await catalog.getTask({ customer, taskId })
      if (task === undefined) throw notFound('task', taskId)
      const scriptId = task.definition?.scriptId ?? ''
      if (scriptId === '') throw invalidState(`task ${taskId} has no script`)
      const { script } = await catalog.getScript({ customer, scriptId })
      if (script === undefined) throw notFound('script', scriptId)
      const argumentsValues = resolveTaskArguments(
        task.definition?.taskArguments ?? [],
        request.taskArguments,
      )
      const jobId = request.jobId || newId()
      const result = await executeJobCommand(
        store,
        jobId,
        {
          type: 'QueueJob',
          jobId,
          customer,
          spec: jobSpecFromTask(task, script),
          argumentsValues,
          origin: request.origin || 'api',
          now: new Date(),
        },
        { author: request.author || 'system' },
      )
      return { job: await readJob(customer, jobId, result.appended) }
    },

    async getJob(request: GetJobRequest): Promise<GetJobResponse> {
      const customer = required(request.customer, 'customer')
      const jobId = jobIdOf(request.jobId)
      const view = await findJob(db, customer, jobId)
      if (view === undefined) throw notFound('job', jobId)
      return { job: toProtoJob(view) }
    },

    async listJobs(request: ListJobsRequest): Promise<ListJobsResponse> {
      const customer = required(request.customer, 'customer')
      const views = await listJobs(db, {
        customer,
        taskId: request.taskId,
        lifecycle: request.lifecycle,
        state: request.state,
        hostId: request.hostId,
        limit: request.limit,
      })
      return { jobs: views.map(toProtoJob) }
    },

    async cancelJob(request: CancelJobRequest): Promise<CancelJobResponse> {
      const customer = required(request.customer, 'customer')
      const jobId = jobIdOf(request.jobId)
      const result = await executeJobCommand(
        store,
        jobId,
        { type: 'Cancel', customer, reason: request.reason || 'canceled by a user' },
        { author: 'api' },
      )
      return { job: await readJob(customer, jobId, result.appended) }
    },
  }
}
