import { type Decider, forbidden, invalidState, notFound, validationFailed } from '@taskforge/core'
import {
  FinishedStates,
  isFinishedState,
  isRole,
  isTerminalLifecycle,
  type JobDomainEvent,
  type JobLifecycleName,
  type JobStateName,
  jobStatusAfter,
  lifecycleOf,
  mayDecide,
  stateCode,
} from '@taskforge/model'
import type { TriggerChain } from '@taskforge/proto/jobs/v1/events'
import type { JobResult, JobSpec, WorkflowStep } from '@taskforge/proto/jobs/v1/model'
import { type Placement, type PlacementFacts, placeJob } from './job-placement.js'
import { stepAnswers } from './step-answers.js'

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
  /** An approval or input step: no bot runs the job; it waits for people (decision 32). */
  step?: WorkflowStep
}

/** Who decides on a step, as the gateway authenticated the caller. */
export interface StepVoter {
  /** The token's id; '' for the operator's root token. */
  id: string
  name: string
  role: string
  tags: readonly string[]
}

export const StepVotes = ['approve', 'reject', 'input'] as const
export type StepVote = (typeof StepVotes)[number]

/** An approval, a rejection, or the answers to an input step's form (checked against it already). */
export interface DecideStep {
  type: 'DecideStep'
  customer: string
  voter: StepVoter
  vote: StepVote
  comment: string
  /** Input steps: the answers by label, as given (checked against the form by {@link stepAnswers}). */
  answers: Readonly<Record<string, string>>
  now: Date
}

/** The step's `expires_at` came: a step still waiting ends `timeout` (its node `expired`). */
export interface ExpireStep {
  type: 'ExpireStep'
  now: Date
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
  | DecideStep
  | ExpireStep

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
  /** What an approval or input step waits for; undefined for a job a bot runs. */
  step: WorkflowStep | undefined
  /** The votes a step had, in order. */
  votes: readonly { voterId: string; voterName: string; vote: string }[]
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
  step: undefined,
  votes: [],
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
  if (command.step !== undefined)
    return [queued, { $case: 'awaitingApproval', value: { step: command.step } }]
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
    case 'DecideStep':
      return decideStep(command, state)
    case 'ExpireStep':
      return expireStep(command, state)
  }
}

/** Whether this voter is the token that started the step's run: by its id, or a token of its name. */
function isStarter(step: WorkflowStep, voter: StepVoter): boolean {
  if (step.starterId === '') return false
  return (voter.id !== '' && voter.id === step.starterId) || voter.name === step.starterName
}

function finishedStep(
  state: 'success' | 'failure' | 'timeout',
  reason: string,
  output: string[],
): JobDomainEvent {
  return {
    $case: 'finished',
    value: {
      lifecycle: lifecycleOf(state),
      state,
      outcome: stateCode(state),
      result: {
        signal: '',
        killed: false,
        log: output.join('\n'),
        lastline: output.at(-1) ?? '',
        truncatedBytes: 0n,
        reason,
        abridged: false,
      },
      output,
    },
  }
}

/**
 * A vote on a waiting step (decision 32). Refused: a job that is no step, or no longer waits (409);
 * a vote of the wrong kind for the step (422); the token that started the run, whatever path makes
 * it an approver, and a caller the approvers do not name (403); a second vote of the same token
 * (409). Any rejection fails the step; `required` approvals, or one answer, succeed it.
 */
function decideStep(command: DecideStep, state: JobState): JobDomainEvent[] {
  const jobId = existing(state)
  if (state.customer !== command.customer) throw notFound('job', jobId)
  const step = state.step
  if (step === undefined) throw invalidState(`job ${jobId} is not a step that waits for a decision`)
  const { voter } = command
  if (isStarter(step, voter))
    throw forbidden(`the token that started run ${step.runId} may not decide its steps`)
  const subject = { role: isRole(voter.role) ? voter.role : 'viewer', name: voter.name, tags: voter.tags }
  if (!mayDecide(subject, step.approvers))
    throw forbidden(`${voter.name} is not one of the approvers of step ${step.node}`)
  if (isTerminal(state))
    throw invalidState(`step ${step.node} was decided already: the job is ${state.lifecycle}`, {
      lifecycle: state.lifecycle,
      state: state.state,
    })
  const expected = step.kind === 'input' ? 'input' : ['approve', 'reject']
  if (step.kind === 'input' ? command.vote !== 'input' : command.vote === 'input') {
    throw validationFailed(
      `step ${step.node} is an ${step.kind} step: ${step.kind === 'input' ? 'answer it with PUT …/input' : 'approve or reject it'}`,
      { field: 'vote', allowed: expected },
    )
  }
  if (
    state.votes.some(
      (vote) => (voter.id !== '' && vote.voterId === voter.id) || vote.voterName === voter.name,
    )
  )
    throw invalidState(`${voter.name} voted on step ${step.node} already`)
  if (step.expiresAt !== undefined && command.now >= step.expiresAt)
    throw invalidState(`step ${step.node} expired at ${step.expiresAt.toISOString()}`)
  const answered = command.vote === 'input' ? stepAnswers(step.form, command.answers) : undefined
  const voted: JobDomainEvent = {
    $case: 'stepVoted',
    value: {
      voterId: voter.id,
      voterName: voter.name,
      vote: command.vote,
      comment: command.comment,
      answers: answered?.byLabel ?? {},
    },
  }
  const why = command.comment === '' ? '' : `: ${command.comment}`
  switch (command.vote) {
    case 'reject':
      return [voted, finishedStep('failure', `rejected by ${voter.name}${why}`, [])]
    case 'input':
      return [voted, finishedStep('success', `answered by ${voter.name}`, answered?.values ?? [])]
    case 'approve': {
      const approvers = [
        ...state.votes.filter((vote) => vote.vote === 'approve').map((vote) => vote.voterName),
        voter.name,
      ]
      if (approvers.length < Math.max(1, step.required)) return [voted]
      return [voted, finishedStep('success', `approved by ${approvers.join(', ')}`, [])]
    }
  }
}

function expireStep(command: ExpireStep, state: JobState): JobDomainEvent[] {
  existing(state)
  const step = state.step
  if (step === undefined || isTerminal(state)) return []
  if (step.expiresAt !== undefined && command.now < step.expiresAt) return []
  return [finishedStep('timeout', `step ${step.node} expired: nobody decided it in time`, [])]
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
    case 'awaitingApproval':
      return { ...next, step: event.value.step }
    case 'stepVoted':
      return {
        ...next,
        votes: [
          ...state.votes,
          { voterId: event.value.voterId, voterName: event.value.voterName, vote: event.value.vote },
        ],
      }
  }
}

/**
 * The job aggregate: queued, assigned to a bot, started, output, finished, canceled (at once, or asked
 * of the bot running it) or terminated when its lease runs out. Reports from bots are facts that may
 * arrive twice or late, so repeating one is a no-op rather than an error.
 */
export const jobDecider: Decider<JobCommand, JobState, JobDomainEvent> = { decide, evolve, initialState }
