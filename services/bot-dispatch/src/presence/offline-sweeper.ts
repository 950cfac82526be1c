import type { EventStore } from '@taskforge/event-store'
import type { Logger } from '@taskforge/telemetry'
import { sql } from 'kysely'
import { type BotsDb, botsDb } from '../projection/bot-queries.js'
import { BOT_PRESENCE_TABLE } from '../projection/bots-table.js'
import { changePresence } from './presence-changes.js'

export interface OfflineSweeperOptions {
  store: EventStore
  db: BotsDb
  /** A bot not heard of for this long is offline. */
  windowMs: number
  intervalMs: number
  logger: Logger
}

/** Why a bot went offline, as its event says. */
export function offlineReason(windowMs: number): string {
  return `no heartbeat for ${Math.round(windowMs / 100) / 10}s`
}

/**
 * Records `wentOffline` for online bots whose heartbeats stopped. One replica at a time scans (an
 * advisory lock); the presence row's lock and a re-check make a racing heartbeat win.
 */
export class OfflineSweeper {
  readonly #options: OfflineSweeperOptions
  #timer: NodeJS.Timeout | undefined
  #round: Promise<void> | undefined

  constructor(options: OfflineSweeperOptions) {
    this.#options = options
  }

  start(): void {
    this.#timer = setInterval(() => this.#tick(), this.#options.intervalMs)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#round
  }

  /** One round now; answers how many bots it marked offline. */
  async sweep(now = new Date()): Promise<number> {
    const { store, windowMs, logger } = this.#options
    const cutoff = new Date(now.getTime() - windowMs)
    const silent = await store.transaction(async (trx) => {
      const { rows } = await sql<{
        locked: boolean
      }>`SELECT pg_try_advisory_xact_lock(hashtext('bot-dispatch:offline-sweeper')) AS locked`.execute(trx)
      if (rows[0]?.locked !== true) return []
      return botsDb(trx)
        .selectFrom(BOT_PRESENCE_TABLE)
        .select('bot_id')
        .where('online', '=', true)
        .where('last_seen', '<', cutoff)
        .limit(100)
        .execute()
    })
    let marked = 0
    for (const { bot_id: botId } of silent) {
      try {
        const changed = await changePresence(
          store,
          botId,
          { online: false, reason: offlineReason(windowMs) },
          (lastSeen) => lastSeen < cutoff,
        )
        if (changed) {
          marked += 1
          logger.info({ botId }, 'bot went offline')
        }
      } catch (error) {
        logger.error({ err: error, botId }, 'offline presence not recorded; will retry')
      }
    }
    return marked
  }

  #tick(): void {
    if (this.#round !== undefined) return
    this.#round = this.sweep()
      .then(() => undefined)
      .catch((error: unknown) => this.#options.logger.error({ err: error }, 'offline sweep failed'))
      .finally(() => {
        this.#round = undefined
      })
  }
}
