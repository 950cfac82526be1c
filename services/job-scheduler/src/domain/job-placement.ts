import type { JobSpec } from '@taskforge/proto/jobs/v1/model'

/**
 * Where a new job goes: straight to a bot, or held in `ready` until a later `AssignJob`. The decision is
 * made from facts the caller passes in, so that bot availability and multitasking rules can be added
 * here without changing the decider.
 */
export type Placement = { kind: 'assign'; botId: string } | { kind: 'hold'; reason: string }

/** Facts about the task's other jobs known when the job is queued; absent facts mean "none". */
export interface PlacementFacts {
  /** Jobs of the same task assigned to a bot or running now. */
  runningJobsOfTask?: number
  /** Jobs of the same task already held in `ready` for their turn: a new one queues behind them. */
  waitingJobsOfTask?: number
}

/**
 * The default placement rule: the task's host runs the job, unless the task forbids running it twice
 * at once and another job of it is running or waiting (jobs of such a task run one at a time, in order).
 */
export function placeJob(spec: JobSpec, facts: PlacementFacts = {}): Placement {
  if (spec.hostId === '') return { kind: 'hold', reason: 'the task has no host' }
  if (!spec.multitasking && (facts.runningJobsOfTask ?? 0) + (facts.waitingJobsOfTask ?? 0) > 0) {
    return { kind: 'hold', reason: 'the task does not allow multitasking and a job of it is running' }
  }
  return { kind: 'assign', botId: spec.hostId }
}
