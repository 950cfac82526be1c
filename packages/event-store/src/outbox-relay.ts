import { createLogger, type Logger } from '@taskforge/telemetry'
import { compareAndSetCheckpoint, ensureCheckpoint, lockCheckpoints } from './checkpoints.js'
import type { EventStore } from './event-store.js'
import { positionOf, START } from './global-position.js'
import { readAllFrom } from './read-all.js'
import { SerialRunner } from './serial-runner.js'
import type { StoredEvent } from './types.js'

export interface OutboxRelayOptions {
  /** Names the checkpoint and the lock: one active relay per name across replicas. */
  name: string
  /** Publishes a batch; resolves once every event is acknowledged. Event ids are the message ids. */
  publish(events: StoredEvent[]): Promise<void>
  /** Events per publish (default 256). */
  batchSize?: number
  /** Interval besides notifications, also the retry delay after a failed publish (default 1000 ms). */
  pollIntervalMs?: number
  logger?: Logger
}

/**
 * The event store is the outbox: the relay reads it in commit order from its checkpoint, publishes,
 * and advances the checkpoint (compare-and-set) only after the publish resolved. A crash in
 * between publishes the batch again; with event ids as Nats-Msg-Id, JetStream drops the duplicates.
 *
 * @example
 * const relay = new OutboxRelay(store, { name: 'job-scheduler', publish: (events) => bus.publishEvents(events) })
 * await relay.start()
 */
export class OutboxRelay {
  readonly #store: EventStore
  readonly #name: string
  readonly #checkpoint: string
  readonly #publish: (events: StoredEvent[]) => Promise<void>
  readonly #batchSize: number
  readonly #pollIntervalMs: number
  readonly #logger: Logger
  readonly #runner = new SerialRunner(() => this.#drain())
  #timer: NodeJS.Timeout | undefined
  #unsubscribe: (() => Promise<void>) | undefined

  constructor(store: EventStore, options: OutboxRelayOptions) {
    this.#store = store
    this.#name = options.name
    this.#checkpoint = `outbox:${options.name}`
    this.#publish = options.publish
    this.#batchSize = options.batchSize ?? 256
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000
    this.#logger = options.logger ?? createLogger('outbox-relay', { relay: options.name })
  }

  /** Follows appends (notifications plus polling) until {@link stop}. */
  async start(): Promise<void> {
    if (this.#timer !== undefined) return
    await ensureCheckpoint(this.#store.db, this.#checkpoint)
    this.#unsubscribe = await this.#store.onAppended(() => this.#wake())
    this.#timer = setInterval(() => this.#wake(), this.#pollIntervalMs)
    this.#timer.unref()
    this.#wake()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    const unsubscribe = this.#unsubscribe
    this.#unsubscribe = undefined
    await unsubscribe?.()
    await this.#runner.idle()
  }

  /**
   * Publishes one batch; the checkpoint advances (compare-and-set) only after publish resolved.
   * Answers how many events were published: 0 when there was nothing, or another replica's relay
   * of the same name is busy.
   */
  runOnce(): Promise<number> {
    return this.#store.transaction(async (trx) => {
      // Nothing is written before the read: a transaction id of our own would hold back what it can see.
      const locked = (await lockCheckpoints(trx, [this.#checkpoint])).get(this.#checkpoint)
      if (locked?.locked !== true) return 0
      const from = locked.checkpoint
      const events = await readAllFrom(trx, { after: from ?? START, limit: this.#batchSize })
      const last = events.at(-1)
      if (last === undefined) return 0
      await this.#publish(events)
      if (!(await compareAndSetCheckpoint(trx, this.#checkpoint, from, positionOf(last)))) {
        throw new Error(`outbox checkpoint ${this.#name} moved while publishing; the batch will be retried`)
      }
      return events.length
    })
  }

  #wake(): void {
    this.#runner
      .run()
      .catch((error: unknown) => this.#logger.error({ err: error }, 'outbox publish failed; will retry'))
  }

  async #drain(): Promise<number> {
    let published = 0
    for (;;) {
      const count = await this.runOnce()
      published += count
      if (count < this.#batchSize) return published
    }
  }
}
