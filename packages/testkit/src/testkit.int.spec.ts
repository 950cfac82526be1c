import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from './free-port.js'
import { type NatsServer, startNats } from './nats-server.js'
import { startPostgres } from './postgres-server.js'
import { testDatabase } from './test-database.js'
import { waitUntil } from './wait-until.js'

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(text)).rows
  } finally {
    await client.end()
  }
}

async function accepts(port: number): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', connectionTimeoutMillis: 1_000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ECONNREFUSED'
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** A JetStream API call over core NATS, so the testkit needs no JetStream client. */
async function jsApi<T>(nc: NatsConnection, subject: string, body: unknown = {}): Promise<T> {
  const reply = await nc.request(`$JS.API.${subject}`, JSON.stringify(body), { timeout: 5_000 })
  const answer = reply.json<T & { error?: { description: string } }>()
  if (answer.error !== undefined) throw new Error(answer.error.description)
  return answer
}

describe('freePort', () => {
  it('answers the preferred port when free and another one when taken', async () => {
    const preferred = await freePort()
    expect(await freePort(preferred)).toBe(preferred)
    const blocker: Server = createServer()
    await new Promise<void>((resolve) => blocker.listen(preferred, '127.0.0.1', resolve))
    try {
      const other = await freePort(preferred)
      expect(other).not.toBe(preferred)
      expect(other).toBeGreaterThan(0)
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })
})

describe('Postgres', () => {
  it('gives each test a fresh database on the shared server', async () => {
    const [a, b] = await Promise.all([testDatabase(), testDatabase()])
    expect(a).not.toBe(b)
    await query(a!, 'CREATE TABLE only_here (id int)')
    const tables = await query<{ count: string }>(
      b!,
      "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'",
    )
    expect(tables[0]?.count).toBe('0')
  })

  it('starts a server of its own, creates databases and stops without leaving anything behind', async () => {
    const server = await startPostgres()
    const port = Number(new URL(server.url).port)
    const name = `made_${Date.now()}`
    const url = await server.createDatabase(name)
    expect(new URL(url).pathname).toBe(`/${name}`)
    const rows = await query<{ answer: number }>(url, 'SELECT 41 + 1 AS answer')
    expect(rows[0]?.answer).toBe(42)
    await server.stop()
    if (server.source === 'environment') {
      const left = await query<{ datname: string }>(
        server.url,
        `SELECT datname FROM pg_database WHERE datname = '${name}'`,
      )
      expect(left).toEqual([])
    } else {
      expect(await accepts(port)).toBe(false)
    }
  })

  it('restarts a local server on its port and data, cutting its connections meanwhile', async () => {
    const server = await startPostgres({ local: true })
    try {
      expect(server.source).toBe('local')
      const url = await server.createDatabase()
      await query(url, "CREATE TABLE kept AS SELECT 'through the restart' AS value")
      const held = new pg.Client({ connectionString: url })
      const lost = new Promise<Error>((resolve) => held.on('error', resolve))
      await held.connect()
      await server.kill()
      expect((await lost).message).toMatch(/terminat/)
      expect(await accepts(Number(new URL(server.url).port))).toBe(false)
      await server.restart()
      expect(await query<{ value: string }>(url, 'SELECT value FROM kept')).toEqual([
        { value: 'through the restart' },
      ])
      await held.end().catch(() => undefined)
    } finally {
      await server.stop()
    }
  })

  it('tells when its server process ends, whoever ended it, and starts again after a kill -9', async () => {
    const server = await startPostgres({ local: true })
    const killPostmaster = async () => {
      const [row] = await query<{ setting: string }>(
        server.url,
        "SELECT setting FROM pg_settings WHERE name = 'data_directory'",
      )
      const pidFile = await readFile(join(row?.setting ?? '', 'postmaster.pid'), 'utf8')
      process.kill(Number(pidFile.split('\n')[0]), 'SIGKILL')
    }
    try {
      await killPostmaster()
      expect(await server.exited()).toMatchObject({ how: 'SIGKILL' })
      // Its backends end once they notice; until then a new server refuses their shared memory.
      await waitUntil(() => server.restart().then(() => true), { message: 'Postgres to start again' })
      expect(await query(server.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }])
      await killPostmaster()
      await server.exited()
    } finally {
      await server.stop()
    }
  })

  it('keeps a persistent data directory and reuses it', async () => {
    if (process.env.TEST_DATABASE_URL) return
    const parent = await mkdtemp(join(tmpdir(), 'testkit-spec-'))
    const dataDir = join(parent, 'nested', 'postgres')
    try {
      const first = await startPostgres({ dataDir, persistent: true })
      await query(first.url, 'CREATE TABLE kept (value text)')
      await query(first.url, "INSERT INTO kept VALUES ('still here')")
      await first.stop()
      const second = await startPostgres({ dataDir, persistent: true })
      try {
        const rows = await query<{ value: string }>(second.url, 'SELECT value FROM kept')
        expect(rows).toEqual([{ value: 'still here' }])
      } finally {
        await second.stop()
      }
    } finally {
      await rm(parent, { recursive: true, force: true })
    }
  })
})

describe('NATS', () => {
  let nats: NatsServer

  beforeAll(async () => {
    nats = await startNats()
  })

  afterAll(async () => {
    await nats?.stop()
  })

  it('serves JetStream and keeps its data across a kill and restart', async () => {
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`)
    let nc = await connect({ servers: nats.url })
    await jsApi(nc, 'STREAM.CREATE.ORDERS', { name: 'ORDERS', subjects: ['orders.>'], storage: 'file' })
    const ack = (await nc.request('orders.created', 'first order', { timeout: 5_000 })).json<{
      seq: number
    }>()
    expect(ack.seq).toBe(1)
    await nc.close()

    if (nats.source !== 'local') return
    await nats.kill()
    expect(await nats.exited()).toMatchObject({ how: 'SIGKILL' })
    await nats.restart()

    nc = await connect({ servers: nats.url })
    try {
      const info = await jsApi<{ state: { messages: number } }>(nc, 'STREAM.INFO.ORDERS')
      expect(info.state.messages).toBe(1)
      const stored = await jsApi<{ message: { data: string } }>(nc, 'STREAM.MSG.GET.ORDERS', { seq: 1 })
      expect(Buffer.from(stored.message.data, 'base64').toString()).toBe('first order')
    } finally {
      await nc.close()
    }
  })

  it('applies configText and keeps a persistent store across stop and start', async () => {
    if (process.env.TEST_NATS_URL) return
    const dataDir = await mkdtemp(join(tmpdir(), 'testkit-nats-'))
    try {
      const first = await startNats({ dataDir, persistent: true, configText: 'max_payload: 4096\n' })
      let nc = await connect({ servers: first.url })
      expect(nc.info?.max_payload).toBe(4096)
      await jsApi(nc, 'STREAM.CREATE.KEPT', { name: 'KEPT', subjects: ['kept.>'], storage: 'file' })
      await nc.request('kept.one', 'kept', { timeout: 5_000 })
      await nc.close()
      await first.stop()

      const second = await startNats({ dataDir, persistent: true })
      nc = await connect({ servers: second.url })
      try {
        const info = await jsApi<{ state: { messages: number } }>(nc, 'STREAM.INFO.KEPT')
        expect(info.state.messages).toBe(1)
      } finally {
        await nc.close()
        await second.stop()
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('stops without leaving the server running', async () => {
    const own = await startNats()
    await own.stop()
    await expect(connect({ servers: own.url, reconnect: false, timeout: 1_000 })).rejects.toThrow()
  })
})
