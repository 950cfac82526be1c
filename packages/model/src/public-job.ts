import type { Job } from '@taskforge/proto/jobs/v1/model'
import { lifecycleName, stateName } from './job-lifecycle.js'
import { toProtoJob } from './job-message.js'
import type { JobView } from './job-view.js'

const iso = (date: Date | undefined) => (date ? date.toISOString() : null)

/** A job's result as the public API shows it; `{}` until the job has one. */
export interface PublicJobResult {
  code: number | null
  signal: string | null
  killed: boolean
  log: string
  lastline: string
  /** Bytes the bot dropped past its capture limit; absent when none. */
  truncated_bytes?: number
  /** Something in the result was cut to a limit; absent when nothing was. */
  abridged?: true
  /** Why the job ended as it did (canceled, refused, lost its bot); absent when nothing says. */
  reason?: string
}

/** A job as `GET /:customer/job/:id` answers it and as webhooks carry it in `event_data.job`. */
export interface PublicJob {
  id: string
  task_id: string
  name: string
  customer: string
  host_id: string
  lifecycle: string
  state: string
  task_arguments_values: string[]
  output: string[]
  result: PublicJobResult | Record<string, never>
  origin: string
  creation_date: string | null
  last_update: string | null
  /** The schedule whose fire started the job; absent when none did. */
  schedule_id?: string
  /** The time that fire was scheduled for (ISO 8601); absent when no schedule started the job. */
  scheduled_for?: string
  /** The workflow run whose node the job is; absent for a job of no run. */
  workflow_run_id?: string
  /** That node's key; absent for a job of no run. */
  workflow_node?: string
}

/**
 * The public JSON of a job, from the `jobs.v1.Job` message the scheduler answers. The gateway
 * answers it and the webhook relay sends it ({@link publicJobOfView}): one shape for both.
 *
 * @example
 * reply.send(publicJob(response.job))
 */
export function publicJob(job: Job): PublicJob {
  const r = job.result
  return {
    id: job.id,
    task_id: job.taskId,
    name: job.name,
    customer: job.customer,
    host_id: job.hostId,
    lifecycle: lifecycleName(job.lifecycleCode, job.lifecycle),
    state: stateName(job.stateCode, job.state),
    task_arguments_values: job.taskArgumentsValues,
    output: job.output,
    result: r
      ? {
          code: r.code ?? null,
          signal: r.signal || null,
          killed: r.killed,
          log: r.log,
          lastline: r.lastline,
          ...(r.truncatedBytes > 0n ? { truncated_bytes: Number(r.truncatedBytes) } : {}),
          ...(r.abridged ? { abridged: true as const } : {}),
          ...(r.reason ? { reason: r.reason } : {}),
        }
      : {},
    origin: job.origin,
    creation_date: iso(job.creationDate),
    last_update: iso(job.lastUpdate),
    ...(job.scheduleId ? { schedule_id: job.scheduleId } : {}),
    ...(job.scheduleId && job.scheduledFor ? { scheduled_for: job.scheduledFor.toISOString() } : {}),
    ...(job.workflowRunId
      ? { workflow_run_id: job.workflowRunId, workflow_node: job.workflowNode ?? '' }
      : {}),
  }
}

/** The public JSON of a folded job: what the scheduler would answer for it. */
export function publicJobOfView(view: JobView): PublicJob {
  return publicJob(toProtoJob(view))
}
