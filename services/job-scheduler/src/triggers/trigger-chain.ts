import type { TriggerChain } from '@taskforge/proto/jobs/v1/events'

/** What triggered a job: a finished job (with its own chain, if a trigger started it) or a webhook fire. */
export type TriggerSource =
  | {
      kind: 'job'
      jobId: string
      taskId: string
      /** The chain of the finished job; undefined when no trigger started it. */
      chain: TriggerChain | undefined
    }
  | { kind: 'webhook'; fireId: string }

/** The chain a triggered job joins, and why it may not run when the chain loops or runs away. */
export interface ChainStep {
  chain: TriggerChain
  refusal?: string
}

/**
 * The next step of a chain of triggers: the chain of the job `source` triggers for `targetTaskId`. A
 * job started by a run or a webhook fire begins a chain at depth 1. The step is refused when the
 * target task (or workflow) already ran in the chain (a cycle: A → B → A) or when it would go deeper than
 * `maxDepth` (a runaway chain), with a reason a user can act on.
 *
 * @example
 * nextChainStep({ kind: 'job', jobId: 'j1', taskId: 'A', chain: undefined }, 'B', 10)
 * // { chain: { id: 'j1', depth: 1, taskIds: ['A', 'B'] } }
 */
export function nextChainStep(
  source: TriggerSource,
  targetTaskId: string,
  maxDepth: number,
  /** What the target is: a task, or a workflow (whose id joins the chain's ids as a task's does). */
  target: 'task' | 'workflow' = 'task',
): ChainStep {
  const before: TriggerChain =
    source.kind === 'webhook'
      ? { id: source.fireId, depth: 0, taskIds: [] }
      : (source.chain ?? { id: source.jobId, depth: 0, taskIds: [source.taskId] })
  const taskIds = before.taskIds.length === 0 && source.kind === 'job' ? [source.taskId] : before.taskIds
  const chain: TriggerChain = { id: before.id, depth: before.depth + 1, taskIds: [...taskIds, targetTaskId] }
  if (taskIds.includes(targetTaskId)) {
    return {
      chain,
      refusal: `trigger cycle stopped: ${target} ${targetTaskId} already ran in this chain of triggers (${chain.taskIds.join(' → ')})`,
    }
  }
  if (chain.depth > maxDepth) {
    return {
      chain,
      refusal: `trigger chain stopped: this ${target === 'task' ? 'job' : 'run'} would be ${chain.depth} triggers deep, at most ${maxDepth} are allowed (TRIGGER_MAX_CHAIN_DEPTH)`,
    }
  }
  return { chain }
}
