import { type Decider, forbidden, invalidState, notFound, validationFailed } from '@taskforge/core'
import {
  FinishedStates,
  isFinishedState,
  isTerminalLifecycle,
  type JobDomainEvent,
  type JobLifecycleName,
  type JobStateName,
  jobStatusAfter,
  lifecycleOf,
  stateCode,
} from '@taskforge/model'
import type { TriggerChain } from '@taskforge/proto/jobs/v1/events'
import type { JobResult, JobSpec } from '@taskforge/proto/jobs/v1/model'
import { type Placement, type PlacementFacts, placeJob } from './job-placement.js'

export type { JobDomainEvent } from '@taskforge/model'

export interface QueueJob {
  type: 'QueueJob'
  jobId: string
  customer: string
  spec: JobSpec
  argumentsValues: string[]
  origin: string
  now: Date
  /** A triggered run with a grace time waits (lifecycle `onhold`) until then. */
  holdUntil?: Date
  /** Decided by the caller from facts it gathered; {@link placeJob} on the spec alone when absent. */
  placement?: Placement
  /** A triggered job: where it stands in its chain of triggers. */
  chain?: TriggerChain
  /**
   * Why the job may not run (a trigger chain that loops or runs away): it is recorded, and canceled at
   * once with this reason, so the refusal is listed with the task's jobs.
   */
  refusal?: string
  /** A job a schedule's fire started: the schedule and the time the fire was scheduled for. */
  schedule?: { scheduleId: string; scheduledFor: Date }
  /** A job a workflow run queued for one of its nodes: its end goes back to the run. */
  workflow?: { runId: string; node: string }
}
/** The grace time of a job on hold ran out: it becomes `ready`, and goes to a bot when it may run. */
export interface ReleaseHold {
  type: 'ReleaseHold'
  now: Date
  /** What the caller knows of the task's other jobs, for {@link placeJob}; absent means none. */
  facts?: PlacementFacts
}
/** Hands a job held in `ready` to a bot (a new attempt). */
export interface AssignJob {
  type: 'AssignJob'
  botId: string
  now: Date
}
/** Where a bot's report stands among the reports of its job's attempt. */
export interface ReportPlace {
  /** The report's place among its attempt's reports, from 1; 0 or absent: not numbered (applies as it comes). */
  sequence?: number
  /** The attempt the report is about; 0 or absent: the bot did not say. */
  attempt?: number
}
export interface RecordStarted extends ReportPlace {
  type: 'RecordStarted'
  botId: string
  pid: number
  startedAt: Date
}
export interface RecordOutput extends ReportPlace {
  type: 'RecordOutput'
  botId: string
  seq: number
  stream: string
  /** Well-formed text without NUL. */
  text: string
  /** The bytes the script wrote; absent from a bot that did not send them. */
  data?: Buffer
}
export interface RecordFinished extends ReportPlace {
  type: 'RecordFinished'
  botId: string
  state: string
  result: JobResult | undefined
  output: string[]
}
export interface CancelJob {
  type: 'Cancel'
  /** The caller's organization: another one's job is as good as missing. */
  customer: string
  reason: string
  /**
   * `any` (default): a running job is asked to stop on its bot; an ended job is refused.
   * `not-started` (emptying a task's queue): only jobs no bot started are canceled, others are left alone.
   */
  scope?: 'any' | 'not-started'
}

/** The lease of a running job ran out: its bot stopped showing signs of life. */
export interface ExpireLease {
  type: 'ExpireLease'
  /** The bot and attempt the lease was held for; a lease of an older attempt changes nothing. */
  botId: string
  attempt: number
  reason: string
  now: Date
}

export type JobCommand =
  | QueueJob
  | AssignJob
  | RecordStarted
  | RecordOutput
  | RecordFinished
  | CancelJob
  | ExpireLease
  | ReleaseHold

export interface JobState {
  /** Undefined until the job is queued. */
  jobId: string | undefined
  customer: string
  lifecycle: JobLifecycleName | undefined
  state: JobStateName
  spec: JobSpec | undefined
  argumentsValues: readonly string[]
  botId: string | undefined
  attempt: number
  /** The bot that reported the start of the current attempt. */
  startedBy: string | undefined
  outputSeqs: ReadonlySet<number>
  /** A cancel was sent to the bot of the current attempt; the job ends when the bot reports. */
  cancelRequested: boolean
  /** The schedule whose fire started the job; '' when none did. */
  scheduleId: string
  /** The workflow run whose node the job runs; '' for a job of no run. */
  workflowRunId: string
}

/** Whether a job has ended (finished, terminated or canceled). */
export function isTerminal(state: Pick<JobState, 'lifecycle'>): boolean {
  return isTerminalLifecycle(state.lifecycle)
}

const initialState = (): JobState => ({
  jobId: undefined,
  customer: '',
  lifecycle: undefined,
  state: 'in_progress',
  spec: undefined,
  argumentsValues: [],
  botId: undefined,
  attempt: 0,
  startedBy: undefined,
  outputSeqs: new Set(),
  cancelRequested: false,
  scheduleId: '',
  workflowRunId: '',
})

function queue(command: QueueJob, state: JobState): JobDomainEvent[] {
  if (state.jobId !== undefined) {
    // A retried request with the same job id answers the job it already created.
    if (state.customer === command.customer) return []
    throw invalidState(`job ${command.jobId} already exists`)
  }
  if (command.jobId === '') throw validationFailed('job id is required', { field: 'job_id' })
  if (command.customer === '') throw validationFailed('customer is required', { field: 'customer' })
  const queued: JobDomainEvent = {
    $case: 'queued',
    value: {
      jobId: command.jobId,
      customer: command.customer,
      spec: command.spec,
      taskArgumentsValues: command.argumentsValues,
      origin: command.origin,
      holdUntil: command.refusal === undefined ? command.holdUntil : undefined,
      chain: command.chain,
      ...(command.schedule === undefined
        ? {}
        : { scheduleId: command.schedule.scheduleId, scheduledFor: command.schedule.scheduledFor }),
      ...(command.workflow === undefined
        ? {}
        : { workflowRunId: command.workflow.runId, workflowNode: command.workflow.node }),
    },
  }
  if (command.refusal !== undefined)
    return [queued, { $case: 'canceled', value: { reason: command.refusal } }]
  if (command.holdUntil !== undefined && command.holdUntil > command.now) return [queued]
  const placement = command.placement ?? placeJob(command.spec)
  if (placement.kind === 'hold') return [queued]
  return [queued, assigned(placement.botId, 1, command.spec, command.argumentsValues)]
}

function assigned(
  botId: string,
  attempt: number,
  spec: JobSpec | undefined,
  args: readonly string[],
): JobDomainEvent {
  return { $case: 'assigned', value: { botId, attempt, spec, taskArgumentsValues: [...args] } }
}

function existing(state: JobState): string {
  if (state.jobId === undefined) throw notFound('job')
  return state.jobId
}

/** Reports are accepted only from the bot the job is assigned to. */
function requireAssignedBot(state: JobState, botId: string): void {
  const jobId = existing(state)
  if (state.botId === undefined || state.botId !== botId) {
    throw forbidden(`bot ${botId} is not assigned job ${jobId}`)
  }
}

/**
 * A numbered report whose predecessors of the same attempt were not all applied yet (another replica
 * holds one, or it waits for redelivery). Nothing is decided: it must be offered again later.
 */
export class ReportTooEarly extends Error {
  override name = 'ReportTooEarly'
  constructor(
    readonly jobId: string,
    readonly sequence: number,
    readonly applied: number,
  ) {
    super(`report ${sequence} of job ${jobId} came before report ${applied + 1}`)
  }
}

/** Numbered reports of the current attempt applied so far: each applied report left one event. */
function reportsApplied(state: JobState): number {
  return (state.startedBy === undefined ? 0 : 1) + state.outputSeqs.size
}

/**
 * Whether a bot's report is news: false for a report of an ended job, of another attempt, or a
 * numbered one already applied; throws {@link ReportTooEarly} for a numbered one that came before
 * its predecessors. Unnumbered reports are news (the decision then tells duplicates apart).
 */
function isNewReport(state: JobState, command: ReportPlace & { botId: string }): boolean {
  requireAssignedBot(state, command.botId)
  if (isTerminal(state)) return false
  if ((command.attempt ?? 0) > 0 && command.attempt !== state.attempt) return false
  const sequence = command.sequence ?? 0
  if (sequence === 0) return true
  const applied = reportsApplied(state)
  if (sequence <= applied) return false
  if (sequence > applied + 1) throw new ReportTooEarly(existing(state), sequence, applied)
  return true
}

function decide(command: JobCommand, state: JobState): JobDomainEvent[] {
  switch (command.type) {
    case 'QueueJob':
      return queue(command, state)
    case 'AssignJob': {
      const jobId = existing(state)
      if (state.lifecycle !== 'ready') {
        throw invalidState(`job ${jobId} is ${state.lifecycle}, not ready`, { lifecycle: state.lifecycle })
      }
      return [assigned(command.botId, state.attempt + 1, state.spec, state.argumentsValues)]
    }
    case 'RecordStarted':
      if (!isNewReport(state, command) || state.startedBy === command.botId) return []
      return [
        { $case: 'started', value: { botId: command.botId, pid: command.pid, startedAt: command.startedAt } },
      ]
    case 'RecordOutput':
      if (!isNewReport(state, command) || state.outputSeqs.has(command.seq)) return []
      return [
        {
          $case: 'outputAppended',
          value: { seq: command.seq, stream: command.stream, text: command.text, data: command.data },
        },
      ]
    case 'RecordFinished': {
      if (!isNewReport(state, command)) return []
      if (!isFinishedState(command.state)) {
        throw validationFailed(`unknown job state ${JSON.stringify(command.state)}`, {
          field: 'state',
          allowed: FinishedStates,
        })
      }
      return [
        {
          $case: 'finished',
          value: {
            lifecycle: lifecycleOf(command.state),
            state: command.state,
            outcome: stateCode(command.state),
            result: command.result,
            output: command.output,
          },
        },
      ]
    }
    case 'Cancel':
      return cancel(command, state)
    case 'ExpireLease':
      return expireLease(command, state)
    case 'ReleaseHold':
      return releaseHold(command, state)
  }
}

function releaseHold(command: ReleaseHold, state: JobState): JobDomainEvent[] {
  existing(state)
  // A job canceled, or released already, while its timer was due stays as it is.
  if (state.lifecycle !== 'onhold' || state.spec === undefined) return []
  const released: JobDomainEvent = { $case: 'holdReleased', value: { releasedAt: command.now } }
  const placement = placeJob(state.spec, command.facts)
  if (placement.kind === 'hold') return [released]
  return [released, assigned(placement.botId, state.attempt + 1, state.spec, state.argumentsValues)]
}

function cancel(command: CancelJob, state: JobState): JobDomainEvent[] {
  const jobId = existing(state)
  if (state.customer !== command.customer) throw notFound('job', jobId)
  const onlyNotStarted = command.scope === 'not-started'
  if (isTerminal(state)) {
    if (onlyNotStarted) return []
    throw invalidState(`job ${jobId} is already ${state.lifecycle}`, { lifecycle: state.lifecycle })
  }
  const canceled: JobDomainEvent = { $case: 'canceled', value: { reason: command.reason } }
  if (state.lifecycle !== 'assigned' || state.botId === undefined) return [canceled]
  const stop: JobDomainEvent = {
    $case: 'cancelRequested',
    value: { reason: command.reason, botId: state.botId, attempt: state.attempt },
  }
  // A job its bot has not started yet ends now; the bot is still told, so that a dispatch waiting
  // for it is never run and a start racing with this cancel is killed at once.
  if (state.startedBy === undefined) return [stop, canceled]
  if (onlyNotStarted || state.cancelRequested) return []
  return [stop]
}

function expireLease(command: ExpireLease, state: JobState): JobDomainEvent[] {
  existing(state)
  if (
    isTerminal(state) ||
    state.startedBy === undefined ||
    state.botId !== command.botId ||
    state.attempt !== command.attempt
  ) {
    return []
  }
  return [
    {
      $case: 'leaseExpired',
      value: {
        botId: command.botId,
        attempt: command.attempt,
        reason: command.reason,
        expiredAt: command.now,
      },
    },
  ]
}

function evolve(state: JobState, event: JobDomainEvent): JobState {
  const status = jobStatusAfter(
    state.lifecycle === undefined
      ? undefined
      : { lifecycle: state.lifecycle, state: state.state, started: state.startedBy !== undefined },
    event,
  )
  const next = status === undefined ? state : { ...state, lifecycle: status.lifecycle, state: status.state }
  switch (event.$case) {
    case 'queued': {
      const q = event.value
      return {
        ...next,
        jobId: q.jobId,
        customer: q.customer,
        spec: q.spec,
        argumentsValues: q.taskArgumentsValues,
        scheduleId: q.scheduleId ?? '',
        workflowRunId: q.workflowRunId ?? '',
      }
    }
    case 'assigned':
      return {
        ...next,
        botId: event.value.botId,
        attempt: event.value.attempt,
        spec: event.value.spec ?? state.spec,
        argumentsValues: event.value.taskArgumentsValues,
        startedBy: undefined,
        outputSeqs: new Set(),
        cancelRequested: false,
      }
    case 'started':
      return { ...next, startedBy: event.value.botId }
    case 'outputAppended':
      return { ...next, outputSeqs: new Set(state.outputSeqs).add(event.value.seq) }
    case 'cancelRequested':
      return { ...next, cancelRequested: true }
    case 'finished':
    case 'canceled':
    case 'leaseExpired':
    case 'holdReleased':
      return next
  }
}

/**
 * The job aggregate: queued, assigned to a bot, started, output, finished, canceled (at once, or asked
 * of the bot running it) or terminated when its lease runs out. Reports from bots are facts that may
 * arrive twice or late, so repeating one is a no-op rather than an error.
 */
export const jobDecider: Decider<JobCommand, JobState, JobDomainEvent> = { decide, evolve, initialState }
