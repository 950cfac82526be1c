import { type Bus, botOfHeartbeatSubject, heartbeatsPerBot } from '@taskforge/bus'
import { TokenBuckets } from '@taskforge/core'
import { Heartbeat } from '@taskforge/proto/bots/v1/protocol'
import type { Logger } from '@taskforge/telemetry'
import { renewLeases } from '../schedule/job-leases.js'
import type { ScheduleDb } from '../schedule/job-schedule-table.js'

/** Core NATS subject of every bot's heartbeats. */
export const HEARTBEATS_SUBJECT = 'heartbeats.>'
/** Replicas of the scheduler share heartbeats: each is handled by one of them. */
export const HEARTBEATS_QUEUE = 'job-scheduler'

/**
 * Renews the leases of the jobs each heartbeat lists. A heartbeat counts only on its own bot's
 * subject and only for jobs that bot is running, so a bot cannot keep another's job alive; a bot
 * sending more than its share ({@link heartbeatsPerBot} of the lease) has the excess dropped before any work,
 * so its flood does not delay other bots' renewals.
 */
export function renewLeasesFromHeartbeats(deps: {
  bus: Bus
  db: ScheduleDb
  leaseMs: number
  logger: Logger
  /** Told of each heartbeat dropped because its bot sent more than {@link heartbeatsPerBot} of the lease. */
  onDropped?: () => void
}): { stop(): Promise<void> } {
  const { bus, db, leaseMs, logger } = deps
  const buckets = new TokenBuckets(heartbeatsPerBot(leaseMs))
  const subscription = bus.nc.subscribe(HEARTBEATS_SUBJECT, { queue: HEARTBEATS_QUEUE })
  const loop = (async () => {
    for await (const msg of subscription) {
      const subjectBot = botOfHeartbeatSubject(msg.subject)
      if (subjectBot === undefined || !buckets.take(subjectBot, Date.now())) {
        deps.onDropped?.()
        continue
      }
      let heartbeat: Heartbeat
      try {
        heartbeat = Heartbeat.decode(msg.data)
      } catch (error) {
        logger.debug({ err: error, subject: msg.subject }, 'undecodable heartbeat ignored')
        continue
      }
      if (msg.subject !== `heartbeats.${heartbeat.botId}` || heartbeat.runningJobIds.length === 0) continue
      try {
        await renewLeases(db, heartbeat.botId, heartbeat.runningJobIds, leaseMs)
      } catch (error) {
        logger.warn({ err: error, botId: heartbeat.botId }, 'leases not renewed')
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
