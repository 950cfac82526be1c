import type { Bus, StreamSpec } from '@taskforge/bus'

/**
 * The control channel of bots: orders about work a bot received or will receive (cancel), one subject
 * per bot in a JetStream stream of its own. Being durable, an order waits for a bot that is away,
 * and the bot reads it on its own durable consumer, apart from its dispatch consumer: a bot busy up
 * to its concurrency (which pulls no dispatch) still hears it at once.
 */
export const CONTROL_STREAM = { name: 'CONTROL', subjects: ['control.>'] } as const satisfies StreamSpec

/** Orders for one bot. */
export function controlSubject(botId: string): string {
  return `control.${botId}`
}

/** The durable consumer a bot reads its orders from. */
export function controlConsumerName(botId: string): string {
  return `bot-${botId}-control`
}

/**
 * What a bot's NATS user needs besides its dispatch and report subjects to read its control channel:
 * the JetStream API of its own control consumer (info, pull) and the acks of its messages.
 */
export function controlPermissions(botId: string): { publish: string[]; subscribe: string[] } {
  const consumer = `${CONTROL_STREAM.name}.${controlConsumerName(botId)}`
  return {
    publish: [
      `$JS.API.CONSUMER.INFO.${consumer}`,
      `$JS.API.CONSUMER.MSG.NEXT.${consumer}`,
      `$JS.ACK.${consumer}.>`,
    ],
    subscribe: [],
  }
}

/** Orders are useless once the job they are about has long ended: a day is plenty. */
const CONTROL_MAX_AGE_NS = 24 * 60 * 60 * 1_000_000_000

/** Declares the control stream (idempotent). */
export function ensureControlStream(bus: Bus): Promise<void> {
  return bus.ensureStream(CONTROL_STREAM, { max_age: CONTROL_MAX_AGE_NS })
}

/** Creates (or confirms) the bot's control durable, filtered to its own subject. Idempotent. */
export function ensureControlConsumer(bus: Bus, botId: string): Promise<void> {
  return bus.ensureConsumer(CONTROL_STREAM.name, {
    durable: controlConsumerName(botId),
    filterSubjects: [controlSubject(botId)],
  })
}
