import { type Bus, botOfHeartbeatSubject, heartbeatsPerBot, subscribeWithBudget } from '@taskforge/bus'
import { Heartbeat } from '@taskforge/proto/bots/v1/protocol'
import { subjects } from '@taskforge/protocol'
import type { Logger } from '@taskforge/telemetry'
import { renewLeases } from '../schedule/job-leases.js'
import type { ScheduleDb } from '../schedule/job-schedule-table.js'

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
  return subscribeWithBudget(bus.nc, subjects.everyHeartbeat, {
    queue: HEARTBEATS_QUEUE,
    publisherOf: botOfHeartbeatSubject,
    rate: heartbeatsPerBot(leaseMs),
    ...(deps.onDropped === undefined ? {} : { onDropped: deps.onDropped }),
    logger,
    async handle(msg) {
      let heartbeat: Heartbeat
      try {
        heartbeat = Heartbeat.decode(msg.data)
      } catch (error) {
        logger.debug({ err: error, subject: msg.subject }, 'undecodable heartbeat ignored')
        return
      }
      if (msg.subject !== subjects.heartbeat(heartbeat.botId) || heartbeat.runningJobIds.length === 0) return
      try {
        await renewLeases(db, heartbeat.botId, heartbeat.runningJobIds, leaseMs)
      } catch (error) {
        logger.warn({ err: error, botId: heartbeat.botId }, 'leases not renewed')
      }
    },
  })
}
