import { type Bus, botOfHeartbeatSubject, heartbeatsPerBot, subscribeWithBudget } from '@taskforge/bus'
import type { EventStore } from '@taskforge/event-store'
import { Heartbeat } from '@taskforge/proto/bots/v1/protocol'
import { subjects } from '@taskforge/protocol'
import type { Logger } from '@taskforge/telemetry'
import { sql } from 'kysely'
import type { BotsDb } from '../projection/bot-queries.js'
import { BOT_PRESENCE_TABLE, BOTS_TABLE } from '../projection/bots-table.js'
import { changePresence } from './presence-changes.js'
import { ONLINE_WINDOW_MS, PRESENCE_WRITE_INTERVAL_MS, PresenceThrottle } from './presence-policy.js'

/**
 * Records that a registered bot of `customer` was seen. Answers its recorded presence (whether it was
 * already online), or undefined for an unknown bot or a wrong customer, which writes nothing.
 */
export async function recordHeartbeat(
  db: BotsDb,
  heartbeat: { botId: string; customer: string; runningJobs: number },
  seenAt: Date,
): Promise<{ online: boolean } | undefined> {
  const result = await sql<{ online: boolean }>`
    insert into ${sql.table(BOT_PRESENCE_TABLE)} (bot_id, last_seen, running_jobs)
    select id, ${seenAt}::timestamptz, ${heartbeat.runningJobs}::integer from ${sql.table(BOTS_TABLE)}
    where id = ${heartbeat.botId} and customer = ${heartbeat.customer}
    on conflict (bot_id) do update set last_seen = excluded.last_seen, running_jobs = excluded.running_jobs
    returning online
  `.execute(db)
  const row = result.rows[0]
  return row === undefined ? undefined : { online: row.online }
}

/**
 * Listens to `heartbeats.>` and keeps `last_seen` per bot, throttled; a bot sending more than its
 * share ({@link heartbeatsPerBot} of the presence window) has the excess dropped before any work; the first heartbeat of a bot
 * that was offline records `cameOnline`. The time recorded is this service's clock when the heartbeat
 * arrived, so a bot's clock skew does not make it look offline.
 */
export function listenToHeartbeats(deps: {
  bus: Bus
  db: BotsDb
  store: EventStore
  logger: Logger
  /** The presence window: writes are throttled well within it, so a returning bot is seen at once. */
  onlineWindowMs?: number
  /** Told of each heartbeat dropped because its bot sent more than {@link heartbeatsPerBot} of the presence window. */
  onDropped?: () => void
}): {
  stop(): Promise<void>
} {
  const { bus, db, store, logger } = deps
  const throttle = new PresenceThrottle(
    Math.min(PRESENCE_WRITE_INTERVAL_MS, (deps.onlineWindowMs ?? ONLINE_WINDOW_MS) / 3),
  )
  return subscribeWithBudget(bus.nc, subjects.everyHeartbeat, {
    publisherOf: botOfHeartbeatSubject,
    rate: heartbeatsPerBot(deps.onlineWindowMs ?? ONLINE_WINDOW_MS),
    ...(deps.onDropped === undefined ? {} : { onDropped: deps.onDropped }),
    logger,
    async handle(msg) {
      let heartbeat: Heartbeat
      try {
        heartbeat = Heartbeat.decode(msg.data)
      } catch (error) {
        logger.warn({ err: error, subject: msg.subject }, 'undecodable heartbeat dropped')
        return
      }
      if (msg.subject !== subjects.heartbeat(heartbeat.botId)) {
        logger.warn(
          { subject: msg.subject, botId: heartbeat.botId },
          'heartbeat on another bot subject dropped',
        )
        return
      }
      const now = new Date()
      if (!throttle.shouldWrite(heartbeat.botId, now.getTime(), heartbeat.runningJobs)) return
      try {
        const presence = await recordHeartbeat(db, heartbeat, now)
        if (presence === undefined) {
          logger.debug({ botId: heartbeat.botId }, 'heartbeat of an unknown bot ignored')
        } else if (!presence.online && (await changePresence(store, heartbeat.botId, { online: true }))) {
          logger.info({ botId: heartbeat.botId }, 'bot came online')
        }
      } catch (error) {
        throttle.forget(heartbeat.botId)
        logger.error({ err: error, botId: heartbeat.botId }, 'presence write failed')
      }
    },
  })
}
