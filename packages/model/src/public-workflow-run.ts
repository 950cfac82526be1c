import type { WorkflowRun } from '@taskforge/proto/jobs/v1/workflow_runs'

const iso = (date: Date | undefined) => (date ? date.toISOString() : null)

/** One node of a run as the public API shows it. */
export interface PublicWorkflowRunNode {
  key: string
  /** pending, running, succeeded, failed, skipped, canceled or waiting. */
  state: string
  /** The node's latest job, null when it had none. */
  job_id: string | null
  /** Every job of the node, oldest first (its retries, and those of the run). */
  job_ids: string[]
  /** Why the node failed or waits for a retry; absent when nothing says. */
  reason?: string
}

/** A workflow run as `GET /:customer/workflow/job/:id` answers it: shown like a job, plus its nodes. */
export interface PublicWorkflowRun {
  id: string
  customer: string
  workflow_id: string
  /** The version of the workflow the run follows to its end, retries included. */
  version: number
  /** ready while it waits for its turn, assigned while it goes on, then finished or canceled. */
  lifecycle: string
  state: string
  /**
   * Why a run waits: for its turn (its workflow runs one run at a time), or for the grace time of the
   * trigger that started it; absent otherwise.
   */
  waiting_reason?: { code: 'workflow_busy' | 'grace_time'; message: string }
  /** While a triggered run waits for its grace time: when it starts. */
  hold_until?: string
  task_arguments_values: string[]
  origin: string
  nodes: PublicWorkflowRunNode[]
  /** Why the run failed or was canceled; absent when nothing says. */
  reason?: string
  creation_date: string | null
  last_update: string | null
  ended_at: string | null
}

/** The public JSON of a workflow run, from the `jobs.v1.WorkflowRun` message the scheduler answers. */
export function publicWorkflowRun(run: WorkflowRun): PublicWorkflowRun {
  return {
    id: run.id,
    customer: run.customer,
    workflow_id: run.workflowId,
    version: run.version,
    lifecycle: run.lifecycle,
    state: run.state,
    ...(run.waitingReason === ''
      ? {}
      : {
          waiting_reason: {
            code: run.holdUntil === undefined ? 'workflow_busy' : 'grace_time',
            message: run.waitingReason,
          },
        }),
    ...(run.holdUntil === undefined ? {} : { hold_until: run.holdUntil.toISOString() }),
    task_arguments_values: run.arguments,
    origin: run.origin,
    nodes: run.nodes.map((node) => ({
      key: node.key,
      state: node.state,
      job_id: node.jobId === '' ? null : node.jobId,
      job_ids: node.jobIds,
      ...(node.reason === '' ? {} : { reason: node.reason }),
    })),
    ...(run.reason === '' ? {} : { reason: run.reason }),
    creation_date: iso(run.creationDate),
    last_update: iso(run.lastUpdate),
    ended_at: iso(run.endedAt),
  }
}
