import { idTime } from '@taskforge/core'
import {
  applyJobEvent,
  applyWorkflowRunEvent,
  type JobView,
  maskedNames,
  type PublicJob,
  type PublicTask,
  publicJobOfView,
  publicTask,
  publicWorkflowRun,
} from '@taskforge/model'
import { BotEvent } from '@taskforge/proto/bots/v1/events'
import { ScriptEvent, TaskEvent, WebhookEvent } from '@taskforge/proto/catalog/v1/events'
import { Task } from '@taskforge/proto/catalog/v1/model'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { ScheduleEvent, type ScheduleSpec } from '@taskforge/proto/jobs/v1/schedules'
import { WorkflowRunEvent } from '@taskforge/proto/jobs/v1/workflow_runs'
import type { PublicEventName } from './event-names.js'
import {
  jobViewOfStored,
  type PublicBot,
  type PublicIncomingWebhook,
  type PublicObject,
  type PublicSchedule,
  type PublicScript,
  type StoredJob,
  type StoredWorkflowRun,
  workflowRunOfStored,
} from './public-objects.js'

/** A domain event as the relay receives it (the fields of an events.v1.Envelope it needs). */
export interface SourceEvent {
  eventId: string
  streamType: string
  streamId: string
  streamVersion: number
  /** The oneof case of the stream's union message (`created`, `assigned`, ...). */
  type: string
  customer: string
  author: string
  occurredAt: Date
  data: Uint8Array
}

/** What subscribers receive: `event_name` and `event_data` of the Kanboard envelope. */
export interface PublicEvent {
  name: PublicEventName
  data: Record<string, unknown>
}

export interface MappedEvent {
  /** The object after the event, kept for the next event of its stream; undefined: not followed. */
  object: PublicObject | undefined
  /** The stream ended (the object was deleted): its object can be forgotten. */
  deleted: boolean
  /** Undefined when subscribers are not told (secret rotations, output chunks, other streams). */
  publicEvent: PublicEvent | undefined
}

const iso = (date: Date | undefined): string | null => (date === undefined ? null : date.toISOString())
const nothing = (object: PublicObject | undefined): MappedEvent => ({
  object,
  deleted: false,
  publicEvent: undefined,
})

/** Top-level fields whose value differs, with their new values (bookkeeping fields left out). */
function changedFields(before: object | undefined, after: object): Record<string, unknown> {
  const changes: Record<string, unknown> = {}
  const old = (before ?? {}) as Record<string, unknown>
  for (const [key, value] of Object.entries(after)) {
    if (key === 'version' || key === 'last_update') continue
    if (JSON.stringify(old[key]) !== JSON.stringify(value)) changes[key] = value
  }
  return changes
}

function mapTask(event: SourceEvent, previous: PublicTask | undefined): MappedEvent {
  const decoded = TaskEvent.decode(event.data).event
  const stamp = { version: event.streamVersion, last_update: event.occurredAt.toISOString() }
  const base: PublicTask = previous ?? {
    ...publicTask(Task.fromPartial({ id: event.streamId, customer: event.customer }), 'masked'),
    version: 0,
  }
  const told = (name: PublicEventName, shown: PublicTask, extra: Record<string, unknown> = {}) => {
    // A task kept from before env values were masked still has them: masked on the way out too.
    const task = { ...shown, env: maskedNames(Object.keys(shown.env)) }
    return {
      object: task,
      deleted: name === 'task.delete',
      publicEvent: { name, data: { task_id: task.id, task, ...extra } },
    }
  }
  switch (decoded?.$case) {
    case 'created': {
      // The task as the gateway shows it to a non-admin: env values masked.
      const task = publicTask(
        Task.fromPartial({
          id: decoded.value.taskId || event.streamId,
          customer: decoded.value.customer || event.customer,
          definition: decoded.value.definition,
          version: event.streamVersion,
          creationDate: event.occurredAt,
          lastUpdate: event.occurredAt,
        }),
        'masked',
      )
      return told('task.create', task)
    }
    case 'updated': {
      const task: PublicTask = {
        ...publicTask(
          Task.fromPartial({
            id: base.id,
            customer: base.customer,
            definition: decoded.value.definition,
            version: event.streamVersion,
            lastUpdate: event.occurredAt,
          }),
          'masked',
        ),
        creation_date: base.creation_date,
      }
      const fields = task as unknown as Record<string, unknown>
      const changes = Object.fromEntries(
        decoded.value.changedFields.filter((name) => name in fields).map((name) => [name, fields[name]]),
      )
      return told('task.update', task, { changes })
    }
    case 'deleted':
      return told('task.delete', { ...base, ...stamp })
    case 'secretRotated':
      return nothing({ ...base, ...stamp })
    default:
      return nothing(previous)
  }
}

/**
 * What the relay knows of a job before the first event it sees, when it began following the
 * organization after the job was queued: its id, organization and the time its id says it was made.
 */
function unseenJob(event: SourceEvent): JobView {
  const made = idTime(event.streamId)
  return {
    id: event.streamId,
    customer: event.customer,
    taskId: '',
    name: '',
    hostId: '',
    lifecycle: '',
    state: '',
    taskArgumentsValues: [],
    output: [],
    result: null,
    origin: '',
    creationDate: made === undefined ? event.occurredAt : new Date(made),
    lastUpdate: event.occurredAt,
    version: event.streamVersion - 1,
    author: '',
  }
}

/** Which public event each job event is, with the `action` of an update; undefined: none. */
const JOB_EVENT_NAMES: Record<
  NonNullable<JobEvent['event']>['$case'],
  { name: PublicEventName; action?: string } | undefined
> = {
  queued: { name: 'job.create' },
  assigned: { name: 'job.update', action: 'assigned' },
  started: { name: 'job.update', action: 'started' },
  canceled: { name: 'job.update', action: 'canceled' },
  holdReleased: { name: 'job.update', action: 'released' },
  finished: { name: 'job.finish' },
  leaseExpired: { name: 'job.finish' },
  // A workflow step began to wait for people (decision 32); its votes show in how it ends.
  awaitingApproval: { name: 'job.awaiting_approval' },
  stepVoted: undefined,
  // Output chunks and cancel requests are folded in (the log shows at the end) but not told.
  outputAppended: undefined,
  cancelRequested: undefined,
}

/**
 * A job event folds into the job by the scheduler's own fold ({@link applyJobEvent}), and the job
 * is told as the scheduler's API shows it ({@link publicJobOfView}): a webhook carries the JSON
 * that `GET /:customer/job/:id` answers after the same events.
 */
function mapJob(event: SourceEvent, previous: StoredJob | undefined): MappedEvent {
  const decoded = JobEvent.decode(event.data).event
  if (decoded === undefined) return nothing(previous)
  const before = previous === undefined ? undefined : jobViewOfStored(previous)
  const start = before ?? (decoded.$case === 'queued' ? undefined : unseenJob(event))
  const view = applyJobEvent(start, decoded, {
    jobId: event.streamId,
    version: event.streamVersion,
    occurredAt: event.occurredAt,
    author: event.author,
  })
  if (view === undefined) return nothing(previous)
  const told = JOB_EVENT_NAMES[decoded.$case]
  if (told === undefined) return nothing(view)
  const job: PublicJob = publicJobOfView(view)
  const data: Record<string, unknown> = { job_id: job.id, task_id: job.task_id, job }
  if (decoded.$case === 'awaitingApproval' && decoded.value.step !== undefined) {
    const step = decoded.value.step
    data.step = {
      run_id: step.runId,
      workflow_id: step.workflowId,
      workflow_name: step.workflowName,
      node: step.node,
      kind: step.kind,
      approvers: step.approvers,
      required: step.required,
      expires_at: iso(step.expiresAt),
    }
  }
  if (told.action !== undefined) {
    data.action = told.action
    data.changes = changedFields(before === undefined ? undefined : publicJobOfView(before), job)
  }
  return { object: view, deleted: false, publicEvent: { name: told.name, data } }
}

function mapBot(event: SourceEvent, previous: PublicBot | undefined): MappedEvent {
  const decoded = BotEvent.decode(event.data).event
  const base: PublicBot = previous ?? {
    id: event.streamId,
    name: '',
    customer: event.customer,
    online: false,
    last_seen: null,
    creation_date: null,
  }
  const told = (name: PublicEventName, bot: PublicBot, extra: Record<string, unknown> = {}) => ({
    object: bot,
    deleted: false,
    publicEvent: { name, data: { bot_id: bot.id, bot, ...extra } },
  })
  switch (decoded?.$case) {
    case 'registered':
      return told('bot.create', {
        ...base,
        id: decoded.value.botId || event.streamId,
        name: decoded.value.name,
        customer: decoded.value.customer || event.customer,
        creation_date: event.occurredAt.toISOString(),
      })
    case 'cameOnline':
      return told('bot.online', { ...base, online: true, last_seen: event.occurredAt.toISOString() })
    case 'wentOffline':
      return told(
        'bot.offline',
        { ...base, online: false, last_seen: iso(decoded.value.lastSeen) ?? base.last_seen },
        { reason: decoded.value.reason },
      )
    default:
      return nothing(previous)
  }
}

function mapScript(event: SourceEvent, previous: PublicScript | undefined): MappedEvent {
  const decoded = ScriptEvent.decode(event.data).event
  const stamp = { version: event.streamVersion, last_update: event.occurredAt.toISOString() }
  const base: PublicScript = previous ?? {
    id: event.streamId,
    customer: event.customer,
    filename: '',
    description: '',
    version: 0,
    creation_date: null,
    last_update: null,
  }
  const told = (name: PublicEventName, script: PublicScript, extra: Record<string, unknown> = {}) => ({
    object: script,
    deleted: name === 'script.delete',
    publicEvent: { name, data: { script_id: script.id, script, ...extra } },
  })
  switch (decoded?.$case) {
    case 'created':
      return told('script.create', {
        id: decoded.value.scriptId || event.streamId,
        customer: decoded.value.customer || event.customer,
        filename: decoded.value.filename,
        description: decoded.value.description,
        ...stamp,
        creation_date: event.occurredAt.toISOString(),
      })
    case 'updated': {
      const { filename, description, content } = decoded.value
      const changes: Record<string, unknown> = {}
      if (filename !== undefined) changes.filename = filename
      if (description !== undefined) changes.description = description
      if (content !== undefined) changes.content_changed = true
      const script: PublicScript = {
        ...base,
        ...(filename === undefined ? {} : { filename }),
        ...(description === undefined ? {} : { description }),
        ...stamp,
      }
      return told('script.update', script, { changes })
    }
    case 'deleted':
      return told('script.delete', { ...base, ...stamp })
    default:
      return nothing(previous)
  }
}

function mapIncomingWebhook(event: SourceEvent, previous: PublicIncomingWebhook | undefined): MappedEvent {
  const decoded = WebhookEvent.decode(event.data).event
  const base: PublicIncomingWebhook = previous ?? {
    id: event.streamId,
    customer: event.customer,
    name: '',
    creation_date: null,
  }
  switch (decoded?.$case) {
    case 'created':
      // Followed for its name only: subscribers hear of fires, and never see the secret.
      return nothing({
        id: decoded.value.webhookId || event.streamId,
        customer: decoded.value.customer || event.customer,
        name: decoded.value.name,
        creation_date: event.occurredAt.toISOString(),
      })
    case 'fired': {
      let payload: unknown = null
      try {
        payload = JSON.parse(decoded.value.payloadJson || 'null')
      } catch {
        payload = decoded.value.payloadJson
      }
      return {
        object: base,
        deleted: false,
        publicEvent: {
          name: 'webhook.trigger',
          data: {
            webhook_id: base.id,
            webhook: base,
            fire_id: decoded.value.fireId,
            payload,
            fired_at: iso(decoded.value.firedAt) ?? event.occurredAt.toISOString(),
          },
        },
      }
    }
    case 'deleted':
      return { object: undefined, deleted: true, publicEvent: undefined }
    default:
      return nothing(previous)
  }
}

function scheduleFields(spec: ScheduleSpec | undefined) {
  return {
    cron: spec?.cron ?? '',
    timezone: spec?.timezone || 'UTC',
    enabled: spec?.enabled ?? false,
    overlap: spec?.overlap || 'skip',
    note: spec?.note ?? '',
  }
}

function mapSchedule(event: SourceEvent, previous: PublicSchedule | undefined): MappedEvent {
  const decoded = ScheduleEvent.decode(event.data).event
  const stamp = { version: event.streamVersion, last_update: event.occurredAt.toISOString() }
  const base: PublicSchedule = previous ?? {
    id: event.streamId,
    customer: event.customer,
    task_id: '',
    ...scheduleFields(undefined),
    version: 0,
    creation_date: null,
    last_update: null,
  }
  const told = (name: PublicEventName, schedule: PublicSchedule, extra: Record<string, unknown> = {}) => ({
    object: schedule,
    deleted: name === 'schedule.delete',
    publicEvent: { name, data: { schedule_id: schedule.id, task_id: schedule.task_id, schedule, ...extra } },
  })
  switch (decoded?.$case) {
    case 'created':
      return told('schedule.create', {
        id: decoded.value.scheduleId || event.streamId,
        customer: decoded.value.customer || event.customer,
        task_id: decoded.value.taskId,
        ...scheduleFields(decoded.value.spec),
        ...stamp,
        creation_date: event.occurredAt.toISOString(),
      })
    case 'updated':
      return told(
        'schedule.update',
        { ...base, ...scheduleFields(decoded.value.spec), ...stamp },
        { changes: decoded.value.changed },
      )
    case 'deleted':
      return told('schedule.delete', { ...base, ...stamp })
    case 'fired': {
      const { value } = decoded
      // A record of the firing state alone (no fire in it) is bookkeeping.
      if (value.outcome === '') return nothing({ ...base, ...stamp })
      return told(
        'schedule.fire',
        { ...base, ...stamp },
        {
          scheduled_for: iso(value.scheduledFor),
          outcome: value.outcome,
          kind: value.kind,
          job_id: value.jobId === '' ? null : value.jobId,
          reason: value.reason,
        },
      )
    }
    case 'failed':
      return told('schedule.error', { ...base, ...stamp }, { reason: decoded.value.reason })
    default:
      return nothing(previous)
  }
}

/**
 * A run event folds into the run by the one fold of run events ({@link applyWorkflowRunEvent}), and
 * the run is told as `GET /:customer/workflow/job/:id` shows it ({@link publicWorkflowRun}): its start
 * (`workflow.start`, once its nodes may start: a held run when its turn comes), each node's end
 * (`workflow.node`, with the node) and its end (`workflow.finish`). A run the relay began following
 * after its start is not told until its next `started` (it cannot be shown).
 */
function mapWorkflowRun(event: SourceEvent, previous: StoredWorkflowRun | undefined): MappedEvent {
  const decoded = WorkflowRunEvent.decode(event.data).event
  if (decoded === undefined) return nothing(previous)
  const run = applyWorkflowRunEvent(
    previous === undefined ? undefined : workflowRunOfStored(previous),
    decoded,
    event.occurredAt,
  )
  if (run === undefined) return nothing(previous)
  const stored: StoredWorkflowRun = { ...run, kind: 'workflow_run' }
  const told = (name: PublicEventName, extra: Record<string, unknown> = {}): MappedEvent => {
    const shown = publicWorkflowRun(run)
    return {
      object: stored,
      deleted: false,
      publicEvent: { name, data: { run_id: run.id, workflow_id: run.workflowId, ...extra, run: shown } },
    }
  }
  switch (decoded.$case) {
    case 'started':
      // A held run starts when its turn comes (`released`).
      return run.lifecycle === 'ready' ? nothing(stored) : told('workflow.start')
    case 'released':
      // A run still held (its grace time over, its turn not come) starts with the other release.
      return decoded.value.heldReason === '' ? told('workflow.start') : nothing(stored)
    case 'nodeEnded': {
      const node = publicWorkflowRun(run).nodes.find((candidate) => candidate.key === decoded.value.key)
      return told('workflow.node', {
        node,
        outcome: decoded.value.outcome,
        ...(decoded.value.eventName === '' ? {} : { event_name: decoded.value.eventName }),
      })
    }
    case 'ended':
      return told('workflow.finish')
    default:
      return nothing(stored)
  }
}

/**
 * The one place that says which domain events subscribers hear of, under which public name, and
 * with which `event_data`: the object as the public API shows it (a task without its secret, a
 * script without its content), its id, and for updates the fields that changed with their new values
 * (`changes`, as Kanboard sends them).
 *
 * | stream | internal type                    | public name                      |
 * | ------ | -------------------------------- | -------------------------------- |
 * | task   | created / updated / deleted      | task.create / update / delete    |
 * | job    | queued                           | job.create                       |
 * | job    | assigned / started / canceled / holdReleased | job.update (with `action`) |
 * | job    | finished / leaseExpired          | job.finish                       |
 * | bot    | registered / cameOnline / wentOffline | bot.create / online / offline |
 * | script | created / updated / deleted      | script.create / update / delete  |
 * | webhook | fired (an incoming webhook)     | webhook.trigger                  |
 * | schedule | created / updated / deleted    | schedule.create / update / delete |
 * | schedule | fired (one per fire) / failed  | schedule.fire / schedule.error   |
 * | workflow_run | started (or released, when held) | workflow.start             |
 * | workflow_run | nodeEnded / ended            | workflow.node / workflow.finish  |
 *
 * `previous` is the object after the stream's previous event (undefined for its first one).
 */
export function mapEvent(event: SourceEvent, previous: PublicObject | undefined): MappedEvent {
  switch (event.streamType) {
    case 'task':
      return mapTask(event, previous as PublicTask | undefined)
    case 'job':
      return mapJob(event, previous as StoredJob | undefined)
    case 'bot':
      return mapBot(event, previous as PublicBot | undefined)
    case 'script':
      return mapScript(event, previous as PublicScript | undefined)
    case 'webhook':
      return mapIncomingWebhook(event, previous as PublicIncomingWebhook | undefined)
    case 'schedule':
      return mapSchedule(event, previous as PublicSchedule | undefined)
    case 'workflow_run':
      return mapWorkflowRun(event, previous as StoredWorkflowRun | undefined)
    default:
      return nothing(undefined)
  }
}

/** Streams whose objects the relay follows. */
export const FOLLOWED_STREAMS: ReadonlySet<string> = new Set([
  'task',
  'job',
  'bot',
  'script',
  'webhook',
  'schedule',
  'workflow_run',
])
