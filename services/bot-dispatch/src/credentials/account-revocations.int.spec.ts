import type { NatsConnection } from '@nats-io/transport-node'
import { Bus } from '@taskforge/bus'
import { Transport } from '@taskforge/core'
import { botIssuerEnvironment } from '@taskforge/nats-operator'
import { createLogger } from '@taskforge/telemetry'
import {
  connectNats,
  createNatsOperator,
  issueNatsUser,
  type NatsOperatorSetup,
  type NatsServer,
  startNats,
  waitUntil,
} from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AccountRevocations, type RevocationList } from './account-revocations.js'
import { BotCredentialIssuer } from './bot-credential-issuer.js'

const logger = createLogger('revocations-test', {}, { level: 'silent' })
const BOT = '0195b7a0-0000-7000-8000-0000000000c1'
const OTHER = '0195b7a0-0000-7000-8000-0000000000c2'

describe('bot NATS users revoked through the account claims (real nats-server)', () => {
  let setup: NatsOperatorSetup
  let nats: NatsServer
  let revocations: AccountRevocations
  let service: Bus
  const revoked: RevocationList = {}

  beforeAll(async () => {
    setup = await createNatsOperator()
    nats = await startNats({ operator: setup, persistent: true })
    // The platform's services are connected (the server has loaded the account) when bot-dispatch pushes.
    const serviceUser = await issueNatsUser(setup, 'bot-dispatch')
    service = await Bus.connect({
      servers: nats.url,
      name: 'bot-dispatch',
      logger,
      auth: { type: 'jwt', jwt: serviceUser.jwt, seed: serviceUser.seed },
    })
    const env = await botIssuerEnvironment(setup)
    revocations = new AccountRevocations({
      servers: [nats.url],
      signer: { accountJwt: env.NATS_ACCOUNT_JWT!, operatorSigningSeed: env.NATS_OPERATOR_SIGNING_SEED! },
      systemUser: { jwt: env.NATS_SYSTEM_USER_JWT!, seed: env.NATS_SYSTEM_USER_SEED! },
      withRevocations: (push) => push({ ...revoked }),
      logger,
    })
    await revocations.start()
  })

  afterAll(async () => {
    await revocations?.stop()
    await service?.close()
    await nats?.stop()
  })

  const issuer = () =>
    BotCredentialIssuer.create({ signingSeed: setup.signingKey.seed, account: setup.account.publicKey })

  async function connectBot(credentials: { jwt: string; seed: string; inboxPrefix: string }) {
    return connectNats(nats.url, { user: credentials, inboxPrefix: credentials.inboxPrefix })
  }

  it('closes the open connection of a revoked user and refuses it from then on, other bots unharmed', async () => {
    const bot = await issuer().issue(BOT)
    const other = await issuer().issue(OTHER)
    const open = await connectBot(bot)
    const bystander = await connectBot(other)
    const closed = open.closed()
    revoked[bot.publicKey] = Math.floor(Date.now() / 1000)
    await revocations.push()
    const closedWith = await closed
    expect(String(closedWith)).toMatch(/revoked|authoriz/i)
    await expect(connectBot(bot)).rejects.toThrow(/authoriz/i)
    expect(bystander.isClosed()).toBe(false)
    await bystander.flush()
    await bystander.close()
    // A user issued after the revocation with a new key is a new user: it connects.
    const rotated = await issuer().issue(BOT)
    const again = await connectBot(rotated)
    await again.close()
  })

  it('stays revoked after the server restarts: the list is pushed again on reconnect', async () => {
    const bot = await issuer().issue(BOT)
    revoked[bot.publicKey] = Math.floor(Date.now() / 1000)
    await revocations.push()
    await expect(connectBot(bot)).rejects.toThrow(/authoriz/i)
    await nats.kill()
    await nats.restart()
    // The server came back with the preloaded claims; bot-dispatch's reconnect pushes the list again.
    await waitUntil(
      async () => {
        try {
          await (await connectBot(bot)).close()
          return false
        } catch (error) {
          return /authoriz/i.test(String(error))
        }
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    )
    await waitUntil(() => service.connected, { timeoutMs: 30_000 })
  })

  it("enforces the bot user's payload limit, not a data rate (nats-server 2.9)", async () => {
    const bot = await issuer().issue(OTHER)
    const nc = await connectBot(bot)
    // The server tells the client its user's limit, so an agent sizes its reports to it.
    expect(nc.info?.max_payload).toBe(Transport.botMaxPayload)
    expect(() => nc.publish(`heartbeats.${OTHER}`, new Uint8Array(Transport.botMaxPayload + 1))).toThrow(
      /max_payload/,
    )
    await nc.close()
    // A user whose JWT allows 1 byte per second of data still publishes far more: not enforced.
    const limited = await issueNatsUser(setup, 'data-limited', { data: 1 } as never)
    const flood = await connectNats(nats.url, { creds: limited.creds })
    for (let i = 0; i < 100; i++) flood.publish('anything', new Uint8Array(1_000))
    await flood.flush()
    expect(flood.isClosed()).toBe(false)
    await flood.close()
  })

  it('keeps the account working for its other users (signing key and JetStream kept)', async () => {
    const service = await issueNatsUser(setup, 'service')
    const nc: NatsConnection = await connectNats(nats.url, { creds: service.creds })
    const info = await nc.request('$JS.API.INFO', '', { timeout: 5_000 })
    expect(info.json<{ error?: unknown }>().error).toBeUndefined()
    await nc.close()
  })
})
