import { connect } from '@nats-io/transport-node'
import {
  createNatsOperator,
  issueNatsUser,
  type NatsOperatorSetup,
  natsOperatorConfig,
  parseNatsOperatorSetup,
} from '@taskforge/nats-operator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectNats } from './nats-client.js'
import { type NatsServer, startNats } from './nats-server.js'

describe('NATS in operator mode', () => {
  let setup: NatsOperatorSetup
  let nats: NatsServer

  beforeAll(async () => {
    setup = await createNatsOperator()
    nats = await startNats({ operator: setup })
  })

  afterAll(async () => {
    await nats?.stop()
  })

  it('lets an unrestricted user of the account use JetStream', async () => {
    const service = await issueNatsUser(setup, 'service')
    const nc = await connectNats(nats.url, { creds: service.creds })
    try {
      const created = await nc.request(
        '$JS.API.STREAM.CREATE.ORDERS',
        JSON.stringify({ name: 'ORDERS', subjects: ['orders.>'], storage: 'file' }),
        { timeout: 5_000 },
      )
      expect(created.json<{ error?: unknown }>().error).toBeUndefined()
      const ack = (await nc.request('orders.created', 'one', { timeout: 5_000 })).json<{ seq: number }>()
      expect(ack.seq).toBe(1)
    } finally {
      await nc.close()
    }
  })

  it('refuses clients without credentials and users of another operator', async () => {
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow(/authoriz/i)
    const stranger = await issueNatsUser(await createNatsOperator(), 'stranger')
    await expect(connectNats(nats.url, { creds: stranger.creds })).rejects.toThrow(/authoriz/i)
  })

  it('enforces the permissions written in a user JWT', async () => {
    const narrow = await issueNatsUser(setup, 'narrow', {
      pub: { allow: ['allowed.>'] },
      sub: { allow: ['_INBOX.narrow.>'] },
    })
    const nc = await connectNats(nats.url, { user: narrow, inboxPrefix: '_INBOX.narrow' })
    try {
      await expect(nc.request('orders.created', 'two', { timeout: 5_000 })).rejects.toThrow(
        /Permissions Violation for Publish to "orders.created"/,
      )
    } finally {
      await nc.close()
    }
  })

  it('writes a server configuration and reads back a saved setup', () => {
    expect(natsOperatorConfig(setup)).toContain(`operator: "${setup.operator.jwt}"`)
    expect(natsOperatorConfig(setup)).not.toContain(setup.signingKey.seed)
    expect(parseNatsOperatorSetup(JSON.stringify(setup))).toEqual(setup)
    expect(() => parseNatsOperatorSetup('{"operator":{}}')).toThrow(/operator.publicKey/)
  })
})
