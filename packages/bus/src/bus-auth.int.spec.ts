import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Streams } from '@taskforge/protocol'
import { createLogger } from '@taskforge/telemetry'
import {
  createNatsOperator,
  issueNatsUser,
  type NatsOperatorSetup,
  type NatsServer,
  startNats,
} from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Bus } from './bus.js'

const logger = createLogger('bus-auth-test', {}, { level: 'silent' })

describe('connecting to a server that requires credentials', () => {
  let setup: NatsOperatorSetup
  let nats: NatsServer
  let dir: string

  beforeAll(async () => {
    setup = await createNatsOperator()
    nats = await startNats({ operator: setup })
    dir = await mkdtemp(join(tmpdir(), 'bus-auth-'))
  })

  afterAll(async () => {
    await nats?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('works with a user JWT and seed', async () => {
    const user = await issueNatsUser(setup, 'service-a')
    const bus = await Bus.connect({
      servers: nats.url,
      name: 'service-a',
      logger,
      auth: { type: 'jwt', jwt: user.jwt, seed: user.seed },
    })
    try {
      await bus.ensureStream(Streams.REPORTS)
      await bus.publish('reports.b1', new TextEncoder().encode('r'), { msgId: 'r-1' })
      expect((await bus.jsm.streams.info(Streams.REPORTS.name)).state.messages).toBe(1)
    } finally {
      await bus.close()
    }
  })

  it('works with a creds file', async () => {
    const user = await issueNatsUser(setup, 'service-b')
    const path = join(dir, 'service-b.creds')
    await writeFile(path, user.creds, { mode: 0o600 })
    const bus = await Bus.connect({
      servers: nats.url,
      name: 'service-b',
      logger,
      auth: { type: 'creds-file', path },
    })
    try {
      expect(bus.connected).toBe(true)
    } finally {
      await bus.close()
    }
  })

  it('is refused without credentials', async () => {
    await expect(
      Bus.connect({ servers: nats.url, name: 'anonymous', logger, auth: { type: 'none' } }),
    ).rejects.toThrow(/authoriz/i)
  })
})
