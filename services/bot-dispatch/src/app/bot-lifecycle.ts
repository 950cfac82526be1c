import { newSecret } from '@taskforge/core'
import { type EventStore, handleCommand, type Trx } from '@taskforge/event-store'
import { currentTraceContext } from '@taskforge/telemetry'
import { sql } from 'kysely'
import { type BotCommand, botDecider } from '../domain/bot-decider.js'
import { BOT_STREAM_TYPE, decodeBotEvent, encodeBotEvent } from '../domain/bot-events.js'
import { hashSecret } from '../domain/secret-hash.js'

/** Where an appended event sits, for read-your-writes. */
export type AppendedPosition = { transactionId: bigint; position: bigint } | undefined

async function appendToBot(
  store: EventStore,
  request: { customer: string; botId: string; author: string },
  command: BotCommand,
  alsoInTransaction?: (trx: Trx) => Promise<void>,
): Promise<AppendedPosition> {
  const trace = currentTraceContext()
  const result = await store.transaction(async (trx) => {
    const appended = await handleCommand(store, {
      streamType: BOT_STREAM_TYPE,
      streamId: request.botId,
      decider: botDecider,
      command,
      encode: (event) =>
        encodeBotEvent(event, {
          customer: request.customer,
          author: request.author || 'system',
          correlationId: request.botId,
          ...(trace === undefined ? {} : { traceparent: trace.traceparent, tracestate: trace.tracestate }),
        }),
      decode: decodeBotEvent,
      trx,
    })
    await alsoInTransaction?.(trx)
    return appended
  })
  const last = result.appended.at(-1)
  return last === undefined ? undefined : { transactionId: last.transactionId, position: last.position }
}

/**
 * Replaces a bot's credentials: a new secret (answered once, its hash stored) and the NATS user
 * `natsUser` issued for it; the event names the user it held until now, which is revoked.
 */
export async function rotateBotCredentials(
  store: EventStore,
  request: { customer: string; botId: string; author: string; natsUser: string },
): Promise<{ secret: string; position: AppendedPosition }> {
  const secret = newSecret()
  const position = await appendToBot(store, request, {
    type: 'RotateCredentials',
    customer: request.customer,
    secretHash: hashSecret(secret),
    natsUser: request.natsUser,
  })
  return { secret, position }
}

/** Deletes a bot (its NATS user is revoked by the event) and frees its name in the same transaction. */
export async function deleteBot(
  store: EventStore,
  request: { customer: string; botId: string; author: string },
): Promise<AppendedPosition> {
  return appendToBot(store, request, { type: 'DeleteBot', customer: request.customer }, async (trx) => {
    await sql`delete from bot_name_claims where customer = ${request.customer} and bot_id = ${request.botId}`.execute(
      trx,
    )
  })
}
