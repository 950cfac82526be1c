import type { ServerUnaryCall } from '@grpc/grpc-js'
import {
  checkCount,
  checkSize,
  checkTaskArguments,
  conflict,
  ErrorKinds,
  invalidState,
  isAppError,
  isId,
  Limits,
  newId,
  notFound,
  Quotas,
  validationFailed,
} from '@taskforge/core'
import type { Db, EventStore, GlobalPosition, Projector } from '@taskforge/event-store'
import { canSee, isRole, isTerminalLifecycle, toProtoJob } from '@taskforge/model'
import type {
  GetTasksToRunRequest,
  GetTasksToRunResponse,
  GetTaskToRunRequest,
  GetTaskToRunResponse,
} from '@taskforge/proto/catalog/v1/catalog_service'
import type {
  CancelJobRequest,
  CancelJobResponse,
  EmptyTaskQueueRequest,
  EmptyTaskQueueResponse,
  GetJobLogLinesRequest,
  GetJobLogLinesResponse,
  GetJobLogRequest,
  GetJobLogResponse,
  GetJobRequest,
  GetJobResponse,
  ListJobsRequest,
  ListJobsResponse,
  RunCaller,
  RunTaskRequest,
  RunTaskResponse,
  WaitForJobRequest,
  WaitForJobResponse,
} from '@taskforge/proto/jobs/v1/scheduler_service'
import type {
  DecideStepRequest,
  DecideStepResponse,
  ListInboxRequest,
  ListInboxResponse,
  StepVoter as ProtoStepVoter,
} from '@taskforge/proto/jobs/v1/workflow_runs'
import { currentTraceContext, type Logger } from '@taskforge/telemetry'
import { JobCommandBatches } from '../app/job-command-batches.js'
import { executeJobCommand, type JobCommandDeps, type JobCommandResult } from '../app/job-command-handler.js'
import {
  checkRunKey,
  findRunKey,
  type RunKeyClaim,
  type RunKeyOwner,
  RunKeyTaken,
  runKeyReused,
} from '../app/run-keys.js'
import type { JobChangeFeed } from '../changes/job-change-feed.js'
import { type JobCommand, type StepVote, type StepVoter, StepVotes } from '../domain/job-decider.js'
import { resolveTaskArguments } from '../domain/task-arguments.js'
import { findJobLogStatus, readJobLog, readJobLogLines } from '../projection/job-log-queries.js'
import { findJob, listJobPage } from '../projection/job-queries.js'
import { foldJobStream, jobsProjection } from '../projection/jobs-projection.js'
import type { QueueQuotas } from '../schedule/queue-quota.js'
import { lockTask, unstartedJobsOfTask } from '../schedule/task-queue.js'
import { listInbox } from '../workflows/workflow-steps-table.js'
import { jobSpecFromTask } from './job-spec-from-task.js'

/**
 * The catalog query the scheduler needs (a `TaskCatalogService` client satisfies it): a task with
 * its script, in one round trip.
 */
export interface TaskCatalog {
  getTaskToRun(request: GetTaskToRunRequest): Promise<GetTaskToRunResponse>
  /** Several at once, in the order asked (a task not there: `task` unset); a burst of schedule fires. */
  getTasksToRun(request: GetTasksToRunRequest): Promise<GetTasksToRunResponse>
}

/** What a run needs of the catalog: the task and its script (without the content). */
interface TaskToRun {
  task: NonNullable<GetTaskToRunResponse['task']>
  script: GetTaskToRunResponse['script']
}

/** Whether a token's run may see a task with these acls; a run for no token (`caller` unset) needs no check. */
export function shownTo(caller: RunCaller | undefined, acls: readonly string[]): boolean {
  if (caller === undefined) return true
  if (!isRole(caller.role))
    throw validationFailed('caller.role must be viewer, user or admin', { field: 'caller.role' })
  return canSee({ role: caller.role, name: caller.name, tags: caller.tags }, acls)
}

export interface SchedulerServiceDeps extends JobCommandDeps {
  store: EventStore
  projector: Projector
  db: Db
  catalog: TaskCatalog
  changes: JobChangeFeed
  /** Jobs not started a task and an organization may have: a run past them is refused (429). */
  queueQuotas?: QueueQuotas
  /** How long a command waits for the read model before answering anyway (default 10s). */
  projectionTimeoutMs?: number
  logger?: Logger
}

/** Longest wait of one WaitForJob call. */
export const MAX_WAIT_FOR_JOB_MS = 120_000
/** Longest wait of one GetJobLog call. */
export const MAX_LOG_WAIT_MS = 30_000
/** Chunks of log in one GetJobLog answer at most. */
export const LOG_PAGE_SIZE = 1000
/**
 * Bytes of log one GetJobLog answer starts no more chunks past (a chunk is a report's worth, under
 * NATS's max_payload): the answer stays far below the gRPC message size.
 */
export const LOG_PAGE_BYTES = 4 * 1024 * 1024
/** Lines of log one GetJobLogLines answer holds at most (the gateway's `limit` and `tail` bound). */
export const MAX_LOG_LINES = 10_000
/**
 * Waits re-read at least this often even without a notification: the light fallback should one be
 * lost (the listening connection is being re-established).
 */
const FALLBACK_RECHECK_MS = 2_000

/** How a limit's message names a job's argv, which holds more than the values a run gave. */
export const JOB_ARGV = "task_arguments with the task's fixed values and defaults"

/** What {@link schedulerService}'s answers need of a command's result. */
type CommandWrites = Pick<JobCommandResult, 'history' | 'appended'>
const NOTHING_APPENDED: CommandWrites = { history: [], appended: [] }

function required(value: string, field: string): string {
  if (value === '') throw validationFailed(`${field} is required`, { field })
  return value
}

/** Steps one inbox answer holds at most. */
export const MAX_INBOX_PAGE = 1000

/** The voter a request names, checked: a known role, a name, tags of bounded size. */
function voterOf(voter: ProtoStepVoter | undefined): StepVoter {
  if (voter === undefined || voter.name === '')
    throw validationFailed('voter is required', { field: 'voter' })
  if (!isRole(voter.role))
    throw validationFailed('voter.role must be viewer, user or admin', { field: 'voter.role' })
  return { id: voter.id, name: voter.name, role: voter.role, tags: voter.tags }
}

/** Job ids are uuids; anything else names no job (and never reaches the store). */
function jobIdOf(value: string): string {
  if (!isId(value)) throw notFound('job', value)
  return value
}

/** Aborts when the caller gave up (cancelled the call or went away), so a long wait ends with it. */
function callSignal(call: ServerUnaryCall<unknown, unknown> | undefined): AbortSignal | undefined {
  if (call === undefined) return undefined
  const controller = new AbortController()
  call.on('cancelled', () => controller.abort())
  return controller.signal
}

/**
 * `JobSchedulerService`: runs tasks as jobs, cancels them (one, or a task's whole queue), answers job
 * queries from the read models, and lets callers wait for a job's end or follow its log; waits are
 * woken by the projections' change notifications.
 */
export function schedulerService(deps: SchedulerServiceDeps) {
  const { store, projector, db, catalog, changes } = deps
  const timeoutMs = deps.projectionTimeoutMs ?? 10_000
  const quotas = deps.queueQuotas ?? {
    perTask: Quotas.queuedJobsPerTask.value,
    perOrganization: Quotas.queuedJobsPerOrganization.value,
  }
  const runs = new JobCommandBatches(deps)

  /**
   * Read-your-writes for what the caller reads next (the job, from the `jobs` read model). The
   * command has committed: a read model that is late (its database busy) delays the answer by at most
   * the timeout, and then the answer goes out anyway, from the events, with a warning.
   */
  async function caughtUp(appended: readonly GlobalPosition[]): Promise<void> {
    try {
      await projector.waitForAppended(appended, { timeoutMs, projections: [jobsProjection.name] })
    } catch (error) {
      if (!isAppError(error) || error.code !== ErrorKinds.TIMEOUT.code) throw error
      deps.logger?.warn(
        { err: error },
        'jobs read model is behind a committed command; answered from its events',
      )
    }
  }

  /**
   * Read-your-writes (decision 3): waits until the read model passed the events the command appended,
   * then answers the job as the projection folded it, from the stream the command read and the events
   * it appended, without reading it back (decision 11). A command that appended nothing (or a run
   * whose key names an existing job) waits for the job's last event and answers the read model.
   */
  async function answerJob(customer: string, jobId: string, result: CommandWrites) {
    if (result.appended.length > 0) {
      await caughtUp(result.appended)
      const view = foldJobStream([...result.history, ...result.appended])
      if (view === undefined || view.customer !== customer) throw notFound('job', jobId)
      return toProtoJob(view)
    }
    const last = (await store.readStream(jobId)).events.at(-1)
    if (last !== undefined) await caughtUp([last])
    const view = await findJob(db, customer, jobId)
    if (view === undefined) throw notFound('job', jobId)
    return toProtoJob(view)
  }

  /**
   * The task a run names, with its script: read once per run (decision 11). A token's run below
   * admin must be shown the task by its acls, and a run by secret key must give the task's key (the
   * catalog checks it); a task the caller may not see is answered as one that does not exist.
   */
  async function taskToRun(request: RunTaskRequest, taskId: string): Promise<TaskToRun> {
    const { task, script } = await catalog.getTaskToRun({
      customer: request.customer,
      taskId,
      secret: request.secret,
    })
    if (task === undefined || !shownTo(request.caller, task.definition?.acls ?? []))
      throw notFound('task', taskId)
    return { task, script }
  }

  /**
   * Queues a job of the task: a task without multitasking places it in its queue as it stands,
   * alone; the others' runs are group-committed. The queue quotas are held and a run key is
   * claimed in the same transaction.
   */
  async function queueJob(request: RunTaskRequest, { task, script }: TaskToRun, runKey?: RunKeyClaim) {
    const { customer, id: taskId } = task
    const scriptId = task.definition?.scriptId ?? ''
    if (scriptId === '') throw invalidState(`task ${taskId} has no script`)
    if (script === undefined) throw notFound('script', scriptId)
    const argumentsValues = resolveTaskArguments(task.definition?.taskArguments ?? [], request.taskArguments)
    // The job's events carry its whole argv: the task's fixed values and defaults count too.
    checkTaskArguments(argumentsValues, JOB_ARGV)
    const jobId = request.jobId || newId()
    const spec = jobSpecFromTask(task, script)
    const command: JobCommand = {
      type: 'QueueJob',
      jobId,
      customer,
      spec,
      argumentsValues,
      origin: request.origin || 'api',
      now: new Date(),
    }
    const author = request.author || 'system'
    const trace = currentTraceContext()
    const result = spec.multitasking
      ? await runs.apply({
          jobId,
          command,
          author,
          queueQuotas: quotas,
          ...(trace === undefined ? {} : { trace }),
          ...(runKey === undefined ? {} : { runKey }),
        })
      : await executeJobCommand(deps, jobId, command, {
          author,
          queueQuotas: quotas,
          ...(runKey === undefined ? {} : { runKey }),
        })
    return answerJob(customer, jobId, result)
  }

  /** The job a run key names, as it is now; refused when the key was taken for another task. */
  async function keyedJob(runKey: RunKeyClaim, owner: RunKeyOwner) {
    if (owner.taskId !== runKey.taskId) throw runKeyReused(runKey, owner)
    return answerJob(runKey.customer, owner.jobId, NOTHING_APPENDED)
  }

  return {
    async runTask(request: RunTaskRequest): Promise<RunTaskResponse> {
      // A run by secret key may leave the organization out: the task's own is used.
      if (request.secret === '') required(request.customer, 'customer')
      const taskId = required(request.taskId, 'task_id')
      if (request.jobId !== '' && !isId(request.jobId)) {
        throw validationFailed('job_id must be a uuid', { field: 'job_id' })
      }
      checkTaskArguments(request.taskArguments)
      if (request.idempotencyKey !== '') checkRunKey(request.idempotencyKey)
      const run = await taskToRun(request, taskId)
      if (request.idempotencyKey === '') return { job: await queueJob(request, run) }
      const runKey: RunKeyClaim = { customer: run.task.customer, key: request.idempotencyKey, taskId }
      const owner = await findRunKey(db, runKey.customer, runKey.key)
      if (owner !== undefined) return { job: await keyedJob(runKey, owner) }
      try {
        return { job: await queueJob(request, run, runKey) }
      } catch (error) {
        // A concurrent run with the key created its job first (and committed): answer that one.
        if (!(error instanceof RunKeyTaken)) throw error
        const winner = await findRunKey(db, runKey.customer, runKey.key)
        if (winner === undefined) throw error
        return { job: await keyedJob(runKey, winner) }
      }
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
      const page = await listJobPage(db, {
        customer,
        taskId: request.taskId,
        lifecycle: request.lifecycle,
        state: request.state,
        hostId: request.hostId,
        origin: request.origin,
        limit: request.limit,
        ...(request.visibleTasks === undefined ? {} : { taskIds: request.visibleTasks.ids }),
        ...(request.createdAfter === undefined ? {} : { createdAfter: request.createdAfter }),
        ...(request.createdBefore === undefined ? {} : { createdBefore: request.createdBefore }),
        ...(request.after?.creationDate === undefined
          ? {}
          : { after: { creationDate: request.after.creationDate, id: request.after.id } }),
      })
      return { jobs: page.jobs.map(toProtoJob), more: page.more }
    },

    async decideStep(request: DecideStepRequest): Promise<DecideStepResponse> {
      const customer = required(request.customer, 'customer')
      const jobId = jobIdOf(request.jobId)
      const voter = voterOf(request.voter)
      if (!(StepVotes as readonly string[]).includes(request.vote))
        throw validationFailed('vote must be approve, reject or input', { field: 'vote', allowed: StepVotes })
      checkSize(Limits.stepComment, 'comment', request.comment)
      checkCount(Limits.taskArgumentCount, 'answers', Object.keys(request.answers).length)
      // Applied once: the vote is decided on the step's stream as read and appended at that version;
      // a vote that lost the race to another finds the stream moved on (409).
      let result: JobCommandResult
      try {
        result = await executeJobCommand(
          deps,
          jobId,
          {
            type: 'DecideStep',
            customer,
            voter,
            vote: request.vote as StepVote,
            comment: request.comment,
            answers: request.answers,
            now: new Date(),
          },
          { author: voter.name || 'api' },
        )
      } catch (error) {
        if (isAppError(error) && error.code === ErrorKinds.WRONG_EXPECTED_VERSION.code)
          throw conflict(
            'another vote on this step was applied first: read the step again, and vote if it still waits',
            {
              jobId,
            },
          )
        throw error
      }
      return { job: await answerJob(customer, jobId, result) }
    },

    async listInbox(request: ListInboxRequest): Promise<ListInboxResponse> {
      const customer = required(request.customer, 'customer')
      const voter = voterOf(request.voter)
      const limit = Math.min(Math.max(request.limit || 100, 1), MAX_INBOX_PAGE)
      const after =
        request.afterCreatedAt === undefined
          ? undefined
          : { createdAt: request.afterCreatedAt, jobId: request.afterJobId }
      return listInbox(db, {
        customer,
        voter: { ...voter, tags: [...voter.tags] },
        workflowIds: request.visibleWorkflows?.ids,
        limit,
        after,
      })
    },

    async cancelJob(request: CancelJobRequest): Promise<CancelJobResponse> {
      const customer = required(request.customer, 'customer')
      const jobId = jobIdOf(request.jobId)
      checkSize(Limits.cancelReason, 'reason', request.reason)
      const result = await executeJobCommand(
        deps,
        jobId,
        { type: 'Cancel', customer, reason: request.reason || 'canceled by a user' },
        { author: request.author || 'api' },
      )
      return { job: await answerJob(customer, jobId, result) }
    },

    async emptyTaskQueue(request: EmptyTaskQueueRequest): Promise<EmptyTaskQueueResponse> {
      const customer = required(request.customer, 'customer')
      const taskId = required(request.taskId, 'task_id')
      const { jobIds, appended } = await store.transaction(async (trx) => {
        await lockTask(trx, taskId)
        const canceled: string[] = []
        const positions: GlobalPosition[] = []
        for (const jobId of await unstartedJobsOfTask(trx, customer, taskId)) {
          const result = await executeJobCommand(
            deps,
            jobId,
            { type: 'Cancel', customer, reason: 'the task queue was emptied', scope: 'not-started' },
            { author: request.author || 'api', trx },
          )
          if (result.newEvents.some((event) => event.$case === 'canceled')) canceled.push(jobId)
          positions.push(...result.appended)
        }
        return { jobIds: canceled, appended: positions }
      })
      await caughtUp(appended)
      return { canceled: jobIds.length, jobIds }
    },

    async waitForJob(
      request: WaitForJobRequest,
      call?: ServerUnaryCall<WaitForJobRequest, WaitForJobResponse>,
    ): Promise<WaitForJobResponse> {
      const customer = required(request.customer, 'customer')
      const jobId = jobIdOf(request.jobId)
      const deadline = Date.now() + Math.min(request.timeoutMs, MAX_WAIT_FOR_JOB_MS)
      const signal = callSignal(call)
      for (;;) {
        const change = changes.next(jobId)
        const view = await findJob(db, customer, jobId)
        if (view === undefined) {
          change.cancel()
          throw notFound('job', jobId)
        }
        const done = isTerminalLifecycle(view.lifecycle)
        const remaining = deadline - Date.now()
        if (done || remaining <= 0 || signal?.aborted) {
          change.cancel()
          return { job: toProtoJob(view), done }
        }
        await change.until(Math.min(remaining, FALLBACK_RECHECK_MS), signal)
      }
    },

    async getJobLog(
      request: GetJobLogRequest,
      call?: ServerUnaryCall<GetJobLogRequest, GetJobLogResponse>,
    ): Promise<GetJobLogResponse> {
      const customer = required(request.customer, 'customer')
      const jobId = jobIdOf(request.jobId)
      const deadline = Date.now() + Math.min(request.waitMs, MAX_LOG_WAIT_MS)
      const afterSeq = Math.max(request.afterSeq, -1)
      const signal = callSignal(call)
      for (;;) {
        const change = changes.next(jobId)
        // The status first: a log seen complete has all its chunks committed before this read of them.
        const status = await findJobLogStatus(db, customer, jobId)
        if (status === undefined) {
          change.cancel()
          throw notFound('job', jobId)
        }
        const { chunks, more } = await readJobLog(db, jobId, afterSeq, {
          limit: LOG_PAGE_SIZE,
          maxBytes: LOG_PAGE_BYTES,
          raw: request.raw,
        })
        const remaining = deadline - Date.now()
        if (chunks.length > 0 || status.done || remaining <= 0 || signal?.aborted) {
          change.cancel()
          return {
            chunks: chunks.map((chunk) => ({ ...chunk, data: chunk.data ?? Buffer.alloc(0) })),
            done: status.done && !more,
            truncatedBytes: BigInt(status.truncatedBytes),
          }
        }
        await change.until(Math.min(remaining, FALLBACK_RECHECK_MS), signal)
      }
    },

    async getJobLogLines(request: GetJobLogLinesRequest): Promise<GetJobLogLinesResponse> {
      const customer = required(request.customer, 'customer')
      const jobId = jobIdOf(request.jobId)
      // The status first: a log seen complete has all its chunks committed before this read of them.
      const status = await findJobLogStatus(db, customer, jobId)
      if (status === undefined) throw notFound('job', jobId)
      const range =
        request.tail === undefined
          ? { offset: request.offset, limit: Math.min(request.limit || MAX_LOG_LINES, MAX_LOG_LINES) }
          : { tail: Math.min(request.tail, MAX_LOG_LINES) }
      const read = await readJobLogLines(db, jobId, range, LOG_PAGE_BYTES)
      return {
        offset: read.offset,
        lines: read.lines,
        totalLines: read.total,
        done: status.done,
        truncatedBytes: BigInt(status.truncatedBytes),
      }
    },
  }
}
