import type { Bus } from '@taskforge/bus'
import { SCRIPT_REQUESTS_PER_BOT } from '@taskforge/bus'
import type { Logger } from '@taskforge/telemetry'

/** Replicas of the catalog share the requests. */
export const BOT_REQUEST_QUEUE = 'task-catalog'

export interface BotRequestServer {
  stop(): Promise<void>
}

/**
 * Serves bots' core NATS requests on `<prefix>.<bot>` subjects: the NATS server lets a bot publish
 * only on its own, so the subject names the asking bot. At most {@link SCRIPT_REQUESTS_PER_BOT}
 * requests of one bot are answered at once; past it `busy()` is the answer, so that one bot's flood
 * cannot take the catalog from the others.
 */
export function serveBotRequests(
  nc: Bus['nc'],
  options: {
    /** `scripts.*`, `secrets.*`. */
    subjects: string
    what: string
    logger: Logger
    answer(botId: string, data: Uint8Array): Promise<Uint8Array>
    busy(): Uint8Array
  },
): BotRequestServer {
  const inFlight = new Map<string, number>()
  const pending = new Set<Promise<void>>()
  async function answer(botId: string, data: Uint8Array): Promise<Uint8Array> {
    const busy = inFlight.get(botId) ?? 0
    inFlight.set(botId, busy + 1)
    try {
      return busy >= SCRIPT_REQUESTS_PER_BOT ? options.busy() : await options.answer(botId, data)
    } finally {
      const left = (inFlight.get(botId) ?? 1) - 1
      if (left === 0) inFlight.delete(botId)
      else inFlight.set(botId, left)
    }
  }
  const subscription = nc.subscribe(options.subjects, { queue: BOT_REQUEST_QUEUE })
  const loop = (async () => {
    for await (const msg of subscription) {
      if (!msg.reply) continue
      const botId = msg.subject.slice(msg.subject.indexOf('.') + 1)
      const done: Promise<void> = answer(botId, msg.data)
        .then((reply) => {
          msg.respond(reply)
        })
        .catch((error: unknown) =>
          options.logger.warn({ err: error, botId }, `${options.what} reply not sent`),
        )
        .finally(() => pending.delete(done))
      pending.add(done)
    }
  })().catch((error: unknown) => options.logger.error({ err: error }, `${options.what} server stopped`))
  return {
    async stop() {
      subscription.unsubscribe()
      await loop
      await Promise.allSettled([...pending])
    },
  }
}
