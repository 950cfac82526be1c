import type { WorkflowRun, WorkflowRunEvent, WorkflowRunNode } from '@taskforge/proto/jobs/v1/workflow_runs'

/** One event of a workflow run stream (the oneof of `jobs.v1.WorkflowRunEvent`). */
export type WorkflowRunEventCase = NonNullable<WorkflowRunEvent['event']>

const pendingNode = (key: string): WorkflowRunNode => ({
  key,
  state: 'pending',
  jobId: '',
  jobIds: [],
  reason: '',
})

function setNode(
  run: WorkflowRun,
  key: string,
  change: (node: WorkflowRunNode) => WorkflowRunNode,
): WorkflowRun {
  const nodes = run.nodes.some((node) => node.key === key)
    ? run.nodes.map((node) => (node.key === key ? change(node) : node))
    : [...run.nodes, change(pendingNode(key))]
  return { ...run, nodes }
}

/**
 * The one fold of a workflow run's events into the run as it is read (decision 31): the scheduler's
 * `workflow_runs` read model and the webhook relay both fold with it, so a webhook carries the run
 * that `GET /:customer/workflow/job/:id` answers after the same events. Undefined before `started`.
 * `nodeKeys` name the pinned version's nodes for a `started` that does not carry them (runs started
 * before it did).
 */
export function applyWorkflowRunEvent(
  run: WorkflowRun | undefined,
  event: WorkflowRunEventCase,
  at: Date,
  nodeKeys: readonly string[] = [],
): WorkflowRun | undefined {
  if (event.$case === 'started') {
    const s = event.value
    const keys = s.nodeKeys.length > 0 ? s.nodeKeys : nodeKeys
    const held = s.heldBehindRunId !== '' || s.heldUntil !== undefined
    return {
      id: s.runId,
      customer: s.customer,
      workflowId: s.workflowId,
      version: s.version,
      // A held run waits for its turn as a job waits in its queue.
      lifecycle: held ? 'ready' : 'assigned',
      state: 'in_progress',
      nodes: keys.map(pendingNode),
      arguments: s.arguments,
      origin: s.origin,
      author: s.author,
      reason: '',
      waitingReason: held ? s.heldReason : '',
      holdUntil: s.heldUntil,
      creationDate: s.startedAt ?? at,
      lastUpdate: at,
      endedAt: undefined,
    }
  }
  if (run === undefined) return undefined
  const next: WorkflowRun = { ...run, lastUpdate: at }
  switch (event.$case) {
    case 'nodeStarted':
      return setNode(next, event.value.key, (node) => ({
        ...node,
        // An approval or input step waits for people; a task node's job runs.
        state: event.value.step === '' ? 'running' : 'waiting',
        jobId: event.value.jobId,
        jobIds: [...node.jobIds, event.value.jobId],
        reason: '',
      }))
    case 'nodeRetryScheduled':
      return setNode(next, event.value.key, (node) => ({
        ...node,
        state: 'running',
        reason: event.value.reason,
      }))
    case 'nodeEnded':
      return setNode(next, event.value.key, (node) => ({
        ...node,
        state: event.value.state,
        reason: event.value.reason,
      }))
    case 'nodeSkipped':
      return setNode(next, event.value.key, (node) => ({ ...node, state: 'skipped' }))
    case 'nodeCanceled':
      return setNode(next, event.value.key, (node) => ({ ...node, state: 'canceled' }))
    case 'cancelRequested':
      return { ...next, reason: event.value.reason }
    case 'released':
      // A release after which the run still waits (for its turn, or its grace time) says why.
      if (event.value.heldReason !== '')
        return {
          ...next,
          waitingReason: event.value.heldReason,
          holdUntil: event.value.graceOver ? undefined : next.holdUntil,
        }
      return { ...next, lifecycle: 'assigned', waitingReason: '', holdUntil: undefined }
    case 'ended':
      return {
        ...next,
        lifecycle: event.value.state === 'canceled' ? 'canceled' : 'finished',
        state: event.value.state,
        reason: event.value.reason,
        waitingReason: '',
        holdUntil: undefined,
        endedAt: event.value.endedAt ?? at,
      }
    case 'retried': {
      const reset = new Set(event.value.nodes)
      return {
        ...next,
        lifecycle: 'assigned',
        state: 'in_progress',
        reason: '',
        endedAt: undefined,
        nodes: next.nodes.map((node) =>
          reset.has(node.key) ? { ...node, state: 'pending', reason: '' } : node,
        ),
      }
    }
  }
}
