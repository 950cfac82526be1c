import type { Bus } from '@taskforge/bus'
import { Heartbeat } from '@taskforge/proto/bots/v1/protocol'
import type { Logger } from '@taskforge/telemetry'
import { sql } from 'kysely'
import type { BotsDb } from '../projection/bot-queries.js'
import { BOT_PRESENCE_TABLE, BOTS_TABLE } from '../projection/bots-table.js'
import { PresenceThrottle } from './presence-policy.js'

/** Core NATS subject of every bot's heartbeats (not persisted: only the latest one matters). */
export const HEARTBEATS_SUBJECT = 'heartbeats.>'

/** Records that a registered bot of `customer` was seen; an unknown bot or a wrong customer writes nothing. */
export async function recordHeartbeat(
  db: BotsDb,
  heartbeat: { botId: string; customer: string; runningJobs: number },
  seenAt: Date,
): Promise<boolean> {
  const result = await sql`
    insert into ${sql.table(BOT_PRESENCE_TABLE)} (bot_id, last_seen, running_jobs)
    select id, ${seenAt}::timestamptz, ${heartbeat.runningJobs}::integer from ${sql.table(BOTS_TABLE)}
    where id = ${heartbeat.botId} and customer = ${heartbeat.customer}
    on conflict (bot_id) do update set last_seen = excluded.last_seen, running_jobs = excluded.running_jobs
  `.execute(db)
  return (result.numAffectedRows ?? 0n) > 0n
}

/**
 * Listens to `heartbeats.>` and keeps `last_seen` per bot, throttled. The time recorded is this
 * service's clock when the heartbeat arrived, so a bot's clock skew does not make it look offline.
 */
export function listenToHeartbeats(deps: { bus: Bus; db: BotsDb; logger: Logger }): {
  stop(): Promise<void>
} {
  const { bus, db, logger } = deps
  const throttle = new PresenceThrottle()
  const subscription = bus.nc.subscribe(HEARTBEATS_SUBJECT)
  const loop = (async () => {
    for await (const msg of subscription) {
      let heartbeat: Heartbeat
      try {
        heartbeat = Heartbeat.decode(msg.data)
      } catch (error) {
        logger.warn({ err: error, subject: msg.subject }, 'undecodable heartbeat dropped')
        continue
      }
      if (msg.subject !== `heartbeats.${heartbeat.botId}`) {
        logger.warn(
          { subject: msg.subject, botId: heartbeat.botId },
          'heartbeat on another bot subject dropped',
        )
        continue
      }
      const now = new Date()
      if (!throttle.shouldWrite(heartbeat.botId, now.getTime(), heartbeat.runningJobs)) continue
      try {
        const known = await recordHeartbeat(db, heartbeat, now)
        if (!known) logger.debug({ botId: heartbeat.botId }, 'heartbeat of an unknown bot ignored')
      } catch (error) {
        throttle.forget(heartbeat.botId)
        logger.error({ err: error, botId: heartbeat.botId }, 'presence write failed')
      }
    }
  })()
  return {
    async stop() {
      subscription.unsubscribe()
      await loop
    },
  }
}
