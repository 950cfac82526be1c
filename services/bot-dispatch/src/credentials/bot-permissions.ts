import { Streams, subjects } from '@taskforge/bus'
import { Durables } from '@taskforge/protocol'
import { controlPermissions } from '../control/control-channel.js'

/** Publish and subscribe allow-lists of a bot's NATS user: anything not listed is refused by the server. */
export interface BotNatsPermissions {
  pub: { allow: string[] }
  sub: { allow: string[] }
}

/** The only inbox a bot's connection may receive replies on (JetStream acks, pulled messages, API answers). */
export function botInboxPrefix(botId: string): string {
  return `_INBOX.${botId}`
}

/**
 * What one bot may do on NATS, and nothing more: pull from and ack its own dispatch durable, publish
 * its reports (through JetStream) and heartbeats, read its control channel, ask for script contents
 * and for a job's secret variables on its own subjects (the catalog answers only its organization's,
 * decisions 15 and 18), and receive replies
 * on its own inbox. It can neither see another bot's work nor speak for another bot, nor read or
 * write domain events. `$JS.API.INFO` (account info) is what JetStream clients ask on start.
 */
export function botNatsPermissions(botId: string): BotNatsPermissions {
  const dispatchConsumer = `${Streams.DISPATCH.name}.${Durables.botDispatch(botId)}`
  const control = controlPermissions(botId)
  return {
    pub: {
      allow: [
        subjects.report(botId),
        subjects.heartbeat(botId),
        subjects.scriptContent(botId),
        subjects.secretEnv(botId),
        '$JS.API.INFO',
        `$JS.API.CONSUMER.INFO.${dispatchConsumer}`,
        `$JS.API.CONSUMER.MSG.NEXT.${dispatchConsumer}`,
        `$JS.ACK.${dispatchConsumer}.>`,
        ...control.publish,
      ],
    },
    sub: { allow: [`${botInboxPrefix(botId)}.>`, ...control.subscribe] },
  }
}
