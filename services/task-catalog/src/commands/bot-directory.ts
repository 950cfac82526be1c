import { isAppError, isId, validationFailed } from '@taskforge/core'
import type { GetBotRequest, GetBotResponse } from '@taskforge/proto/bots/v1/bot_service'

/** The part of a BotDispatchService client the catalog uses. */
export interface BotLookup {
  getBot(request: GetBotRequest): Promise<GetBotResponse>
}

/** Answers whether a bot belongs to an organization: may a task name it as its host, may it fetch scripts. */
export interface BotDirectory {
  /** Whether `botId` is a bot of `customer`; a failure to ask (UNAVAILABLE included) rejects. */
  isBotOf(customer: string, botId: string): Promise<boolean>
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
  async function isBotOf(customer: string, botId: string): Promise<boolean> {
    if (!isId(botId)) return false
    let response: GetBotResponse
    try {
      response = await client.getBot({ customer, botId })
    } catch (error) {
      if (isAppError(error) && error.code === 'NOT_FOUND') return false
      throw error
    }
    return response.bot !== undefined && response.bot.customer === customer
  }
  return {
    isBotOf,
    async assertBotOf(customer, botId) {
      if (!(await isBotOf(customer, botId))) throw notABot(botId)
    },
  }
}
