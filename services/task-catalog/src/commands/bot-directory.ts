import { isAppError, isId, validationFailed } from '@taskforge/core'
import type { GetBotRequest, GetBotResponse } from '@taskforge/proto/bots/v1/bot_service'

/** The part of a BotDispatchService client the catalog uses. */
export interface BotLookup {
  getBot(request: GetBotRequest): Promise<GetBotResponse>
}

/** Answers whether a task may name a bot as its host. */
export interface BotDirectory {
  /** Resolves when `botId` is a bot of `customer`; VALIDATION_FAILED on `host_id` otherwise. */
  assertBotOf(customer: string, botId: string): Promise<void>
}

const notABot = (botId: string) =>
  validationFailed(`host_id ${botId} is not a bot of this organization`, { field: 'host_id' })

/**
 * Bots are owned by bot-dispatch, so the catalog asks it (GetBot) instead of keeping a copy. NOT_FOUND
 * means the task names no bot of the customer; any other failure (UNAVAILABLE included) propagates
 * unchanged so the caller can retry.
 */
export function botDirectory(client: BotLookup): BotDirectory {
  return {
    async assertBotOf(customer, botId) {
      if (!isId(botId)) throw notABot(botId)
      let response: GetBotResponse
      try {
        response = await client.getBot({ customer, botId })
      } catch (error) {
        if (isAppError(error) && error.code === 'NOT_FOUND') throw notABot(botId)
        throw error
      }
      if (response.bot === undefined || response.bot.customer !== customer) throw notABot(botId)
    },
  }
}
