import { type Bus, Streams, subjects } from '@taskforge/bus'

/** The durable consumer a bot pulls its work from. */
export function botConsumerName(botId: string): string {
  return `bot-${botId}`
}

/** Creates (or confirms) the bot's durable on DISPATCH, filtered to its own subject. Idempotent. */
export function ensureBotConsumer(bus: Bus, botId: string): Promise<void> {
  return bus.ensureConsumer(Streams.DISPATCH.name, {
    durable: botConsumerName(botId),
    filterSubjects: [subjects.dispatch(botId)],
  })
}
