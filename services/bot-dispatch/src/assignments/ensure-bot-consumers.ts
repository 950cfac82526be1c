import type { Bus } from '@taskforge/bus'
import type { EventStore, GlobalPosition } from '@taskforge/event-store'
import { BOT_STREAM_TYPE } from '../domain/bot-events.js'
import { ensureBotConsumer } from './bot-consumer.js'

/**
 * Ensures the dispatch consumer of every registered bot not deleted, from the event store (authoritative even
 * before the read model caught up). Repairs a registration whose consumer creation failed.
 */
export async function ensureAllBotConsumers(store: EventStore, bus: Bus): Promise<number> {
  const botIds = new Set<string>()
  let after: GlobalPosition | undefined
  for (;;) {
    const events = await store.readAll({
      ...(after === undefined ? {} : { after }),
      limit: 1000,
      streamTypes: [BOT_STREAM_TYPE],
    })
    if (events.length === 0) break
    for (const event of events) {
      if (event.type === 'registered') botIds.add(event.streamId)
      if (event.type === 'deleted') botIds.delete(event.streamId)
    }
    const last = events.at(-1)!
    after = { transactionId: last.transactionId, position: last.position }
  }
  for (const botId of botIds) await ensureBotConsumer(bus, botId)
  return botIds.size
}
