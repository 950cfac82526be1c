import {
  type EventMetadata,
  type EventStore,
  type HandleCommandResult,
  handleCommand,
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

export type JobCommandResult = HandleCommandResult<JobState, JobDomainEvent>

/**
 * Runs one command against a job stream (read, fold, decide, append) in one transaction with its
 * consequences: the job's schedule row (queue phase, lease), and when a job of a task without
 * multitasking ended, the assignment of the task's next job. New events are stamped with the job's
 * customer (from the stream, so a report cannot claim another), the author and the active trace.
 */
export function executeJobCommand(
  deps: JobCommandDeps,
  jobId: string,
  command: JobCommand,
  context: JobCommandContext,
): Promise<JobCommandResult> {
  const { trx } = context
  if (trx !== undefined) return executeIn(deps, trx, jobId, command, context)
  return deps.store.transaction((own) => executeIn(deps, own, jobId, command, context))
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
  jobId: string,
  command: JobCommand,
  context: JobCommandContext,
): Promise<JobCommandResult> {
  let queuedTask: string | undefined
  // After the job's stream was read (no lock) and before its row is written: the task's lock is
  // always taken before a job stream's, whatever the command.
  const prepare = async (state: JobState, cmd: JobCommand): Promise<JobCommand> => {
    queuedTask = queuedTaskOf(state, cmd)
    if (queuedTask === undefined) return cmd
    await lockTask(trx, queuedTask)
    if (cmd.type !== 'QueueJob' || cmd.placement !== undefined) return cmd
    return { ...cmd, placement: placeJob(cmd.spec, await placementFacts(trx, queuedTask)) }
  }
  const result = await appendDecision(deps.store, trx, jobId, command, context, prepare)
  const { ended } = await applyScheduleEffects(trx, jobId, result.newEvents, deps.leaseMs)
  if (ended && queuedTask !== undefined) {
    const next = await nextWaitingJob(trx, queuedTask)
    if (next !== undefined) {
      await executeIn(
        deps,
        trx,
        next.jobId,
        { type: 'AssignJob', botId: next.botId, now: new Date() },
        { author: 'scheduler', causationId: context.causationId ?? jobId, trx },
      )
    }
  }
  return result
}

function appendDecision(
  store: EventStore,
  trx: Trx,
  jobId: string,
  command: JobCommand,
  context: JobCommandContext,
  prepare: (state: JobState, command: JobCommand) => Promise<JobCommand>,
): Promise<JobCommandResult> {
  let decidedOn: JobState | undefined
  const decider = {
    ...jobDecider,
    decide(cmd: JobCommand, state: JobState) {
      decidedOn = state
      return jobDecider.decide(cmd, state)
    },
  }
  const trace = currentTraceContext()
  const metadata = (): EventMetadata => ({
    customer: decidedOn?.customer || (command.type === 'QueueJob' ? command.customer : ''),
    author: context.author,
    correlationId: jobId,
    ...(context.causationId === undefined ? {} : { causationId: context.causationId }),
    ...(trace === undefined ? {} : { traceparent: trace.traceparent, tracestate: trace.tracestate }),
  })
  return handleCommand(store, {
    streamType: JOB_STREAM_TYPE,
    streamId: jobId,
    decider,
    command,
    encode: (event) => encodeJobEvent(event, metadata()),
    decode: decodeJobEvent,
    trx,
    prepare,
  })
}
