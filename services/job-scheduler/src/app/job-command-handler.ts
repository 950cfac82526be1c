import {
  type CommandOutcome,
  type EventMetadata,
  type EventStore,
  type HandleCommandResult,
  handleCommands,
  type PendingCommand,
  type Trx,
} from '@taskforge/event-store'
import { currentTraceContext } from '@taskforge/telemetry'
import { type JobCommand, type JobDomainEvent, type JobState, jobDecider } from '../domain/job-decider.js'
import { decodeJobEvent, encodeJobEvent, JOB_STREAM_TYPE } from '../domain/job-events.js'
import { placeJob } from '../domain/job-placement.js'
import { countNotStarted, type QueueQuotas, takeQueueRoom } from '../schedule/queue-quota.js'
import { applyScheduleEffects } from '../schedule/schedule-effects.js'
import { lockTask, nextWaitingJob, placementFacts } from '../schedule/task-queue.js'
import { wakeBufferedFires } from '../schedules/schedule-tables.js'
import { applyStepEvents } from '../workflows/workflow-steps-table.js'
import { wakeRunsOfEndedJobs } from '../workflows/workflow-tables.js'
import { claimRunKey, type RunKeyClaim, RunKeyTaken, releaseRunKey } from './run-keys.js'

export interface JobCommandDeps {
  store: EventStore
  /** How long a running job lives without a sign of life (heartbeat, output) from its bot. */
  leaseMs: number
  /**
   * Told once a transaction that ended workflow nodes' jobs committed (their runs have wake-ups
   * waiting): the run timers look at them then.
   */
  onRunsWoken?: () => void
}

export interface JobCommandContext {
  /** Who asked: a token name, "secret", "trigger", a bot id or "scheduler". */
  author: string
  causationId?: string
  /** Append inside this transaction (with an inbox claim, for example). */
  trx?: Trx
  /** See {@link JobCommandRequest.runKey}. */
  runKey?: RunKeyClaim
  /** See {@link JobCommandRequest.queueQuotas}. */
  queueQuotas?: QueueQuotas
}

/** One command of {@link executeJobCommands}. */
export interface JobCommandRequest {
  jobId: string
  command: JobCommand
  author: string
  causationId?: string
  /** The trace its events continue (by default none). */
  trace?: { traceparent: string; tracestate?: string }
  /**
   * A run's idempotency key, claimed for this job in the transaction that creates it: when a live
   * run holds the key already, the command fails alone with {@link RunKeyTaken} and writes nothing.
   */
  runKey?: RunKeyClaim
  /**
   * For a `QueueJob`: the quotas of jobs not started its task and organization are held to, counted
   * in the transaction that queues it, once for its whole batch (batch-mates count each other). Past
   * either, the command fails alone with the quota's error and writes nothing.
   */
  queueQuotas?: QueueQuotas
}

export type JobCommandResult = HandleCommandResult<JobState, JobDomainEvent>
export type JobCommandOutcome = CommandOutcome<JobState, JobDomainEvent>

/**
 * Runs one command against a job stream (read, fold, decide, append) in one transaction with its
 * consequences: the job's schedule row (queue phase, lease), and when a job of a task without
 * multitasking ended, the assignment of the task's next job. New events are stamped with the job's
 * customer (from the stream, so a report cannot claim another), the author and the active trace.
 */
export async function executeJobCommand(
  deps: JobCommandDeps,
  jobId: string,
  command: JobCommand,
  context: JobCommandContext,
): Promise<JobCommandResult> {
  const trace = currentTraceContext()
  const request: JobCommandRequest = {
    jobId,
    command,
    author: context.author,
    ...(context.causationId === undefined ? {} : { causationId: context.causationId }),
    ...(trace === undefined ? {} : { trace }),
    ...(context.runKey === undefined ? {} : { runKey: context.runKey }),
    ...(context.queueQuotas === undefined ? {} : { queueQuotas: context.queueQuotas }),
  }
  const run = async (trx: Trx) => {
    const [outcome] = await executeIn(deps, trx, [request])
    if (!outcome!.ok) throw outcome!.error
    return outcome!.result
  }
  return context.trx !== undefined ? run(context.trx) : deps.store.transaction(run)
}

/**
 * {@link executeJobCommand} for commands on distinct jobs at once, in one transaction: one read of
 * their streams, one append, their schedule rows written together. A command whose decision fails
 * fails alone (nothing of it is written); the others commit. Answers each command's outcome, in
 * the order given; a database error rejects them all. Commands that place a new job (`QueueJob`)
 * decide on the schedule as it was before the batch: give those one at a time.
 */
export function executeJobCommands(
  deps: JobCommandDeps,
  requests: readonly JobCommandRequest[],
): Promise<JobCommandOutcome[]> {
  return deps.store.transaction((trx) => executeIn(deps, trx, requests))
}

/**
 * {@link executeJobCommands} in the caller's transaction (a burst of schedule fires queues its jobs
 * with the fires' own writes). The same rule holds: a `QueueJob` of a task without multitasking
 * decides on the task's queue as it was before the batch, so give at most one such per task.
 */
export function executeJobCommandsIn(
  deps: JobCommandDeps,
  trx: Trx,
  requests: readonly JobCommandRequest[],
): Promise<JobCommandOutcome[]> {
  return executeIn(deps, trx, requests)
}

/**
 * The task whose queue a command on this job decides about: only jobs of a task without
 * multitasking wait for each other. Undefined for every other job, whose commands then take no
 * lock and read no other job's row.
 */
function queuedTaskOf(state: JobState, command: JobCommand): string | undefined {
  const spec = command.type === 'QueueJob' ? command.spec : state.spec
  if (spec === undefined || spec.multitasking || spec.taskId === '') return undefined
  return spec.taskId
}

/**
 * Holds the new jobs to their queue quotas, claims the runs' keys (before any task's lock, in key
 * order, so that transactions claiming several keys cannot wait for each other in a circle), then
 * applies the commands whose key is theirs. A command that failed gives its key back, so the key
 * names a job only when the job was created.
 */
async function executeIn(
  deps: JobCommandDeps,
  trx: Trx,
  requests: readonly JobCommandRequest[],
): Promise<JobCommandOutcome[]> {
  const outcomes: (JobCommandOutcome | undefined)[] = await holdToQueueQuotas(trx, requests)
  const keyed = requests
    .map((request, index) => ({ request, index }))
    .filter(({ request, index }) => request.runKey !== undefined && outcomes[index] === undefined)
    .sort((a, b) => compareKeys(a.request.runKey!, b.request.runKey!))
  for (const { request, index } of keyed) {
    if (!(await claimRunKey(trx, request.runKey!, request.jobId))) {
      outcomes[index] = { ok: false, error: new RunKeyTaken(request.runKey!) }
    }
  }
  const open = requests.flatMap((_, index) => (outcomes[index] === undefined ? [index] : []))
  if (open.length === 0) return outcomes.map((outcome) => outcome!)
  const applied = await applyIn(
    deps,
    trx,
    open.map((index) => requests[index]!),
  )
  for (const [at, index] of open.entries()) {
    const outcome = applied[at]!
    const { runKey, jobId } = requests[index]!
    if (!outcome.ok && runKey !== undefined) await releaseRunKey(trx, runKey, jobId)
    outcomes[index] = outcome
  }
  return outcomes.map((outcome) => outcome!)
}

/**
 * Counts the jobs not started of the tasks and organizations the batch's quota-held `QueueJob`s
 * queue to, in one statement, and takes room for each in turn: answers a failed outcome for each
 * one past a quota, undefined for the others.
 */
async function holdToQueueQuotas(
  trx: Trx,
  requests: readonly JobCommandRequest[],
): Promise<(JobCommandOutcome | undefined)[]> {
  const outcomes: (JobCommandOutcome | undefined)[] = requests.map(() => undefined)
  const held = requests.flatMap((request, index) => {
    const { command, queueQuotas } = request
    return command.type === 'QueueJob' && queueQuotas !== undefined
      ? [{ index, quotas: queueQuotas, customer: command.customer, taskId: command.spec.taskId }]
      : []
  })
  if (held.length === 0) return outcomes
  // Counted up to the highest quota asked: exact for every quota at or below it.
  const counts = await countNotStarted(
    trx,
    {
      perTask: Math.max(...held.map(({ quotas }) => quotas.perTask)),
      perOrganization: Math.max(...held.map(({ quotas }) => quotas.perOrganization)),
    },
    held,
  )
  for (const { index, quotas, customer, taskId } of held) {
    try {
      takeQueueRoom(quotas, counts, customer, taskId)
    } catch (error) {
      outcomes[index] = { ok: false, error }
    }
  }
  return outcomes
}

const compareKeys = (a: RunKeyClaim, b: RunKeyClaim) =>
  a.customer === b.customer ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.customer < b.customer ? -1 : 1

async function applyIn(
  deps: JobCommandDeps,
  trx: Trx,
  requests: readonly JobCommandRequest[],
): Promise<JobCommandOutcome[]> {
  const queuedTasks = new Map<string, string>()
  // After the jobs' streams were read (no lock) and before anything is written: the tasks' locks
  // are always taken before a job stream's, and in task order, whatever the commands.
  const prepare = async (pending: readonly PendingCommand<JobCommand, JobState>[]): Promise<JobCommand[]> => {
    for (const { streamId, state, command } of pending) {
      const task = queuedTaskOf(state, command)
      if (task !== undefined) queuedTasks.set(streamId, task)
    }
    for (const task of [...new Set(queuedTasks.values())].sort()) await lockTask(trx, task)
    const commands: JobCommand[] = []
    for (const { streamId, command } of pending) {
      const task = queuedTasks.get(streamId)
      commands.push(
        task === undefined || command.type !== 'QueueJob' || command.placement !== undefined
          ? command
          : { ...command, placement: placeJob(command.spec, await placementFacts(trx, task)) },
      )
    }
    return commands
  }
  const outcomes = await handleCommands(deps.store, {
    streamType: JOB_STREAM_TYPE,
    decider: jobDecider,
    decode: decodeJobEvent,
    trx,
    prepare,
    commands: requests.map((request) => ({
      streamId: request.jobId,
      command: request.command,
      encode: (event: JobDomainEvent, decidedOn: JobState) =>
        encodeJobEvent(event, metadataOf(request, decidedOn)),
    })),
  })
  const changes = requests.flatMap((request, index) => {
    const outcome = outcomes[index]!
    return outcome.ok ? [{ jobId: request.jobId, events: outcome.result.newEvents }] : []
  })
  const ended = await applyScheduleEffects(trx, changes, deps.leaseMs)
  // A schedule's fire kept by `buffer_one` may wait for one of them.
  await wakeBufferedFires(
    trx,
    requests.flatMap((request, index) => {
      const outcome = outcomes[index]!
      return outcome.ok && outcome.result.state.scheduleId !== '' && ended.has(request.jobId)
        ? [request.jobId]
        : []
    }),
  )
  // The end of a workflow node's job reaches its run in the transaction that ends it: a wake-up row
  // the run's timer loop consumes in the transaction that records the end (never lost, never twice).
  const runEnds = requests.flatMap((request, index) => {
    const outcome = outcomes[index]!
    if (!outcome.ok || !ended.has(request.jobId)) return []
    const { workflowRunId, customer } = outcome.result.state
    return workflowRunId === '' ? [] : [{ jobId: request.jobId, runId: workflowRunId, customer }]
  })
  await wakeRunsOfEndedJobs(trx, runEnds)
  if (runEnds.length > 0 && deps.onRunsWoken !== undefined) deps.store.afterCommit(trx, deps.onRunsWoken)
  // The inbox of waiting workflow steps follows their jobs in the same transaction.
  await applyStepEvents(
    trx,
    requests.flatMap((request, index) => {
      const outcome = outcomes[index]!
      if (!outcome.ok || outcome.result.state.step === undefined) return []
      return [
        { jobId: request.jobId, customer: outcome.result.state.customer, events: outcome.result.newEvents },
      ]
    }),
    new Date(),
  )
  // A task whose job ended may hand its turn to its next job (its lock is already held).
  for (const request of requests) {
    const task = queuedTasks.get(request.jobId)
    if (task === undefined || !ended.has(request.jobId)) continue
    const next = await nextWaitingJob(trx, task)
    if (next === undefined) continue
    const [outcome] = await applyIn(deps, trx, [
      {
        jobId: next.jobId,
        command: { type: 'AssignJob', botId: next.botId, now: new Date() },
        author: 'scheduler',
        causationId: request.causationId ?? request.jobId,
        ...(request.trace === undefined ? {} : { trace: request.trace }),
      },
    ])
    if (!outcome!.ok) throw outcome!.error
  }
  return outcomes
}

function metadataOf(request: JobCommandRequest, decidedOn: JobState): EventMetadata {
  const { command, trace } = request
  return {
    customer: decidedOn.customer || (command.type === 'QueueJob' ? command.customer : ''),
    author: request.author,
    correlationId: request.jobId,
    ...(request.causationId === undefined ? {} : { causationId: request.causationId }),
    ...(trace === undefined ? {} : { traceparent: trace.traceparent, tracestate: trace.tracestate }),
  }
}
