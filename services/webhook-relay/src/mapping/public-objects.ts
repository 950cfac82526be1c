import type { JobResultView, JobView, PublicJob, PublicTask } from '@taskforge/model'
import type { WorkflowRun } from '@taskforge/proto/jobs/v1/workflow_runs'

/**
 * The objects the relay keeps, one per followed stream, folded from the events alone without asking
 * their owners. Tasks, bots, scripts and incoming webhooks are kept as the public REST API shows them
 * (snake_case JSON, which `event_data` carries); a job is kept as the scheduler's fold leaves it
 * ({@link JobView}), and shown as the API shows it when told.
 */
export interface PublicBot {
  id: string
  name: string
  customer: string
  online: boolean
  last_seen: string | null
  creation_date: string | null
}

export interface PublicScript {
  id: string
  customer: string
  filename: string
  description: string
  version: number
  creation_date: string | null
  last_update: string | null
}

/** An incoming webhook, without its secret. */
export interface PublicIncomingWebhook {
  id: string
  customer: string
  name: string
  creation_date: string | null
}

/**
 * A job as stored: a {@link JobView} as JSON (its dates as ISO strings), or, for a job stored before
 * the relay kept the fold, the public job it sent last.
 */
export type StoredJob =
  | (Omit<JobView, 'creationDate' | 'lastUpdate' | 'scheduledFor' | 'holdUntil'> & {
      creationDate: Date | string
      lastUpdate: Date | string
      scheduledFor?: Date | string
      holdUntil?: Date | string
    })
  | PublicJob

/** A schedule as subscribers see it (docs/schedules.md). */
export interface PublicSchedule {
  id: string
  customer: string
  task_id: string
  cron: string
  timezone: string
  enabled: boolean
  overlap: string
  note: string
  version: number
  creation_date: string | null
  last_update: string | null
}

/** A workflow run as the relay keeps it between events: the read message, its dates as JSON keeps them. */
export type StoredWorkflowRun = Omit<WorkflowRun, 'creationDate' | 'lastUpdate' | 'endedAt'> & {
  /** Marks the kind of object kept (a run has no field another object has by this name). */
  kind: 'workflow_run'
  creationDate?: Date | string
  lastUpdate?: Date | string
  endedAt?: Date | string
}

const dateOf = (value: Date | string | undefined) => (value === undefined ? undefined : new Date(value))

export function workflowRunOfStored(stored: StoredWorkflowRun): WorkflowRun {
  const { kind: _kind, creationDate, lastUpdate, endedAt, ...rest } = stored
  return {
    ...rest,
    creationDate: dateOf(creationDate),
    lastUpdate: dateOf(lastUpdate),
    endedAt: dateOf(endedAt),
  }
}

export type PublicObject =
  | StoredWorkflowRun
  | PublicTask
  | StoredJob
  | PublicBot
  | PublicScript
  | PublicIncomingWebhook
  | PublicSchedule

/** The fold's view of a stored job, whichever form it was stored in. */
export function jobViewOfStored(stored: StoredJob): JobView {
  if ('taskId' in stored) {
    const { scheduledFor, holdUntil, ...rest } = stored
    return {
      ...rest,
      creationDate: new Date(stored.creationDate),
      lastUpdate: new Date(stored.lastUpdate),
      ...(scheduledFor === undefined ? {} : { scheduledFor: new Date(scheduledFor) }),
      ...(holdUntil === undefined ? {} : { holdUntil: new Date(holdUntil) }),
    }
  }
  const r = stored.result
  const result: JobResultView | null =
    'killed' in r
      ? {
          code: r.code,
          signal: r.signal ?? '',
          killed: r.killed,
          log: r.log,
          lastline: r.lastline,
          truncatedBytes: r.truncated_bytes ?? 0,
          reason: r.reason ?? '',
          ...(r.abridged ? { abridged: true } : {}),
        }
      : null
  const creation = stored.creation_date ?? stored.last_update
  return {
    id: stored.id,
    customer: stored.customer,
    taskId: stored.task_id,
    name: stored.name,
    hostId: stored.host_id,
    lifecycle: stored.lifecycle,
    state: stored.state,
    taskArgumentsValues: stored.task_arguments_values,
    output: stored.output,
    result,
    origin: stored.origin,
    creationDate: creation === null ? new Date(0) : new Date(creation),
    lastUpdate: stored.last_update === null ? new Date(0) : new Date(stored.last_update),
    // The fold stamps the next event's version and author.
    version: 0,
    author: '',
    ...(stored.schedule_id ? { scheduleId: stored.schedule_id } : {}),
    ...(stored.schedule_id && stored.scheduled_for ? { scheduledFor: new Date(stored.scheduled_for) } : {}),
  }
}
