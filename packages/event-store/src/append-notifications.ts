import { Backoff } from '@taskforge/core'
import pg from 'pg'
import type { GlobalPosition } from './types.js'

/**
 * The channel every append notifies, in the same transaction as the events. Payload: the stream type,
 * then the transaction id and position of the append's last event (read by {@link appendedPosition}).
 */
export const APPENDED_CHANNEL = 'taskforge_events'

/** Where the notified append ended, read from its payload; undefined when it does not say. */
export function appendedPosition(payload: string | undefined): GlobalPosition | undefined {
  const parts = payload?.split(' ')
  if (parts?.length !== 3 || !/^\d+$/.test(parts[1]!) || !/^\d+$/.test(parts[2]!)) return undefined
  return { transactionId: BigInt(parts[1]!), position: BigInt(parts[2]!) }
}

/**
 * Told of an append once it committed: `appended` is the position of its last event when the
 * notification says, undefined when it cannot (after a reconnection, or a notification sent by hand).
 */
export type AppendListener = (appended: GlobalPosition | undefined) => void

/**
 * One LISTEN connection, outside the pool, shared by every subscriber of a store. It reconnects
 * with backoff when lost and then wakes every subscriber, since notifications sent meanwhile are gone.
 */
export class AppendNotifications {
  readonly #connectionString: string
  readonly #onError: (error: unknown) => void
  readonly #listeners = new Set<AppendListener>()
  #client: pg.Client | undefined
  #connecting: Promise<void> | undefined
  #retryTimer: NodeJS.Timeout | undefined
  readonly #retry = new Backoff({ initialMs: 100, maxMs: 5_000, jitter: 0.2 })

  constructor(connectionString: string, onError: (error: unknown) => void) {
    this.#connectionString = connectionString
    this.#onError = onError
  }

  /** Adds `listener`; answers once listening (or retrying in the background). */
  async subscribe(listener: AppendListener): Promise<() => Promise<void>> {
    this.#listeners.add(listener)
    await this.#ensureConnected()
    return async () => {
      this.#listeners.delete(listener)
      if (this.#listeners.size === 0) await this.#close()
    }
  }

  #emit(appended?: GlobalPosition): void {
    for (const listener of this.#listeners) {
      try {
        listener(appended)
      } catch (error) {
        this.#onError(error)
      }
    }
  }

  #ensureConnected(): Promise<void> {
    if (this.#client !== undefined) return Promise.resolve()
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined
    })
    return this.#connecting
  }

  async #open(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#connectionString })
    client.on('notification', (message) => {
      if (message.channel === APPENDED_CHANNEL) this.#emit(appendedPosition(message.payload))
    })
    client.on('error', (error) => this.#lost(client, error))
    client.on('end', () => this.#lost(client, undefined))
    try {
      await client.connect()
      await client.query(`LISTEN ${APPENDED_CHANNEL}`)
    } catch (error) {
      this.#onError(error)
      await client.end().catch(() => undefined)
      this.#scheduleReconnect()
      return
    }
    if (this.#listeners.size === 0) {
      await client.end().catch(() => undefined)
      return
    }
    this.#client = client
    this.#retry.reset()
    this.#emit()
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== client) return
    this.#client = undefined
    if (error !== undefined) this.#onError(error)
    client.end().catch(() => undefined)
    this.#scheduleReconnect()
  }

  #scheduleReconnect(): void {
    if (this.#retryTimer !== undefined || this.#listeners.size === 0) return
    const delay = this.#retry.next()
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      if (this.#listeners.size > 0) void this.#ensureConnected()
    }, delay)
    this.#retryTimer.unref()
  }

  async #close(): Promise<void> {
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    await this.#connecting
    const client = this.#client
    this.#client = undefined
    await client?.end().catch(() => undefined)
  }
}
