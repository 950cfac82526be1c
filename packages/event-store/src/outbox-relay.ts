import { isTransientFailure } from '@taskforge/core'
import { createLogger, type Logger } from '@taskforge/telemetry'
import { DEFAULT_MAX_ATTEMPTS } from './careful-apply.js'
import { compareAndSetCheckpoint, ensureCheckpoint, lockCheckpoints } from './checkpoints.js'
import type { EventStore } from './event-store.js'
import { positionOf, START } from './global-position.js'
import { Quarantine } from './quarantine.js'
import { readAllFrom, readEventById } from './read-all.js'
import { SerialRunner } from './serial-runner.js'
import type { GlobalPosition, StoredEvent, Trx } from './types.js'

const positionKey = (at: GlobalPosition) => `${at.transactionId}:${at.position}`

export interface OutboxRelayOptions {
  /** Names the checkpoint and the lock: one active relay per name across replicas. */
  name: string
  /** Publishes a batch; resolves once every event is acknowledged. Event ids are the message ids. */
  publish(events: StoredEvent[]): Promise<void>
  /** Events per publish (default 256). */
  batchSize?: number
  /** Interval besides notifications, also the retry delay after a failed publish (default 1000 ms). */
  pollIntervalMs?: number
  /** Streams whose last published version the relay remembers, for publishing at commit (default 10,000). */
  streamsRemembered?: number
  /** Where an event that cannot be published is set aside (default: the store's quarantine table). */
  quarantine?: Quarantine
  /** Tries of one event alone, after its batch failed, before it is set aside (default 3). */
  maxAttempts?: number
  /**
   * Resolves when the broker is reachable and answering (e.g. a JetStream account info request).
   * An event that fails on its own is set aside only while the probe succeeds: when the broker is
   * down, every event fails, and none of them is poison.
   */
  probe?: () => Promise<void>
  logger?: Logger
}

/**
 * The event store is the outbox: the relay reads it in commit order from its checkpoint, publishes,
 * and advances the checkpoint (compare-and-set) only after the publish resolved. A crash in
 * between publishes the batch again; with event ids as Nats-Msg-Id, JetStream drops the duplicates.
 *
 * Events committed through this process's store are also published at once, without waiting for
 * the notification and the read: those whose stream's previous event is known to be in JetStream
 * (or that start their stream), so a stream's events still reach JetStream in version order. Known
 * means acknowledged to this relay, either way. The checkpoint stays the record of what went out:
 * a publish at commit that fails is left to the read, and the read skips what is known to be out.
 * The notification of a commit published whole at commit does not wake the read (it would find
 * nothing else); the checkpoint passes those events with the next read.
 *
 * A batch whose publish fails is published again one event at a time. An event that fails alone
 * `maxAttempts` times while the broker answers the probe (too large for the server, refused by the
 * stream) is poison: it is recorded in the quarantine, in the transaction that moves the checkpoint
 * past it, and the events after it go out. Failures of the connection are retried without end. An
 * operator's replay publishes a quarantined event again.
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
  readonly #quarantine: Quarantine
  readonly #maxAttempts: number
  readonly #probe: (() => Promise<void>) | undefined
  readonly #pipeline: string
  #unregisterReplayer: (() => void) | undefined
  readonly #runner = new SerialRunner(() => this.#drain())
  /** Stream id → its highest version acknowledged by a publish of this relay; least recently moved first. */
  readonly #published = new Map<string, bigint>()
  readonly #streamsRemembered: number
  /** Publishes at commit still awaiting their acks, by event id (they never reject). */
  readonly #publishing = new Map<string, Promise<void>>()
  /**
   * Positions of the events of commits handed whole to a publish at commit, until their append's
   * notification comes: a read for that notification would find only them, already out.
   */
  readonly #outAtCommit = new Set<string>()
  #timer: NodeJS.Timeout | undefined
  #unsubscribe: (() => Promise<void>) | undefined
  #stopCommitted: (() => void) | undefined

  constructor(store: EventStore, options: OutboxRelayOptions) {
    this.#store = store
    this.#name = options.name
    this.#checkpoint = `outbox:${options.name}`
    this.#publish = options.publish
    this.#batchSize = options.batchSize ?? 256
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000
    this.#streamsRemembered = options.streamsRemembered ?? 10_000
    this.#logger = options.logger ?? createLogger('outbox-relay', { relay: options.name })
    this.#quarantine = options.quarantine ?? new Quarantine(store.db)
    this.#maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
    this.#probe = options.probe
    this.#pipeline = `outbox:${options.name}`
  }

  /** Follows appends (at commit in this process, notifications, polling) until {@link stop}. */
  async start(): Promise<void> {
    if (this.#timer !== undefined) return
    await ensureCheckpoint(this.#store.db, this.#checkpoint)
    this.#unregisterReplayer = this.#quarantine.registerReplayer(this.#pipeline, (item) =>
      this.#replay(item.key),
    )
    this.#stopCommitted = this.#store.onCommitted((events) => this.#publishCommitted(events))
    this.#unsubscribe = await this.#store.onAppended((appended) => {
      if (appended === undefined) return this.#wake()
      if (this.#outAtCommit.delete(positionKey(appended))) return
      // The commit's own answer may come after its notification: it may still turn out to be ours.
      void this.#store.settled().then(() => {
        if (!this.#outAtCommit.delete(positionKey(appended))) this.#wake()
      })
    })
    this.#timer = setInterval(() => this.#wake(), this.#pollIntervalMs)
    this.#timer.unref()
    this.#wake()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#stopCommitted?.()
    this.#stopCommitted = undefined
    this.#unregisterReplayer?.()
    this.#unregisterReplayer = undefined
    const unsubscribe = this.#unsubscribe
    this.#unsubscribe = undefined
    await unsubscribe?.()
    await Promise.all(this.#publishing.values())
    await this.#runner.idle()
  }

  /**
   * Publishes one batch, but for what is known to be out already; the checkpoint advances
   * (compare-and-set) only after publish resolved. Answers how many events it passed: 0 when there
   * was nothing, or another replica's relay of the same name is busy.
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
      // A publish at commit of these may be awaiting its ack: its outcome decides what is left to do.
      await Promise.all(events.flatMap((event) => this.#publishing.get(event.eventId) ?? []))
      const unpublished = events.filter((event) => !this.#isPublished(event))
      if (unpublished.length > 0) {
        try {
          await this.#publish(unpublished)
          this.#remember(unpublished)
        } catch (error) {
          if (isTransientFailure(error)) throw error
          await this.#publishOneByOne(trx, unpublished)
        }
      }
      if (!(await compareAndSetCheckpoint(trx, this.#checkpoint, from, positionOf(last)))) {
        throw new Error(`outbox checkpoint ${this.#name} moved while publishing; the batch will be retried`)
      }
      return events.length
    })
  }

  /**
   * Publishes each event alone, after their batch failed; sets aside, in `trx`, each one that keeps
   * failing while the broker answers. Throws (the batch is retried later) on a failure of the
   * connection, or when the broker does not answer the probe.
   */
  async #publishOneByOne(trx: Trx, events: readonly StoredEvent[]): Promise<void> {
    for (const event of events) {
      let lastError: unknown
      for (let attempt = 1; attempt <= this.#maxAttempts; attempt += 1) {
        try {
          await this.#publish([event])
          this.#remember([event])
          lastError = undefined
          break
        } catch (error) {
          if (isTransientFailure(error)) throw error
          lastError = error
        }
      }
      if (lastError === undefined) continue
      // The broker may have refused it for a reason of its own (a stream gone, an account limit).
      if (this.#probe !== undefined) {
        try {
          await this.#probe()
        } catch (probeError) {
          throw new Error(`cannot publish event ${event.eventId}, and the broker does not answer`, {
            cause: probeError,
          })
        }
      }
      await this.#quarantine.record(trx, {
        pipeline: this.#pipeline,
        kind: 'event',
        key: event.eventId,
        ...(event.metadata.customer ? { customer: event.metadata.customer } : {}),
        event,
        error: lastError,
        attempts: this.#maxAttempts,
      })
    }
  }

  /** An operator's replay: publishes the event again (within its duplicate window the broker drops a second copy). */
  async #replay(eventId: string): Promise<void> {
    const event = await readEventById(this.#store.db, eventId)
    if (event === undefined) throw new Error(`event ${eventId} is not in the event store`)
    await this.#publish([event])
    this.#remember([event])
  }

  /** Publishes at once the committed events that keep their streams in order; the read takes the rest. */
  #publishCommitted(events: readonly StoredEvent[]): void {
    const next = new Map<string, bigint>()
    const ready: StoredEvent[] = []
    for (const event of events) {
      const previous = next.get(event.streamId) ?? this.#published.get(event.streamId) ?? 0n
      if (event.streamVersion !== previous + 1n) {
        // Its predecessor may not be out yet: this and every later event of its stream wait for the read.
        next.set(event.streamId, -1n)
        continue
      }
      next.set(event.streamId, event.streamVersion)
      ready.push(event)
    }
    if (ready.length === 0) return
    if (ready.length === events.length) this.#skipNotificationsOf(ready)
    const publishing = this.#publish(ready)
      .then(
        () => this.#remember(ready),
        (error: unknown) => {
          this.#logger.debug({ err: error }, 'publish at commit failed; the outbox read publishes them')
          this.#wake()
        },
      )
      .finally(() => {
        for (const event of ready) this.#publishing.delete(event.eventId)
      })
    for (const event of ready) this.#publishing.set(event.eventId, publishing)
  }

  /**
   * The notifications of these events' appends will not wake the read: what it would read is out
   * (or being published, and a failure wakes it). The checkpoint then moves with the next read: the
   * poll, or an append this relay did not publish at commit.
   */
  #skipNotificationsOf(events: readonly StoredEvent[]): void {
    for (const event of events) this.#outAtCommit.add(positionKey(event))
    // Notifications lost with the LISTEN connection would leave their positions behind.
    for (const key of this.#outAtCommit) {
      if (this.#outAtCommit.size <= this.#streamsRemembered) break
      this.#outAtCommit.delete(key)
    }
  }

  #isPublished(event: StoredEvent): boolean {
    return (this.#published.get(event.streamId) ?? 0n) >= event.streamVersion
  }

  #remember(events: readonly StoredEvent[]): void {
    for (const event of events) {
      if (this.#isPublished(event)) continue
      this.#published.delete(event.streamId)
      this.#published.set(event.streamId, event.streamVersion)
    }
    for (const streamId of this.#published.keys()) {
      if (this.#published.size <= this.#streamsRemembered) break
      this.#published.delete(streamId)
    }
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
