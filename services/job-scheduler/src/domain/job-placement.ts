import type { JobSpec } from '@taskforge/proto/jobs/v1/model'

/**
 * Where a new job goes: straight to a bot, or held in `ready` until a later `AssignJob`. The decision is
 * made from facts the caller passes in, so that bot availability and multitasking rules can be added
 * here without changing the decider.
 */
export type Placement = { kind: 'assign'; botId: string } | { kind: 'hold'; reason: string }

/** Facts about the target bot known when the job is queued; absent facts mean "no restriction". */
export interface PlacementFacts {
  /** Jobs of the same task the bot is running now (a task without multitasking runs one at a time). */
  runningJobsOfTask?: number
}

/** The default placement rule: the task's host runs the job unless the task forbids running it twice at once. */
export function placeJob(spec: JobSpec, facts: PlacementFacts = {}): Placement {
  if (spec.hostId === '') return { kind: 'hold', reason: 'the task has no host' }
  if (!spec.multitasking && (facts.runningJobsOfTask ?? 0) > 0) {
    return { kind: 'hold', reason: 'the task does not allow multitasking and a job of it is running' }
  }
  return { kind: 'assign', botId: spec.hostId }
}
