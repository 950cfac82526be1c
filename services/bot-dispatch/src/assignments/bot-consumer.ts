import { type Bus, Streams, subjects } from '@taskforge/bus'
import { ensureControlConsumer } from '../control/control-channel.js'

/** The durable consumer a bot pulls its work from. */
export function botConsumerName(botId: string): string {
  return `bot-${botId}`
}

/**
 * Creates (or confirms) the bot's durables: on DISPATCH filtered to its own dispatch subject, and on
 * CONTROL to its own control subject. Idempotent.
 */
export async function ensureBotConsumer(bus: Bus, botId: string): Promise<void> {
  await bus.ensureConsumer(Streams.DISPATCH.name, {
    durable: botConsumerName(botId),
    filterSubjects: [subjects.dispatch(botId)],
  })
  await ensureControlConsumer(bus, botId)
}
