import type { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { JobState } from '@taskforge/proto/jobs/v1/model'
import {
  type FinishedState,
  isFinishedState,
  isTerminalLifecycle,
  type JobLifecycleName,
  type JobStateName,
  lifecycleOf,
  stateName,
} from './job-lifecycle.js'

/** One event of a job stream: the oneof case of `jobs.v1.JobEvent`. */
export type JobDomainEvent = NonNullable<JobEvent['event']>

/** Where a job stands: what every reader of job events derives from them the same way. */
export interface JobStatus {
  lifecycle: JobLifecycleName
  state: JobStateName
  /** The bot of the current attempt reported its start (the job runs, or ran). */
  started: boolean
}

/**
 * The outcome a finished event records: its `outcome` enum, or for an event written before it, its
 * `state` string; what neither names is an error of the run.
 */
export function finishedOutcome(finished: { outcome: JobState; state: string }): FinishedState {
  const name =
    finished.outcome === JobState.JOB_STATE_UNSPECIFIED ? finished.state : stateName(finished.outcome, '')
  return isFinishedState(name) ? name : 'error'
}

/**
 * The one fold of job events to a job's lifecycle and state. Undefined until the job is queued;
 * an ended job stays as it ended whatever comes after. Every reader of job events (the scheduler's
 * decider, read model and schedule, the webhook relay) takes lifecycle and state from here.
 *
 * @example
 * const status = events.reduce(jobStatusAfter, undefined)
 */
export function jobStatusAfter(status: JobStatus | undefined, event: JobDomainEvent): JobStatus | undefined {
  if (event.$case === 'queued') {
    if (status !== undefined) return status
    return {
      lifecycle: event.value.holdUntil === undefined ? 'ready' : 'onhold',
      state: 'in_progress',
      started: false,
    }
  }
  if (status === undefined || isTerminalLifecycle(status.lifecycle)) return status
  switch (event.$case) {
    case 'assigned':
      return { lifecycle: 'assigned', state: 'in_progress', started: false }
    case 'started':
      return { lifecycle: 'assigned', state: 'in_progress', started: true }
    case 'holdReleased':
      return status.lifecycle === 'onhold' ? { ...status, lifecycle: 'ready' } : status
    case 'finished': {
      const state = finishedOutcome(event.value)
      return { ...status, lifecycle: lifecycleOf(state), state }
    }
    case 'canceled':
      return { ...status, lifecycle: 'canceled', state: 'canceled' }
    case 'leaseExpired':
      return { ...status, lifecycle: 'terminated', state: 'error' }
    case 'awaitingApproval':
      // A workflow step: no bot runs it; it waits for people (decision 32).
      return status.started ? status : { ...status, lifecycle: 'waiting' }
    case 'stepVoted':
    case 'outputAppended':
    case 'cancelRequested':
      return status
  }
}
