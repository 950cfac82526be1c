import { type Bus, decodeEnvelope, Streams } from '@taskforge/bus'
import type { Logger } from '@taskforge/telemetry'
import { type LiveHub, liveEventOf, quietSubject } from './live-events.js'

/**
 * Jobs and schedules whose task this replica remembers (from their JobQueued or ScheduleCreated),
 * and workflow runs whose workflow it remembers (from their `started`), so most events need no lookup.
 */
const STREAM_TASKS_KEPT = 100_000

export interface LiveFeedOptions {
  bus: Bus
  hub: LiveHub
  logger: Logger
  /** The task of a job the feed has not seen queued, asked of its owner; undefined when unknown. */
  taskOfJob(customer: string, jobId: string): Promise<string | undefined>
  /** The task of a schedule the feed has not seen created, asked of its owner; undefined when unknown. */
  taskOfSchedule(customer: string, scheduleId: string): Promise<string | undefined>
  /** The workflow of a run the feed has not seen started, asked of its owner; undefined when unknown. */
  workflowOfRun(customer: string, runId: string): Promise<string | undefined>
}

/**
 * Feeds the hub from the EVENTS stream with an ordered consumer of this replica's own (ephemeral,
 * no durable state, no ack): events from the moment it starts, in stream order. An ordered
 * consumer recreates itself after a reconnection, resuming after the last sequence it delivered.
 */
export class LiveFeed {
  readonly #options: LiveFeedOptions
  readonly #jobTasks = new Map<string, string>()
  readonly #scheduleTasks = new Map<string, string>()
  readonly #runWorkflows = new Map<string, string>()
  #messages: { stop(): void } | undefined
  #done: Promise<void> | undefined

  constructor(options: LiveFeedOptions) {
    this.#options = options
  }

  async start(): Promise<void> {
    const { bus, hub } = this.#options
    const info = await bus.jsm.streams.info(Streams.EVENTS.name)
    const startSeq = info.state.last_seq + 1
    hub.startAt(startSeq)
    const consumer = await bus.js.consumers.get(Streams.EVENTS.name, {
      filter_subjects: 'events.>',
      deliver_policy: 'by_start_sequence',
      opt_start_seq: startSeq,
    } as never)
    const messages = await consumer.consume()
    this.#messages = messages
    this.#done = (async () => {
      for await (const message of messages) {
        if (quietSubject(message.subject)) {
          hub.skip(message.seq)
          continue
        }
        try {
          await this.#take(message.seq, message.data)
        } catch (error) {
          this.#options.logger.warn({ err: error, seq: message.seq }, 'live event skipped')
          hub.skip(message.seq)
        }
      }
    })()
  }

  async stop(): Promise<void> {
    this.#messages?.stop()
    await this.#done?.catch(() => undefined)
  }

  async #take(seq: number, data: Uint8Array): Promise<void> {
    const { hub } = this.#options
    const envelope = decodeEnvelope(data)
    const { streamType, streamId, customer, type } = envelope
    const kept =
      streamType === 'schedule'
        ? this.#scheduleTasks
        : streamType === 'workflow_run'
          ? this.#runWorkflows
          : this.#jobTasks
    const known = kept.get(streamId)
    let looked: string | undefined
    if (known === undefined) {
      if (streamType === 'job' && type !== 'queued' && type !== 'outputAppended')
        looked = await this.#options.taskOfJob(customer, streamId).catch(() => undefined)
      // A deleted schedule is no longer known to its owner: its event then goes to admins only.
      if (streamType === 'schedule' && type !== 'created')
        looked = await this.#options.taskOfSchedule(customer, streamId).catch(() => undefined)
      if (streamType === 'workflow_run' && type !== 'started')
        looked = await this.#options.workflowOfRun(customer, streamId).catch(() => undefined)
    }
    const live = liveEventOf(seq, envelope, (id) => kept.get(id) ?? looked)
    if (live === undefined) {
      hub.skip(seq)
      return
    }
    const task = live.jobTask ?? live.scheduleTask ?? live.runWorkflow ?? looked
    if (task !== undefined && task !== '') this.#remember(kept, streamId, task)
    hub.publish(live.event)
  }

  #remember(kept: Map<string, string>, streamId: string, taskId: string): void {
    if (kept.has(streamId)) return
    if (kept.size >= STREAM_TASKS_KEPT) {
      const oldest = kept.keys().next()
      if (!oldest.done) kept.delete(oldest.value)
    }
    kept.set(streamId, taskId)
  }
}
