import {
  type Bus,
  type BusMessage,
  decodeEnvelope,
  Streams,
  type Subscription,
  subjects,
} from '@taskforge/bus'
import { badRequest } from '@taskforge/core'
import { BotEvent } from '@taskforge/proto/bots/v1/events'
import { Durables } from '@taskforge/protocol'
import type { Logger } from '@taskforge/telemetry'
import { executeJobCommand, type JobCommandDeps } from '../app/job-command-handler.js'
import { JOB_SCHEDULE_TABLE, scheduleDb } from '../schedule/job-schedule-table.js'

export const BOT_DELETIONS_SUBJECT = subjects.event('bot', 'deleted')

/** Why the jobs of a deleted bot ended, as their result says. */
export function botDeletedReason(botId: string): string {
  return `bot ${botId} was deleted`
}

/**
 * Ends every job of a deleted bot that has not ended (decision 19), so that none waits for a bot
 * that will never come: a running job ends at once as its lease would (terminated, error: the bot
 * can no longer report), any other (on hold, ready for the bot, assigned but not started) is
 * canceled. Each command is idempotent: a redelivered deletion changes nothing more.
 */
export async function endJobsOfDeletedBot(
  deps: JobCommandDeps & { logger: Logger },
  msg: BusMessage,
): Promise<void> {
  let customer: string
  let botId: string
  try {
    const envelope = decodeEnvelope(msg.data)
    const event = BotEvent.decode(envelope.data).event
    if (event?.$case !== 'deleted') return
    customer = envelope.customer
    botId = event.value.botId || envelope.streamId
  } catch (error) {
    throw badRequest('undecodable bot event', { cause: String(error) })
  }
  const jobs = await scheduleDb(deps.store.db)
    .selectFrom(JOB_SCHEDULE_TABLE)
    .select(['job_id', 'phase', 'attempt'])
    .where('bot_id', '=', botId)
    .where('customer', '=', customer)
    .execute()
  const reason = botDeletedReason(botId)
  for (const job of jobs) {
    await executeJobCommand(
      deps,
      job.job_id,
      job.phase === 'running'
        ? { type: 'ExpireLease', botId, attempt: job.attempt, reason, now: new Date() }
        : { type: 'Cancel', customer, reason },
      { author: 'scheduler', causationId: msg.msgId ?? botId },
    ).catch((error: unknown) => {
      // A job that ended meanwhile refuses the cancel: nothing is left to do for it.
      if ((error as { code?: string }).code === 'INVALID_STATE') return
      throw error
    })
  }
  if (jobs.length > 0) deps.logger.info({ botId, jobs: jobs.length }, "deleted bot's jobs ended")
}

/** Consumes bot deletions from EVENTS. */
export function consumeBotDeletions(
  deps: JobCommandDeps & { bus: Bus; logger: Logger },
): Promise<Subscription> {
  return deps.bus.consume(Streams.EVENTS.name, Durables.botDeletions, (msg) => endJobsOfDeletedBot(deps, msg))
}
