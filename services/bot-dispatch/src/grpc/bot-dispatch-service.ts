import { type Bus, Streams, subjects } from '@taskforge/bus'
import { isId, newId, notFound, validationFailed } from '@taskforge/core'
import type { EventStore, Projector } from '@taskforge/event-store'
import type {
  BotCredentials,
  DeleteBotRequest,
  DeleteBotResponse,
  GetBotRequest,
  GetBotResponse,
  ListBotsRequest,
  ListBotsResponse,
  RegisterBotRequest,
  RegisterBotResponse,
  RotateBotCredentialsRequest,
  RotateBotCredentialsResponse,
} from '@taskforge/proto/bots/v1/bot_service'
import { Durables } from '@taskforge/protocol'
import type { Logger } from '@taskforge/telemetry'
import { type AppendedPosition, deleteBot, rotateBotCredentials } from '../app/bot-lifecycle.js'
import { registerBot } from '../app/bot-registration.js'
import { ensureBotConsumer, removeBotConsumers } from '../assignments/bot-consumer.js'
import { type BotCredentialIssuer, type BotNatsCredentials, botInboxPrefix } from '../credentials/index.js'
import { type BotsDb, type BotView, findBot, listBots } from '../projection/bot-queries.js'
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
  /** Pushes the revoked bot users to the NATS servers (absent on a server without authentication). */
  revocations?: { push(): Promise<void> }
  logger?: Logger
}

function requiredCustomer(customer: string): string {
  if (customer === '') throw validationFailed('customer is required', { field: 'customer' })
  return customer
}

/**
 * `BotDispatchService`: registers bots (credentials shown once), answers them with their presence,
 * rotates their credentials and deletes them; both revoke the bot's NATS user before answering.
 */
export function botDispatchService(deps: BotDispatchServiceDeps) {
  const { store, projector, db, bus } = deps
  const timeoutMs = deps.projectionTimeoutMs ?? 10_000

  function credentialsOf(
    view: BotView,
    customer: string,
    secret: string,
    nats: BotNatsCredentials | undefined,
  ) {
    return {
      botId: view.id,
      customer,
      name: view.name,
      secret,
      natsUrl: deps.publicNatsUrl,
      natsUser: '',
      natsPassword: '',
      dispatchSubject: subjects.dispatch(view.id),
      reportSubject: subjects.report(view.id),
      dispatchStream: Streams.DISPATCH.name,
      dispatchConsumer: Durables.botDispatch(view.id),
      natsJwt: nats?.jwt ?? '',
      natsSeed: nats?.seed ?? '',
      natsInboxPrefix: nats?.inboxPrefix ?? botInboxPrefix(view.id),
    } satisfies BotCredentials
  }

  async function caughtUp(position: AppendedPosition): Promise<void> {
    if (position !== undefined) await projector.waitFor(position, timeoutMs)
  }

  /**
   * The servers drop the revoked user's connections once they have the new list. A push that fails
   * (NATS away) is retried on reconnect and every minute; the change itself is recorded already.
   */
  async function revokeNow(botId: string): Promise<void> {
    try {
      await deps.revocations?.push()
    } catch (error) {
      deps.logger?.error({ err: error, botId }, 'revocation not pushed yet; retried on reconnect')
    }
  }

  return {
    async registerBot(request: RegisterBotRequest): Promise<RegisterBotResponse> {
      const customer = requiredCustomer(request.customer)
      const botId = newId()
      // Issued first: the registration records the user's public key, which a deletion revokes.
      const nats = await deps.credentialIssuer?.issue(botId)
      const registered = await registerBot(store, {
        customer,
        name: request.name,
        author: request.author,
        botId,
        ...(nats === undefined ? {} : { natsUser: nats.publicKey }),
      })
      // Before the bot can hold its credentials, so it never finds its consumer missing.
      await ensureBotConsumer(bus, registered.botId)
      await caughtUp(registered.position)
      const view = await findBot(db, customer, registered.botId)
      if (view === undefined) throw notFound('bot', registered.botId)
      return {
        bot: toProtoBot(view, new Date()),
        credentials: credentialsOf(view, customer, registered.secret, nats),
      }
    },

    async rotateBotCredentials(request: RotateBotCredentialsRequest): Promise<RotateBotCredentialsResponse> {
      const customer = requiredCustomer(request.customer)
      if (!isId(request.botId)) throw notFound('bot', request.botId)
      const nats = await deps.credentialIssuer?.issue(request.botId)
      const rotated = await rotateBotCredentials(store, {
        customer,
        botId: request.botId,
        author: request.author,
        natsUser: nats?.publicKey ?? '',
      })
      await caughtUp(rotated.position)
      await revokeNow(request.botId)
      const view = await findBot(db, customer, request.botId)
      if (view === undefined) throw notFound('bot', request.botId)
      return {
        bot: toProtoBot(view, new Date(), deps.onlineWindowMs),
        credentials: credentialsOf(view, customer, rotated.secret, nats),
      }
    },

    async deleteBot(request: DeleteBotRequest): Promise<DeleteBotResponse> {
      const customer = requiredCustomer(request.customer)
      if (!isId(request.botId)) throw notFound('bot', request.botId)
      const position = await deleteBot(store, { customer, botId: request.botId, author: request.author })
      await caughtUp(position)
      await revokeNow(request.botId)
      await removeBotConsumers(bus, request.botId).catch((error: unknown) =>
        deps.logger?.error({ err: error, botId: request.botId }, "deleted bot's consumers not removed"),
      )
      return {}
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
