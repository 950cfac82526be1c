import { isAppError, newId } from '@taskforge/core'
import { createLogger } from '@taskforge/telemetry'
import { waitUntil } from '@taskforge/testkit'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventStore } from './event-store.js'
import { comparePositions } from './global-position.js'
import { freshStore, newEvent } from './test-support/index.js'
import type { Db, GlobalPosition } from './types.js'
import { WrongExpectedVersionError } from './wrong-expected-version-error.js'

let db: Db
let store: EventStore

beforeAll(async () => {
  ;({ db, store } = await freshStore({ max: 20 }))
})

afterAll(async () => {
  await db?.destroy()
})

const text = (data: Uint8Array) => new TextDecoder().decode(data)

describe('migrate', () => {
  it('is idempotent and safe when replicas run it at once', async () => {
    const { db: other, store: again } = await freshStore()
    try {
      await Promise.all([again.migrate(), again.migrate(), again.migrate()])
      await again.migrate()
    } finally {
      await other.destroy()
    }
  })
})

describe('appendToStream and readStream', () => {
  it('reads only the last event of the types asked for, and the others all, with the version', async () => {
    const streamId = newId()
    const types = [
      'created',
      'updated',
      'rotated',
      'updated',
      'updated',
      'rotated',
      'noted',
      'noted',
      'updated',
    ]
    await store.appendToStream(
      'task',
      streamId,
      types.map((type, index) => newEvent(type, `${type} ${index + 1}`)),
      {
        expectedVersion: 'no_stream',
      },
    )
    const { version, events } = await store.readStream(streamId, { latestOf: ['updated', 'rotated'] })
    expect(version).toBe(9n)
    expect(events.map((event) => [text(event.data), event.streamVersion])).toEqual([
      ['created 1', 1n],
      ['rotated 6', 6n],
      ['noted 7', 7n],
      ['noted 8', 8n],
      ['updated 9', 9n],
    ])
    expect((await store.readStream(streamId, { latestOf: [] })).events).toHaveLength(9)
    expect(await store.readStream(newId(), { latestOf: ['updated'] })).toEqual({ version: 0n, events: [] })
  })

  it('appends events with consecutive versions and reads them back', async () => {
    const streamId = newId()
    const first = await store.appendToStream('job', streamId, [newEvent('queued'), newEvent('assigned')], {
      expectedVersion: 'no_stream',
    })
    expect(first.nextExpectedVersion).toBe(2n)
    expect(first.events.map((event) => [event.type, event.streamVersion])).toEqual([
      ['queued', 1n],
      ['assigned', 2n],
    ])
    const second = await store.appendToStream('job', streamId, [newEvent('started')], { expectedVersion: 2n })
    expect(second.nextExpectedVersion).toBe(3n)

    const { version, events } = await store.readStream(streamId)
    expect(version).toBe(3n)
    expect(events.map((event) => event.type)).toEqual(['queued', 'assigned', 'started'])
    expect(events.map((event) => event.eventId)).toEqual(
      [...first.events, ...second.events].map((e) => e.eventId),
    )
    const [queued] = events
    expect(queued).toMatchObject({ streamType: 'job', streamId, metadata: { customer: 'acme' } })
    expect(queued?.data).toBeInstanceOf(Uint8Array)
    expect(text(queued!.data)).toBe('queued')
    expect(queued?.occurredAt).toBeInstanceOf(Date)
    expect(typeof queued?.transactionId).toBe('bigint')
  })

  it('answers version 0 and no events for a stream that does not exist', async () => {
    expect(await store.readStream(newId())).toEqual({ version: 0n, events: [] })
  })

  it('rejects a stale expected version with a typed error carrying both versions', async () => {
    const streamId = newId()
    await store.appendToStream('job', streamId, [newEvent('queued'), newEvent('assigned')], {
      expectedVersion: 0n,
    })
    const error = await store
      .appendToStream('job', streamId, [newEvent('canceled')], { expectedVersion: 1n })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(WrongExpectedVersionError)
    expect(isAppError(error)).toBe(true)
    expect(error).toMatchObject({
      code: 'WRONG_EXPECTED_VERSION',
      httpStatus: 409,
      expected: 1n,
      actual: 2n,
      details: { streamId, expected: '1', actual: '2' },
    })
    expect((await store.readStream(streamId)).version).toBe(2n)
  })

  it('checks no_stream, stream_exists and any', async () => {
    const streamId = newId()
    await expect(
      store.appendToStream('task', streamId, [newEvent('updated')], { expectedVersion: 'stream_exists' }),
    ).rejects.toMatchObject({ code: 'WRONG_EXPECTED_VERSION', actual: undefined })
    await store.appendToStream('task', streamId, [newEvent('created')], { expectedVersion: 'no_stream' })
    await expect(
      store.appendToStream('task', streamId, [newEvent('created')], { expectedVersion: 'no_stream' }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError)
    await store.appendToStream('task', streamId, [newEvent('updated')], { expectedVersion: 'stream_exists' })
    const result = await store.appendToStream('task', streamId, [newEvent('updated')], {
      expectedVersion: 'any',
    })
    expect(result.nextExpectedVersion).toBe(3n)
    const other = await store.appendToStream('task', newId(), [newEvent('created')], {
      expectedVersion: 'any',
    })
    expect(other.nextExpectedVersion).toBe(1n)
  })

  it('lets exactly one of many concurrent writers with the same expected version win', async () => {
    const streamId = newId()
    await store.appendToStream('bot', streamId, [newEvent('registered')], { expectedVersion: 'no_stream' })
    const attempts = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) =>
        store.appendToStream('bot', streamId, [newEvent(`renamed-${index}`)], { expectedVersion: 1n }),
      ),
    )
    const won = attempts.filter((attempt) => attempt.status === 'fulfilled')
    const lost = attempts.filter((attempt) => attempt.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(11)
    for (const attempt of lost) expect(attempt.reason).toBeInstanceOf(WrongExpectedVersionError)
    expect((await store.readStream(streamId)).events).toHaveLength(2)
  })

  it('lets exactly one of many concurrent creators of a new stream win', async () => {
    const streamId = newId()
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        store.appendToStream('bot', streamId, [newEvent('registered')], { expectedVersion: 'no_stream' }),
      ),
    )
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1)
    expect((await store.readStream(streamId)).version).toBe(1n)
  })

  it("commits and rolls back with the caller's transaction", async () => {
    const kept = newId()
    const dropped = newId()
    await store.transaction((trx) =>
      store.appendToStream('job', kept, [newEvent('queued')], { expectedVersion: 'no_stream', trx }),
    )
    await expect(
      store.transaction(async (trx) => {
        await store.appendToStream('job', dropped, [newEvent('queued')], {
          expectedVersion: 'no_stream',
          trx,
        })
        expect((await store.readStream(dropped, { trx })).version).toBe(1n)
        throw new Error('the effect failed')
      }),
    ).rejects.toThrow('the effect failed')
    expect((await store.readStream(kept)).version).toBe(1n)
    expect((await store.readStream(dropped)).version).toBe(0n)
  })

  it('tells commit listeners what each of its transactions appended, once committed', async () => {
    const told: string[][] = []
    const stop = store.onCommitted((events) => told.push(events.map((event) => event.eventId)))
    try {
      const own = await store.appendToStream('job', newId(), [newEvent('queued')], {
        expectedVersion: 'no_stream',
      })
      const jobId = newId()
      const inTransaction = await store.transaction(async (trx) => {
        const first = await store.appendToStream('job', jobId, [newEvent('queued')], {
          expectedVersion: 'no_stream',
          trx,
        })
        const second = await store.appendToStream('job', newId(), [newEvent('queued')], {
          expectedVersion: 'no_stream',
          trx,
        })
        expect(told).toHaveLength(1)
        return [...first.events, ...second.events]
      })
      await expect(
        store.transaction(async (trx) => {
          await store.appendToStream('job', newId(), [newEvent('queued')], {
            expectedVersion: 'no_stream',
            trx,
          })
          throw new Error('the effect failed')
        }),
      ).rejects.toThrow('the effect failed')
      await db
        .transaction()
        .execute((trx) =>
          store.appendToStream('job', newId(), [newEvent('queued')], { expectedVersion: 'no_stream', trx }),
        )
      expect(told).toEqual([
        own.events.map((event) => event.eventId),
        inTransaction.map((event) => event.eventId),
      ])
    } finally {
      stop()
    }
  })

  it('calls what waits for a transaction once it committed, never when it rolled back', async () => {
    const told: string[] = []
    const result = await store.transaction(async (trx) => {
      store.afterCommit(trx, () => told.push('committed'))
      expect(told).toEqual([])
      return 'done'
    })
    expect(result).toBe('done')
    expect(told).toEqual(['committed'])
    await expect(
      store.transaction(async (trx) => {
        store.afterCommit(trx, () => told.push('rolled back'))
        throw new Error('the effect failed')
      }),
    ).rejects.toThrow('the effect failed')
    await store.transaction(async (trx) => {
      store.afterCommit(trx, () => {
        throw new Error('a callback failed')
      })
    })
    expect(told).toEqual(['committed'])
  })

  it('tells commit listeners what a multi-stream append wrote, not the streams it refused', async () => {
    const told: string[][] = []
    const stop = store.onCommitted((events) => told.push(events.map((event) => event.eventId)))
    try {
      const moved = newId()
      await store.appendToStream('job', moved, [newEvent('queued')], { expectedVersion: 'no_stream' })
      told.length = 0
      const fresh = newId()
      const results = await store.transaction((trx) =>
        store.appendToStreams(
          [
            { streamType: 'job', streamId: fresh, events: [newEvent('queued')], expectedVersion: 0n },
            { streamType: 'job', streamId: moved, events: [newEvent('started')], expectedVersion: 0n },
          ],
          { trx },
        ),
      )
      expect(results[1]).toBeUndefined()
      expect(told).toEqual([results[0]?.events.map((event) => event.eventId)])
    } finally {
      stop()
    }
  })

  it('treats an empty append as a version check', async () => {
    const streamId = newId()
    await store.appendToStream('job', streamId, [newEvent('queued')], { expectedVersion: 'no_stream' })
    expect(await store.appendToStream('job', streamId, [], { expectedVersion: 1n })).toEqual({
      nextExpectedVersion: 1n,
      events: [],
    })
    await expect(store.appendToStream('job', streamId, [], { expectedVersion: 0n })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    )
  })

  it('refuses a duplicate event id', async () => {
    const event = newEvent('queued')
    await store.appendToStream('job', newId(), [event], { expectedVersion: 'no_stream' })
    await expect(
      store.appendToStream('job', newId(), [event], { expectedVersion: 'no_stream' }),
    ).rejects.toThrow()
  })
})

describe('readAll', () => {
  it('reads in commit order, from a position, by stream type and in pages', async () => {
    const { db: own, store: fresh } = await freshStore()
    try {
      const job = newId()
      const task = newId()
      await fresh.appendToStream('job', job, [newEvent('queued'), newEvent('assigned')], {
        expectedVersion: 'no_stream',
      })
      await fresh.appendToStream('task', task, [newEvent('created')], { expectedVersion: 'no_stream' })
      await fresh.appendToStream('job', job, [newEvent('started')], { expectedVersion: 2n })

      const all = await fresh.readAll()
      expect(all.map((event) => event.type)).toEqual(['queued', 'assigned', 'created', 'started'])
      expect((await fresh.readAll({ after: all[1]! })).map((event) => event.type)).toEqual([
        'created',
        'started',
      ])
      expect((await fresh.readAll({ streamTypes: ['task'] })).map((event) => event.type)).toEqual(['created'])
      expect((await fresh.readAll({ limit: 3 })).map((event) => event.type)).toEqual([
        'queued',
        'assigned',
        'created',
      ])
    } finally {
      await own.destroy()
    }
  })
})

describe('claimInbox', () => {
  it('claims a message once, and not at all when the effect rolls back', async () => {
    expect(await store.transaction((trx) => store.claimInbox(trx, 'mailer', 'msg-1'))).toBe(true)
    expect(await store.transaction((trx) => store.claimInbox(trx, 'mailer', 'msg-1'))).toBe(false)
    expect(await store.transaction((trx) => store.claimInbox(trx, 'auditor', 'msg-1'))).toBe(true)
    await expect(
      store.transaction(async (trx) => {
        expect(await store.claimInbox(trx, 'mailer', 'msg-2')).toBe(true)
        throw new Error('effect failed')
      }),
    ).rejects.toThrow('effect failed')
    expect(await store.transaction((trx) => store.claimInbox(trx, 'mailer', 'msg-2'))).toBe(true)
  })
})

describe('onAppended', () => {
  it('calls listeners when an append commits, with the position of its last event', async () => {
    const told: (GlobalPosition | undefined)[] = []
    const unsubscribe = await store.onAppended((appended) => {
      told.push(appended)
    })
    try {
      const streamId = newId()
      const before = told.length
      const { events } = await store.appendToStream(
        'job',
        streamId,
        [newEvent('queued'), newEvent('assigned')],
        {
          expectedVersion: 'no_stream',
        },
      )
      const last = events.at(-1)!
      const wanted = { transactionId: last.transactionId, position: last.position }
      await waitUntil(
        () => told.slice(before).some((at) => at !== undefined && comparePositions(at, wanted) === 0),
        {
          message: 'the append notified with its last position',
        },
      )
      // Several streams at once: once per stream type, each with its last event's position.
      const [job, script] = await store.transaction((trx) =>
        store.appendToStreams(
          [
            { streamType: 'job', streamId, expectedVersion: 2n, events: [newEvent('started')] },
            { streamType: 'script', streamId: newId(), expectedVersion: 0n, events: [newEvent('created')] },
          ],
          { trx },
        ),
      )
      for (const appended of [job!.events.at(-1)!, script!.events.at(-1)!]) {
        const at = { transactionId: appended.transactionId, position: appended.position }
        await waitUntil(() => told.some((t) => t !== undefined && comparePositions(t, at) === 0), {
          message: 'each stream type notified with its last position',
        })
      }
    } finally {
      await unsubscribe()
    }
  })

  it('reconnects when its LISTEN connection is lost', async () => {
    const { db: own } = await freshStore()
    const listening = new EventStore(own, {
      logger: createLogger('event-store-test', {}, { level: 'silent' }),
    })
    let calls = 0
    const unsubscribe = await listening.onAppended(() => {
      calls++
    })
    try {
      const terminated = await sql<{ done: boolean }>`
        SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
        WHERE datname = current_database() AND query = 'LISTEN taskforge_events'
      `.execute(own)
      expect(terminated.rows).toEqual([{ done: true }])
      const before = calls
      // Listeners are woken once reconnected, since notifications sent meanwhile are lost.
      await waitUntil(() => calls > before, { message: 'the LISTEN connection to come back' })
      const reconnected = calls
      await listening.appendToStream('job', newId(), [newEvent('queued')], { expectedVersion: 'no_stream' })
      await waitUntil(() => calls > reconnected, { message: 'a notification after reconnecting' })
    } finally {
      await unsubscribe()
      await own.destroy()
    }
  })
})
