import { type Bus, Streams, subjects } from '@taskforge/bus'
import { isId, notFound, validationFailed } from '@taskforge/core'
import type { EventStore, Projector } from '@taskforge/event-store'
import type {
  GetBotRequest,
  GetBotResponse,
  ListBotsRequest,
  ListBotsResponse,
  RegisterBotRequest,
  RegisterBotResponse,
} from '@taskforge/proto/bots/v1/bot_service'
import { registerBot } from '../app/bot-registration.js'
import { botConsumerName, ensureBotConsumer } from '../assignments/bot-consumer.js'
import { type BotCredentialIssuer, botInboxPrefix } from '../credentials/index.js'
import { type BotsDb, findBot, listBots } from '../projection/bot-queries.js'
import { toProtoBot } from './to-proto-bot.js'

export interface BotDispatchServiceDeps {
  store: EventStore
  projector: Projector
  db: BotsDb
  bus: Bus
  /** The NATS address handed to bots in their credentials. */
  publicNatsUrl: string
  /** Issues each new bot its NATS user; without it (a server without auth) credentials carry none. */
  credentialIssuer?: BotCredentialIssuer
  /** How long a command waits for the read model before failing (default 10s). */
  projectionTimeoutMs?: number
  /** A bot silent for longer shows offline (default the presence window). */
  onlineWindowMs?: number
}

function requiredCustomer(customer: string): string {
  if (customer === '') throw validationFailed('customer is required', { field: 'customer' })
  return customer
}

/** `BotDispatchService`: registers bots (credentials shown once) and answers them with their presence. */
export function botDispatchService(deps: BotDispatchServiceDeps) {
  const { store, projector, db, bus } = deps
  const timeoutMs = deps.projectionTimeoutMs ?? 10_000

  return {
    async registerBot(request: RegisterBotRequest): Promise<RegisterBotResponse> {
      const customer = requiredCustomer(request.customer)
      const registered = await registerBot(store, { customer, name: request.name, author: request.author })
      // Before the bot can hold its credentials, so it never finds its consumer missing.
      await ensureBotConsumer(bus, registered.botId)
      if (registered.position !== undefined) await projector.waitFor(registered.position, timeoutMs)
      const view = await findBot(db, customer, registered.botId)
      if (view === undefined) throw notFound('bot', registered.botId)
      const nats = await deps.credentialIssuer?.issue(view.id)
      return {
        bot: toProtoBot(view, new Date()),
        credentials: {
          botId: view.id,
          customer,
          name: view.name,
          secret: registered.secret,
          natsUrl: deps.publicNatsUrl,
          natsUser: '',
          natsPassword: '',
          dispatchSubject: subjects.dispatch(view.id),
          reportSubject: subjects.report(view.id),
          dispatchStream: Streams.DISPATCH.name,
          dispatchConsumer: botConsumerName(view.id),
          natsJwt: nats?.jwt ?? '',
          natsSeed: nats?.seed ?? '',
          natsInboxPrefix: nats?.inboxPrefix ?? botInboxPrefix(view.id),
        },
      }
    },

    async getBot(request: GetBotRequest): Promise<GetBotResponse> {
      const customer = requiredCustomer(request.customer)
      if (!isId(request.botId)) throw notFound('bot', request.botId)
      const view = await findBot(db, customer, request.botId)
      if (view === undefined) throw notFound('bot', request.botId)
      return { bot: toProtoBot(view, new Date(), deps.onlineWindowMs) }
    },

    async listBots(request: ListBotsRequest): Promise<ListBotsResponse> {
      const customer = requiredCustomer(request.customer)
      const now = new Date()
      return {
        bots: (await listBots(db, customer)).map((view) => toProtoBot(view, now, deps.onlineWindowMs)),
      }
    },
  }
}
