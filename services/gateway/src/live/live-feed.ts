import { type Bus, decodeEnvelope, Streams } from '@taskforge/bus'
import type { Logger } from '@taskforge/telemetry'
import { type LiveHub, liveEventOf } from './live-events.js'

/** Jobs whose task this replica remembers (from their JobQueued), so most events need no lookup. */
const JOB_TASKS_KEPT = 100_000

export interface LiveFeedOptions {
  bus: Bus
  hub: LiveHub
  logger: Logger
  /** The task of a job the feed has not seen queued, asked of its owner; undefined when unknown. */
  taskOfJob(customer: string, jobId: string): Promise<string | undefined>
}

/**
 * Feeds the hub from the EVENTS stream with an ordered consumer of this replica's own (ephemeral,
 * no durable state, no ack): events from the moment it starts, in stream order. An ordered
 * consumer recreates itself after a reconnection, resuming after the last sequence it delivered.
 */
export class LiveFeed {
  readonly #options: LiveFeedOptions
  readonly #jobTasks = new Map<string, string>()
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
    const known = this.#jobTasks.get(envelope.streamId)
    let looked: string | undefined
    if (
      envelope.streamType === 'job' &&
      known === undefined &&
      envelope.type !== 'queued' &&
      envelope.type !== 'outputAppended'
    )
      looked = await this.#options.taskOfJob(envelope.customer, envelope.streamId).catch(() => undefined)
    const live = liveEventOf(seq, envelope, (jobId) => this.#jobTasks.get(jobId) ?? looked)
    if (live === undefined) {
      hub.skip(seq)
      return
    }
    const jobTask = live.jobTask ?? looked
    if (jobTask !== undefined && jobTask !== '') this.#remember(envelope.streamId, jobTask)
    hub.publish(live.event)
  }

  #remember(jobId: string, taskId: string): void {
    if (this.#jobTasks.has(jobId)) return
    if (this.#jobTasks.size >= JOB_TASKS_KEPT) {
      const oldest = this.#jobTasks.keys().next()
      if (!oldest.done) this.#jobTasks.delete(oldest.value)
    }
    this.#jobTasks.set(jobId, taskId)
  }
}
