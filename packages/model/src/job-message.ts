import { Job } from '@taskforge/proto/jobs/v1/model'
import { lifecycleCode, stateCode } from './job-lifecycle.js'
import type { JobView } from './job-view.js'

/** A job view as the `jobs.v1.Job` message the scheduler's gRPC API answers. */
export function toProtoJob(view: JobView): Job {
  const r = view.result
  return Job.fromPartial({
    id: view.id,
    customer: view.customer,
    taskId: view.taskId,
    name: view.name,
    hostId: view.hostId,
    lifecycle: view.lifecycle,
    state: view.state,
    lifecycleCode: lifecycleCode(view.lifecycle),
    stateCode: stateCode(view.state),
    taskArgumentsValues: view.taskArgumentsValues,
    output: view.output,
    result:
      r === null
        ? undefined
        : {
            ...(r.code === null ? {} : { code: r.code }),
            signal: r.signal,
            killed: r.killed,
            log: r.log,
            lastline: r.lastline,
            truncatedBytes: BigInt(r.truncatedBytes),
            reason: r.reason,
            abridged: r.abridged ?? false,
          },
    origin: view.origin,
    creationDate: view.creationDate,
    lastUpdate: view.lastUpdate,
    version: view.version,
    author: view.author,
    ...(view.scheduleId ? { scheduleId: view.scheduleId } : {}),
    ...(view.scheduledFor ? { scheduledFor: view.scheduledFor } : {}),
    ...(view.holdUntil ? { holdUntil: view.holdUntil } : {}),
    ...(view.workflowRunId
      ? { workflowRunId: view.workflowRunId, workflowNode: view.workflowNode ?? '' }
      : {}),
  })
}
