import { type EventStore, handleCommand } from '@taskforge/event-store'
import { currentTraceContext } from '@taskforge/telemetry'
import { type BotCommand, botDecider } from '../domain/bot-decider.js'
import { BOT_STREAM_TYPE, decodeBotEvent, encodeBotEvent } from '../domain/bot-events.js'
import { botsDb } from '../projection/bot-queries.js'
import { BOT_PRESENCE_TABLE, BOTS_TABLE } from '../projection/bots-table.js'

export type PresenceChange = { online: true } | { online: false; reason: string }

/**
 * Records a change of a bot's presence: the event on the bot's stream and the `online` flag of its
 * presence row, in one transaction holding that row, so that a heartbeat and the offline sweep racing
 * for one bot take turns. `stillDue` re-checks, under the lock, what made the caller ask. Answers
 * whether the presence changed.
 */
export async function changePresence(
  store: EventStore,
  botId: string,
  change: PresenceChange,
  stillDue: (lastSeen: Date) => boolean = () => true,
): Promise<boolean> {
  return store.transaction(async (trx) => {
    const db = botsDb(trx)
    const row = await db
      .selectFrom(BOT_PRESENCE_TABLE)
      .innerJoin(BOTS_TABLE, `${BOTS_TABLE}.id`, `${BOT_PRESENCE_TABLE}.bot_id`)
      .select(['bot_presence.online', 'bot_presence.last_seen', 'bots.customer'])
      .where('bot_presence.bot_id', '=', botId)
      .forUpdate()
      .executeTakeFirst()
    if (row === undefined || row.online === change.online || !stillDue(row.last_seen)) return false
    const command: BotCommand = change.online
      ? { type: 'MarkOnline' }
      : { type: 'MarkOffline', reason: change.reason, lastSeen: row.last_seen }
    const trace = currentTraceContext()
    await handleCommand(store, {
      streamType: BOT_STREAM_TYPE,
      streamId: botId,
      decider: botDecider,
      command,
      encode: (event) =>
        encodeBotEvent(event, {
          customer: row.customer,
          author: 'bot-dispatch',
          correlationId: botId,
          ...(trace === undefined ? {} : { traceparent: trace.traceparent, tracestate: trace.tracestate }),
        }),
      decode: decodeBotEvent,
      trx,
    })
    await db
      .updateTable(BOT_PRESENCE_TABLE)
      .set({ online: change.online })
      .where('bot_id', '=', botId)
      .execute()
    return true
  })
}
