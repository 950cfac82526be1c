import type { Bus } from '@taskforge/bus'
import { CONTROL_STREAM, Durables, subjects } from '@taskforge/protocol'

// The control channel of bots (CONTROL_STREAM): orders about work a bot received or will receive
// (cancel), one subject per bot. Being durable, an order waits for a bot that is away, and the bot
// reads it on its own durable consumer, apart from its dispatch consumer: a bot busy up to its
// concurrency (which pulls no dispatch) still hears it at once.

/**
 * What a bot's NATS user needs besides its dispatch and report subjects to read its control channel:
 * the JetStream API of its own control consumer (info, pull) and the acks of its messages.
 */
export function controlPermissions(botId: string): { publish: string[]; subscribe: string[] } {
  const consumer = `${CONTROL_STREAM.name}.${Durables.botControl(botId)}`
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
    durable: Durables.botControl(botId),
    filterSubjects: [subjects.control(botId)],
  })
}
