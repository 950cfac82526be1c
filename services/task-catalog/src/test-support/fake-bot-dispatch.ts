import { notFound } from '@taskforge/core'
import {
  BotDispatchServiceService,
  type GetBotRequest,
  type GetBotResponse,
} from '@taskforge/proto/bots/v1/bot_service'
import type { AsyncImpl } from '@taskforge/rpc'

/**
 * A stand-in for bot-dispatch answering GetBot from a fixed map of bot id to customer; every other
 * method fails. Acceptable in catalog tests because the catalog only relies on GetBot's contract (a
 * bot of the customer, or NOT_FOUND); the real bot-dispatch is tested in its own service.
 */
export function fakeBotDispatch(
  botCustomers: ReadonlyMap<string, string>,
): AsyncImpl<typeof BotDispatchServiceService> {
  const unimplemented = async (): Promise<never> => {
    throw new Error('not used by the catalog')
  }
  const methods = Object.fromEntries(
    Object.keys(BotDispatchServiceService).map((name) => [name, unimplemented]),
  )
  const getBot = async (request: GetBotRequest): Promise<GetBotResponse> => {
    if (botCustomers.get(request.botId) !== request.customer) throw notFound('bot', request.botId)
    return {
      bot: {
        id: request.botId,
        customer: request.customer,
        name: 'local',
        online: true,
        lastSeen: new Date(),
        runningJobs: 0,
        creationDate: new Date(),
      },
    }
  }
  return { ...methods, getBot } as unknown as AsyncImpl<typeof BotDispatchServiceService>
}
