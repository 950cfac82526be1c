import { Backoff } from '@taskforge/core'
import type { Logger } from '@taskforge/telemetry'
import pg from 'pg'
import { JOB_CHANGES_CHANNEL } from './notify-job-changes.js'

/** A wait for the next change of one job. */
export interface JobChangeWait {
  /** Resolves at the job's next change (since the wait was made), after `timeoutMs`, or when `signal` aborts. */
  until(timeoutMs: number, signal?: AbortSignal): Promise<void>
  /** Forgets the wait (when it is not needed after all). */
  cancel(): void
}

/**
 * Changes of the job read model as they commit, from the projections' notifications on one LISTEN
 * connection (reconnecting with backoff; every waiter is woken on reconnect, since notifications sent
 * meanwhile are lost). Waiters register before they read, so a change between the read and the wait
 * is never missed.
 */
export class JobChangeFeed {
  readonly #connectionString: string
  readonly #logger: Logger
  readonly #waiters = new Map<string, Set<() => void>>()
  #client: pg.Client | undefined
  #retryTimer: NodeJS.Timeout | undefined
  readonly #retry = new Backoff({ initialMs: 100, maxMs: 5_000, jitter: 0.2 })
  #stopped = false

  constructor(connectionString: string, logger: Logger) {
    this.#connectionString = connectionString
    this.#logger = logger
  }

  /** Starts listening; answers once listening (or retrying in the background). */
  async start(): Promise<void> {
    await this.#open()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#retryTimer)
    const client = this.#client
    this.#client = undefined
    await client?.end().catch(() => undefined)
    this.#wakeAll()
  }

  /** Registers interest in the next change of `jobId`. */
  next(jobId: string): JobChangeWait {
    let fired = false
    let resolveWait: (() => void) | undefined
    const fire = () => {
      fired = true
      remove()
      resolveWait?.()
    }
    const remove = () => {
      const set = this.#waiters.get(jobId)
      set?.delete(fire)
      if (set?.size === 0) this.#waiters.delete(jobId)
    }
    let set = this.#waiters.get(jobId)
    if (set === undefined) {
      set = new Set()
      this.#waiters.set(jobId, set)
    }
    set.add(fire)
    return {
      until: (timeoutMs, signal) =>
        new Promise<void>((resolve) => {
          if (fired || this.#stopped || signal?.aborted) {
            remove()
            resolve()
            return
          }
          const done = () => {
            clearTimeout(timer)
            signal?.removeEventListener('abort', done)
            remove()
            resolve()
          }
          const timer = setTimeout(done, Math.max(0, timeoutMs))
          signal?.addEventListener('abort', done, { once: true })
          resolveWait = done
        }),
      cancel: remove,
    }
  }

  #wake(jobId: string): void {
    for (const fire of [...(this.#waiters.get(jobId) ?? [])]) fire()
  }

  #wakeAll(): void {
    for (const jobId of [...this.#waiters.keys()]) this.#wake(jobId)
  }

  async #open(): Promise<void> {
    if (this.#stopped) return
    const client = new pg.Client({ connectionString: this.#connectionString })
    client.on('notification', (message) => {
      if (message.channel === JOB_CHANGES_CHANNEL && message.payload !== undefined)
        this.#wake(message.payload)
    })
    client.on('error', (error) => this.#lost(client, error))
    client.on('end', () => this.#lost(client, undefined))
    try {
      await client.connect()
      await client.query(`LISTEN ${JOB_CHANGES_CHANNEL}`)
    } catch (error) {
      this.#logger.warn({ err: error }, 'job change notifications unavailable; retrying')
      await client.end().catch(() => undefined)
      this.#scheduleReconnect()
      return
    }
    if (this.#stopped) {
      await client.end().catch(() => undefined)
      return
    }
    this.#client = client
    this.#retry.reset()
    this.#wakeAll()
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== client) return
    this.#client = undefined
    if (error !== undefined) this.#logger.warn({ err: error }, 'job change notifications interrupted')
    client.end().catch(() => undefined)
    this.#scheduleReconnect()
  }

  #scheduleReconnect(): void {
    if (this.#retryTimer !== undefined || this.#stopped) return
    const delay = this.#retry.next()
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      void this.#open()
    }, delay)
    this.#retryTimer.unref()
  }
}
