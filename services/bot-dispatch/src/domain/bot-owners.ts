import { fold, isId } from '@taskforge/core'
import type { EventStore } from '@taskforge/event-store'
import { botDecider } from './bot-decider.js'
import { decodeBotEvent } from './bot-events.js'

/**
 * Which customer owns each registered bot, from the bot's own stream (not the read model, which may
 * lag behind a registration). A registration never changes and a bot is never moved, so a bot's
 * owner is read once; its stream, which grows with every presence change, is not read per message.
 */
export class BotOwners {
  readonly #store: EventStore
  readonly #owners = new Map<string, string>()
  readonly #maxEntries: number

  constructor(store: EventStore, options: { maxEntries?: number } = {}) {
    this.#store = store
    this.#maxEntries = options.maxEntries ?? 100_000
  }

  /** The customer of a registered bot; undefined when no bot of that id is registered (yet). */
  async ownerOf(botId: string): Promise<string | undefined> {
    if (!isId(botId)) return undefined
    const known = this.#owners.get(botId)
    if (known !== undefined) return known
    const { events } = await this.#store.readStream(botId)
    const bot = fold(botDecider, events.map(decodeBotEvent))
    if (bot.botId === undefined) return undefined
    if (this.#owners.size >= this.#maxEntries) this.#owners.clear()
    this.#owners.set(botId, bot.customer)
    return bot.customer
  }
}
