import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type PubAck,
} from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { newId } from '@taskforge/core'
import { createLogger } from '@taskforge/telemetry'
import { type NatsServer, startNats, waitUntil } from '@taskforge/testkit'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { LOCK_NAMESPACE } from './advisory-lock.js'
import { readCheckpoint } from './checkpoints.js'
import { EventStore } from './event-store.js'
import { OutboxRelay } from './outbox-relay.js'
import { Quarantine } from './quarantine.js'
import { freshStore, newEvent } from './test-support/index.js'
import type { Db, StoredEvent } from './types.js'

const silent = createLogger('outbox-relay-test', {}, { level: 'silent' })

let nats: NatsServer
let nc: NatsConnection
let js: JetStreamClient
let jsm: JetStreamManager
let db: Db
let store: EventStore
let stream: string
const relays: OutboxRelay[] = []

beforeAll(async () => {
  nats = await startNats()
  nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 })
  js = jetstream(nc)
  jsm = await jetstreamManager(nc)
})

afterAll(async () => {
  await nc?.close()
  await nats?.stop()
})

beforeEach(async () => {
  ;({ db, store } = await freshStore())
  stream = `EVENTS_${newId().slice(-12)}`
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] })
})

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()))
  await db?.destroy()
})

/** The relay's publish as services do it: subject by stream type and type, message id = event id, acks awaited. */
function publisher(acks: PubAck[]): (events: StoredEvent[]) => Promise<void> {
  return async (events) => {
    const answers = await Promise.all(
      events.map((event) =>
        js.publish(`${stream}.${event.streamType}.${event.type}`, event.data, {
          msgID: event.eventId,
          timeout: 2_000,
        }),
      ),
    )
    acks.push(...answers)
  }
}

function relay(
  options: Partial<ConstructorParameters<typeof OutboxRelay>[1]> & {
    publish: (events: StoredEvent[]) => Promise<void>
    /** The store it follows (default the test's; a replica has its own on the same database). */
    on?: EventStore
  },
) {
  const { on, ...rest } = options
  const created = new OutboxRelay(on ?? store, { name: 'job-scheduler', logger: silent, ...rest })
  relays.push(created)
  return created
}

async function appendEvents(count: number, to: EventStore = store): Promise<StoredEvent[]> {
  const appended: StoredEvent[] = []
  for (let index = 0; index < count; index++) {
    const { events } = await to.appendToStream('job', newId(), [newEvent('queued', `job ${index}`)], {
      expectedVersion: 'no_stream',
    })
    appended.push(...events)
  }
  return appended
}

/** Holds the relay's lock, as a busy replica would, until `release` is called: its reads publish nothing. */
async function holdRelayLock(): Promise<{ release(): Promise<void> }> {
  let release: () => void = () => undefined
  let locked: () => void = () => undefined
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve
  })
  const held = db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext('outbox:job-scheduler'))`.execute(
      trx,
    )
    locked()
    await new Promise<void>((resolve) => {
      release = resolve
    })
  })
  await isLocked
  return {
    async release() {
      release()
      await held
    },
  }
}

const messagesInStream = async () => (await jsm.streams.info(stream)).state.messages

async function messageIds(count: number): Promise<string[]> {
  const ids: string[] = []
  for (let seq = 1; seq <= count; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq })
    ids.push(message?.header.get('Nats-Msg-Id') ?? '')
  }
  return ids
}

describe('OutboxRelay', () => {
  it('republishes after a crash between publish and checkpoint, and JetStream drops the duplicates', async () => {
    const appended = await appendEvents(10)
    const firstAcks: PubAck[] = []
    const publishThenCrash = publisher(firstAcks)
    const crashing = relay({
      publish: async (events) => {
        await publishThenCrash(events)
        // The connection went with the process: a failure of the infrastructure, not of an event.
        throw Object.assign(new Error('crashed before the checkpoint'), { code: 'ECONNRESET' })
      },
    })
    await expect(crashing.runOnce()).rejects.toThrow('crashed before the checkpoint')
    expect(firstAcks.map((ack) => ack.duplicate)).toEqual(Array(10).fill(false))
    expect(await readCheckpoint(db, 'outbox:job-scheduler')).toBeUndefined()

    const secondAcks: PubAck[] = []
    const restarted = relay({ publish: publisher(secondAcks) })
    expect(await restarted.runOnce()).toBe(10)
    expect(secondAcks.map((ack) => ack.duplicate)).toEqual(Array(10).fill(true))
    expect(await restarted.runOnce()).toBe(0)

    expect(await messagesInStream()).toBe(10)
    expect(await messageIds(10)).toEqual(appended.map((event) => event.eventId))
    expect(await readCheckpoint(db, 'outbox:job-scheduler')).toMatchObject({
      transactionId: appended.at(-1)!.transactionId,
      position: appended.at(-1)!.position,
    })
  })

  it('follows appends with one active relay per name across replicas, publishing each event once', async () => {
    const acks: PubAck[] = []
    // Each replica has its own store; the events come from elsewhere, so only the reads publish them.
    const replicas = [
      relay({ publish: publisher(acks), batchSize: 4, on: new EventStore(db) }),
      relay({ publish: publisher(acks), batchSize: 4, on: new EventStore(db) }),
    ]
    await Promise.all(replicas.map((replica) => replica.start()))
    const appended = await appendEvents(30, new EventStore(db))
    await waitUntil(async () => (await messagesInStream()) === 30, {
      timeoutMs: 30_000,
      message: 'all events in JetStream',
    })
    expect(acks).toHaveLength(30)
    expect(acks.filter((ack) => ack.duplicate)).toEqual([])
    expect(await messageIds(30)).toEqual(appended.map((event) => event.eventId))
  })

  it('keeps retrying while NATS is down and delivers everything once it is back', async () => {
    if (nats.source !== 'local') return
    const acks: PubAck[] = []
    const running = relay({ publish: publisher(acks), pollIntervalMs: 200 })
    await running.start()
    const before = await appendEvents(3)
    await waitUntil(async () => (await messagesInStream()) === 3, { timeoutMs: 30_000 })

    await nats.kill()
    const during = await appendEvents(5)
    await nats.restart()
    await waitUntil(async () => (await messagesInStream().catch(() => 0)) === 8, {
      timeoutMs: 60_000,
      message: 'events appended while NATS was down to arrive',
    })
    expect(await messageIds(8)).toEqual([...before, ...during].map((event) => event.eventId))
  })

  it('publishes what this process commits at once, and its reads then only move the checkpoint', async () => {
    const acks: PubAck[] = []
    const running = relay({ publish: publisher(acks) })
    await running.start()
    const busy = await holdRelayLock()
    const jobId = newId()
    const first = await store.appendToStream('job', jobId, [newEvent('queued'), newEvent('assigned')], {
      expectedVersion: 'no_stream',
    })
    const second = await store.transaction((trx) =>
      store.appendToStream('job', jobId, [newEvent('started')], { expectedVersion: 2n, trx }),
    )
    const appended = [...first.events, ...second.events]
    // The lock keeps the relay from reading: these can only have come from the commits.
    await waitUntil(async () => (await messagesInStream()) === 3, {
      timeoutMs: 30_000,
      message: 'committed events in JetStream',
    })
    const checkpoint = await readCheckpoint(db, 'outbox:job-scheduler')
    await busy.release()
    expect(checkpoint).toMatchObject({ transactionId: 0n, position: 0n })

    await waitUntil(
      async () => (await readCheckpoint(db, 'outbox:job-scheduler'))?.position === appended.at(-1)!.position,
      {
        timeoutMs: 30_000,
        message: 'the checkpoint to pass them',
      },
    )
    expect(acks.map((ack) => ack.duplicate)).toEqual([false, false, false])
    expect(await messageIds(3)).toEqual(appended.map((event) => event.eventId))
  })

  it('does not read for the notification of a commit published whole at commit; the next read moves the checkpoint', async () => {
    const acks: PubAck[] = []
    const running = relay({ publish: publisher(acks), pollIntervalMs: 60_000 })
    await running.start()
    await waitUntil(async () => (await readCheckpoint(db, 'outbox:job-scheduler')) !== undefined)
    const own = await appendEvents(2)
    await waitUntil(async () => (await messagesInStream()) === 2, { timeoutMs: 30_000 })
    // Time for the notifications to come (and, before, wake the read).
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await readCheckpoint(db, 'outbox:job-scheduler')).toMatchObject({
      transactionId: 0n,
      position: 0n,
    })

    // An append of another process: only the read can publish it, and it passes the others too.
    const elsewhere = await appendEvents(1, new EventStore(db))
    await waitUntil(
      async () => (await readCheckpoint(db, 'outbox:job-scheduler'))?.position === elsewhere[0]!.position,
      { timeoutMs: 30_000, message: 'the read woken by the other append' },
    )
    expect(acks.map((ack) => ack.duplicate)).toEqual([false, false, false])
    expect(await messageIds(3)).toEqual([...own, ...elsewhere].map((event) => event.eventId))
  })

  it('leaves to the read an event whose predecessor is not known to be out, keeping its stream in order', async () => {
    const acks: PubAck[] = []
    const publish = publisher(acks)
    let failures = 1
    const running = relay({
      publish: async (events) => {
        if (failures-- > 0) throw new Error('NATS is away')
        await publish(events)
      },
    })
    await running.start()
    const busy = await holdRelayLock()
    const jobId = newId()
    const queued = await store.appendToStream('job', jobId, [newEvent('queued')], {
      expectedVersion: 'no_stream',
    })
    const started = await store.appendToStream('job', jobId, [newEvent('started')], { expectedVersion: 1n })
    const other = await appendEvents(1)
    // The other stream's first event goes out; the job's started waits for its queued, which failed.
    await waitUntil(async () => (await messagesInStream()) === 1, { timeoutMs: 30_000 })
    expect(await messageIds(1)).toEqual(other.map((event) => event.eventId))

    await busy.release()
    await waitUntil(async () => (await messagesInStream()) === 3, {
      timeoutMs: 30_000,
      message: 'the read to publish the job',
    })
    expect(await messageIds(3)).toEqual(
      [...other, ...queued.events, ...started.events].map((event) => event.eventId),
    )
  })

  describe('an event that cannot be published', () => {
    const probe = async () => {
      await jsm.getAccountInfo()
    }

    async function appendAround(poison: Uint8Array): Promise<StoredEvent[]> {
      const [before] = await appendEvents(1)
      const { events } = await store.appendToStream(
        'job',
        newId(),
        [{ ...newEvent('queued', '', 'globex'), data: poison }],
        { expectedVersion: 'no_stream' },
      )
      const [after] = await appendEvents(1)
      return [before!, events[0]!, after!]
    }

    it('is set aside in the quarantine and the events after it go out (a payload over max_payload)', async () => {
      const quarantine = new Quarantine(db, { logger: silent })
      const [before, poison, after] = await appendAround(new Uint8Array(1_100_000))
      const acks: PubAck[] = []
      const running = relay({ publish: publisher(acks), quarantine, probe })
      expect(await running.runOnce()).toBe(3)
      expect(await messageIds(2)).toEqual([before!.eventId, after!.eventId])
      const [item, ...others] = await quarantine.list()
      expect(others).toEqual([])
      expect(item).toMatchObject({
        pipeline: 'outbox:job-scheduler',
        kind: 'event',
        key: poison!.eventId,
        customer: 'globex',
        streamId: poison!.streamId,
        attempts: 3,
        status: 'quarantined',
      })
      expect(item!.error).toMatch(/max_payload/)
      expect(await readCheckpoint(db, 'outbox:job-scheduler')).toMatchObject({
        transactionId: after!.transactionId,
        position: after!.position,
      })
    })

    it('is published by a replay once the cause is gone', async () => {
      const quarantine = new Quarantine(db, { logger: silent })
      const [before, poison, after] = await appendAround(new TextEncoder().encode('refused for now'))
      const acks: PubAck[] = []
      const publish = publisher(acks)
      let refused = true
      const running = relay({
        quarantine,
        probe,
        publish: async (events) => {
          if (refused && events.some((event) => event.eventId === poison!.eventId))
            throw new Error('stream refused the message')
          await publish(events)
        },
      })
      await running.start()
      await waitUntil(async () => (await quarantine.list()).length === 1, { timeoutMs: 30_000 })
      await waitUntil(async () => (await messagesInStream()) === 2, { timeoutMs: 30_000 })

      const [item] = await quarantine.list()
      await expect(quarantine.replay(item!.id)).rejects.toThrow('stream refused the message')
      refused = false
      expect(await quarantine.replay(item!.id)).toMatchObject({ status: 'replayed' })
      expect(await messageIds(3)).toEqual([before!.eventId, after!.eventId, poison!.eventId])
    })

    it('is not set aside while the broker does not answer: the batch is retried later', async () => {
      const quarantine = new Quarantine(db, { logger: silent })
      await appendEvents(2)
      const running = relay({
        quarantine,
        probe: async () => {
          throw new Error('no answer')
        },
        publish: async () => {
          throw new Error('refused')
        },
      })
      await expect(running.runOnce()).rejects.toThrow('the broker does not answer')
      expect(await quarantine.list()).toEqual([])
      expect(await readCheckpoint(db, 'outbox:job-scheduler')).toBeUndefined()
    })
  })
})
