import { TaskEvent, WorkflowEvent } from '@taskforge/proto/catalog/v1/events'
import type { Envelope } from '@taskforge/proto/events/v1/envelope'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { ScheduleEvent } from '@taskforge/proto/jobs/v1/schedules'
import { WorkflowRunEvent } from '@taskforge/proto/jobs/v1/workflow_runs'
import { subjects } from '@taskforge/protocol'

/**
 * One change a console page may want to show, as the live events stream sends it (decision 26):
 * a notification naming the object, not the object itself; the page reads what it shows again.
 * `seq` is the event's sequence in the EVENTS stream: the same on every gateway replica, so a
 * client may resume on any of them with `Last-Event-ID`.
 */
export interface LiveEvent {
  readonly seq: number
  readonly customer: string
  /** The SSE event name: what kind of object changed. */
  readonly kind: 'job' | 'task' | 'bot' | 'schedule' | 'workflow' | 'workflow_run'
  /** The task the object is reached through (jobs, tasks and schedules), for the acls; '' when unknown. */
  readonly taskId: string
  /** The workflow the object is reached through (workflows and their runs), for its acls; '' when unknown. */
  readonly workflowId?: string
  /**
   * A task's (or, for a workflow event, the workflow's) acls after an event that carries its
   * definition; 'deleted' when it is gone.
   */
  readonly acls?: readonly string[] | 'deleted'
  /** The JSON sent as the event's data. */
  readonly data: Readonly<Record<string, unknown>>
}

/** Job events no page is sent; output is followed through the log route instead. */
const QUIET_JOB_EVENTS: ReadonlySet<string> = new Set(['outputAppended'])
const QUIET_SUBJECTS: ReadonlySet<string> = new Set(
  [...QUIET_JOB_EVENTS].map((type) => subjects.event('job', type)),
)

/**
 * Whether an EVENTS message means nothing to a page by its subject alone: output chunks (up to 64 KiB
 * each, most of the stream's bytes while jobs run) are then skipped without being decoded.
 */
export function quietSubject(subject: string): boolean {
  return QUIET_SUBJECTS.has(subject)
}

/**
 * What one EVENTS message means to a page, or undefined when it means nothing to one. `taskOf`
 * answers the task a job or schedule stream is known to belong to (the workflow, for a run's
 * stream), for events that do not name it.
 */
export function liveEventOf(
  seq: number,
  envelope: Envelope,
  taskOf: (streamId: string) => string | undefined,
): { event: LiveEvent; jobTask?: string; scheduleTask?: string; runWorkflow?: string } | undefined {
  const base = {
    type: `${envelope.streamType}.${envelope.type}`,
    id: envelope.streamId,
    customer: envelope.customer,
    occurred_at: envelope.occurredAt?.toISOString() ?? null,
  }
  if (envelope.customer === '') return undefined
  switch (envelope.streamType) {
    case 'job': {
      if (QUIET_JOB_EVENTS.has(envelope.type)) return undefined
      let fromEvent: string | undefined
      const extra: Record<string, unknown> = {}
      try {
        const decoded = JobEvent.decode(envelope.data).event
        if (decoded?.$case === 'queued' || decoded?.$case === 'assigned')
          fromEvent = decoded.value.spec?.taskId
        if (decoded?.$case === 'finished') {
          extra.lifecycle = decoded.value.lifecycle
          extra.state = decoded.value.state
        }
        if (decoded?.$case === 'canceled') {
          extra.lifecycle = 'canceled'
          extra.state = 'canceled'
        }
      } catch {
        // An event this gateway cannot read still says that the job changed.
      }
      const taskId = fromEvent ?? taskOf(envelope.streamId) ?? ''
      return {
        event: {
          seq,
          customer: envelope.customer,
          kind: 'job',
          taskId,
          data: { ...base, task_id: taskId, ...extra },
        },
        ...(fromEvent === undefined ? {} : { jobTask: fromEvent }),
      }
    }
    case 'task': {
      let acls: readonly string[] | 'deleted' | undefined
      try {
        const decoded = TaskEvent.decode(envelope.data).event
        if (decoded?.$case === 'created' || decoded?.$case === 'updated')
          acls = decoded.value.definition?.acls ?? []
        if (decoded?.$case === 'deleted') acls = 'deleted'
      } catch {
        // Without its acls, the event is told to those who saw the task before.
      }
      return {
        event: {
          seq,
          customer: envelope.customer,
          kind: 'task',
          taskId: envelope.streamId,
          ...(acls === undefined ? {} : { acls }),
          data: base,
        },
      }
    }
    case 'schedule': {
      // Only `created` names the task; `fired` says what the fire did, so a page can tell it at once.
      let fromEvent: string | undefined
      const extra: Record<string, unknown> = {}
      try {
        const decoded = ScheduleEvent.decode(envelope.data).event
        if (decoded?.$case === 'created') fromEvent = decoded.value.taskId
        if (decoded?.$case === 'fired') {
          extra.outcome = decoded.value.outcome
          extra.kind = decoded.value.kind
          extra.scheduled_for = decoded.value.scheduledFor?.toISOString() ?? null
          if (decoded.value.jobId !== '') extra.job_id = decoded.value.jobId
        }
      } catch {
        // An event this gateway cannot read still says that the schedule changed.
      }
      const taskId = fromEvent ?? taskOf(envelope.streamId) ?? ''
      return {
        event: {
          seq,
          customer: envelope.customer,
          kind: 'schedule',
          taskId,
          data: { ...base, task_id: taskId, ...extra },
        },
        ...(fromEvent === undefined ? {} : { scheduleTask: fromEvent }),
      }
    }
    case 'workflow': {
      let acls: readonly string[] | 'deleted' | undefined
      try {
        const decoded = WorkflowEvent.decode(envelope.data).event
        if (decoded?.$case === 'created' || decoded?.$case === 'updated')
          acls = decoded.value.definition?.acls ?? []
        if (decoded?.$case === 'deleted') acls = 'deleted'
      } catch {
        // Without its acls, the event is told to those who saw the workflow before.
      }
      return {
        event: {
          seq,
          customer: envelope.customer,
          kind: 'workflow',
          taskId: '',
          workflowId: envelope.streamId,
          ...(acls === undefined ? {} : { acls }),
          data: base,
        },
      }
    }
    case 'workflow_run': {
      // Only `started` names the workflow; node events name their node and what it became, so a graph
      // can be redrawn at once, before the run is read again.
      let fromEvent: string | undefined
      const extra: Record<string, unknown> = {}
      try {
        const decoded = WorkflowRunEvent.decode(envelope.data).event
        switch (decoded?.$case) {
          case 'started':
            fromEvent = decoded.value.workflowId
            extra.version = decoded.value.version
            break
          case 'nodeStarted':
            Object.assign(extra, {
              node: decoded.value.key,
              node_state: 'running',
              job_id: decoded.value.jobId,
            })
            break
          case 'nodeRetryScheduled':
            Object.assign(extra, { node: decoded.value.key, node_state: 'running' })
            break
          case 'nodeEnded':
            Object.assign(extra, { node: decoded.value.key, node_state: decoded.value.state })
            break
          case 'nodeSkipped':
            Object.assign(extra, { node: decoded.value.key, node_state: 'skipped' })
            break
          case 'nodeCanceled':
            Object.assign(extra, { node: decoded.value.key, node_state: 'canceled' })
            break
          case 'ended':
            extra.state = decoded.value.state
            break
        }
      } catch {
        // An event this gateway cannot read still says that the run changed.
      }
      const workflowId = fromEvent ?? taskOf(envelope.streamId) ?? ''
      return {
        event: {
          seq,
          customer: envelope.customer,
          kind: 'workflow_run',
          taskId: '',
          workflowId,
          data: { ...base, workflow_id: workflowId, ...extra },
        },
        ...(fromEvent === undefined ? {} : { runWorkflow: fromEvent }),
      }
    }
    case 'bot':
      return { event: { seq, customer: envelope.customer, kind: 'bot', taskId: '', data: base } }
    default:
      return undefined
  }
}

/** What a client resuming after `lastSeq` is owed: the events since, or a gap (it must read everything again). */
export type Replay =
  | { readonly kind: 'events'; readonly events: readonly LiveEvent[] }
  | { readonly kind: 'gap' }

interface OrgBuffer {
  events: LiveEvent[]
  /** The highest sequence of this organization's events no longer kept: resuming before it is a gap. */
  droppedUpTo: number
}

export interface LiveHubOptions {
  /** Events kept per organization for resuming. */
  perOrganization: number
  /** Organizations whose events are kept; the least recently active is forgotten past it. */
  organizations: number
}

/**
 * The live events of every organization on this replica: a bounded buffer each for resuming, and
 * the open streams to tell. Filled by one consumer of the EVENTS stream ({@link LiveFeed}).
 */
export class LiveHub {
  readonly #buffers = new Map<string, OrgBuffer>()
  readonly #listeners = new Map<string, Set<(event: LiveEvent) => void>>()
  readonly #options: LiveHubOptions
  /** Sequences before this one happened before the feed started: this replica never saw them. */
  #firstSeq = 1
  #lastSeq = 0
  #forgottenUpTo = 0

  constructor(options: LiveHubOptions) {
    this.#options = options
  }

  /** Where the feed starts: events before `seq` are unknown here. */
  startAt(seq: number): void {
    this.#firstSeq = seq
    this.#lastSeq = Math.max(this.#lastSeq, seq - 1)
  }

  get lastSeq(): number {
    return this.#lastSeq
  }

  publish(event: LiveEvent): void {
    this.#lastSeq = Math.max(this.#lastSeq, event.seq)
    let buffer = this.#buffers.get(event.customer)
    if (buffer === undefined) {
      if (this.#buffers.size >= this.#options.organizations) this.#forgetOldest()
      buffer = { events: [], droppedUpTo: Math.max(this.#firstSeq - 1, this.#forgottenUpTo) }
    } else this.#buffers.delete(event.customer)
    // Re-inserted: the map's order is the organizations' order of last activity.
    this.#buffers.set(event.customer, buffer)
    buffer.events.push(event)
    if (buffer.events.length > this.#options.perOrganization) {
      const dropped = buffer.events.splice(0, buffer.events.length - this.#options.perOrganization)
      buffer.droppedUpTo = dropped.at(-1)?.seq ?? buffer.droppedUpTo
    }
    for (const listener of this.#listeners.get(event.customer) ?? []) listener(event)
  }

  /** Marks the sequence as seen when the message meant nothing to a page. */
  skip(seq: number): void {
    this.#lastSeq = Math.max(this.#lastSeq, seq)
  }

  /** The organization's events after `lastSeq`, or a gap when some of them are no longer known here. */
  since(customer: string, lastSeq: number): Replay {
    const buffer = this.#buffers.get(customer)
    const droppedUpTo = buffer?.droppedUpTo ?? Math.max(this.#firstSeq - 1, this.#forgottenUpTo)
    if (lastSeq < droppedUpTo) return { kind: 'gap' }
    return { kind: 'events', events: (buffer?.events ?? []).filter((event) => event.seq > lastSeq) }
  }

  /** Calls `listener` with each new event of the organization; answers a function that stops it. */
  subscribe(customer: string, listener: (event: LiveEvent) => void): () => void {
    let set = this.#listeners.get(customer)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(customer, set)
    }
    set.add(listener)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.#listeners.delete(customer)
    }
  }

  #forgetOldest(): void {
    const oldest = this.#buffers.keys().next()
    if (oldest.done) return
    this.#buffers.delete(oldest.value)
    this.#forgottenUpTo = this.#lastSeq
  }
}
