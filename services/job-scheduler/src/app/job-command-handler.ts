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
import { applyScheduleEffects } from '../schedule/schedule-effects.js'
import { lockTask, nextWaitingJob, placementFacts } from '../schedule/task-queue.js'

export interface JobCommandDeps {
  store: EventStore
  /** How long a running job lives without a sign of life (heartbeat, output) from its bot. */
  leaseMs: number
}

export interface JobCommandContext {
  /** Who asked: a token name, "secret", "trigger", a bot id or "scheduler". */
  author: string
  causationId?: string
  /** Append inside this transaction (with an inbox claim, for example). */
  trx?: Trx
}

/** One command of {@link executeJobCommands}. */
export interface JobCommandRequest {
  jobId: string
  command: JobCommand
  author: string
  causationId?: string
  /** The trace its events continue (by default none). */
  trace?: { traceparent: string; tracestate?: string }
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
 * The task whose queue a command on this job decides about: only jobs of a task without
 * multitasking wait for each other. Undefined for every other job, whose commands then take no
 * lock and read no other job's row.
 */
function queuedTaskOf(state: JobState, command: JobCommand): string | undefined {
  const spec = command.type === 'QueueJob' ? command.spec : state.spec
  if (spec === undefined || spec.multitasking || spec.taskId === '') return undefined
  return spec.taskId
}

async function executeIn(
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
  // A task whose job ended may hand its turn to its next job (its lock is already held).
  for (const request of requests) {
    const task = queuedTasks.get(request.jobId)
    if (task === undefined || !ended.has(request.jobId)) continue
    const next = await nextWaitingJob(trx, task)
    if (next === undefined) continue
    const [outcome] = await executeIn(deps, trx, [
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
