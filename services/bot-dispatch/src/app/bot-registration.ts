import { newId, newSecret } from '@taskforge/core'
import { type EventStore, handleCommand } from '@taskforge/event-store'
import { currentTraceContext } from '@taskforge/telemetry'
import { botDecider } from '../domain/bot-decider.js'
import { BOT_STREAM_TYPE, decodeBotEvent, encodeBotEvent } from '../domain/bot-events.js'
import { hashSecret } from '../domain/secret-hash.js'
import { claimBotName } from './bot-name-claims.js'

export interface RegisteredBot {
  botId: string
  /** Shown once, to the caller; only its hash is stored. */
  secret: string
  /** Position of the registration event, for read-your-writes. */
  position: { transactionId: bigint; position: bigint } | undefined
}

/** Registers a bot: a new id and secret, the name claimed and the event appended in one transaction. */
export async function registerBot(
  store: EventStore,
  request: { customer: string; name: string; author: string; botId?: string; natsUser?: string },
): Promise<RegisteredBot> {
  const botId = request.botId ?? newId()
  const secret = newSecret()
  const trace = currentTraceContext()
  const result = await store.transaction(async (trx) => {
    const appended = await handleCommand(store, {
      streamType: BOT_STREAM_TYPE,
      streamId: botId,
      decider: botDecider,
      command: {
        type: 'RegisterBot',
        botId,
        customer: request.customer,
        name: request.name,
        secretHash: hashSecret(secret),
        natsUser: request.natsUser ?? '',
      },
      encode: (event) =>
        encodeBotEvent(event, {
          customer: request.customer,
          author: request.author || 'system',
          correlationId: botId,
          ...(trace === undefined ? {} : { traceparent: trace.traceparent, tracestate: trace.tracestate }),
        }),
      decode: decodeBotEvent,
      trx,
    })
    // After the decider validated the name, so a malformed name is a 422 rather than a 409.
    await claimBotName(trx, { customer: request.customer, name: request.name, botId })
    return appended
  })
  const last = result.appended.at(-1)
  return {
    botId,
    secret,
    position: last === undefined ? undefined : { transactionId: last.transactionId, position: last.position },
  }
}
