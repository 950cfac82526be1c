import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream'
import { type Bus, Streams, subjects } from '@taskforge/bus'
import { CONTROL_STREAM, Durables } from '@taskforge/protocol'
import { ensureControlConsumer } from '../control/control-channel.js'

/**
 * Creates (or confirms) the bot's durables: on DISPATCH filtered to its own dispatch subject, and on
 * CONTROL to its own control subject. Idempotent.
 */
export async function ensureBotConsumer(bus: Bus, botId: string): Promise<void> {
  await bus.ensureConsumer(Streams.DISPATCH.name, {
    durable: Durables.botDispatch(botId),
    filterSubjects: [subjects.dispatch(botId)],
  })
  await ensureControlConsumer(bus, botId)
}

/**
 * Removes a deleted bot's durables (dispatch and control): work still queued for it is no one's,
 * and nothing can pull it any more, whatever credentials survive. Idempotent.
 */
export async function removeBotConsumers(bus: Bus, botId: string): Promise<void> {
  for (const [stream, durable] of [
    [Streams.DISPATCH.name, Durables.botDispatch(botId)],
    [CONTROL_STREAM.name, Durables.botControl(botId)],
  ] as const) {
    try {
      await bus.jsm.consumers.delete(stream, durable)
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound))
        throw error
    }
  }
}
