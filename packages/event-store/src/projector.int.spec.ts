import { newId } from '@taskforge/core'
import { createLogger } from '@taskforge/telemetry'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readCheckpoint } from './checkpoints.js'
import type { EventStore } from './event-store.js'
import { Projector } from './projector.js'
import { Quarantine } from './quarantine.js'
import { countingProjection } from './test-support/counting-projection.js'
import { freshStore, newEvent } from './test-support/index.js'
import type { Db, StoredEvent } from './types.js'

let db: Db
let store: EventStore
const projectors: Projector[] = []

beforeEach(async () => {
  ;({ db, store } = await freshStore({ max: 20 }))
})

afterEach(async () => {
  await Promise.all(projectors.splice(0).map((projector) => projector.stop()))
  await db?.destroy()
})

/** A failure of the database, not of the event: a projection retries it without end. */
const connectionLost = () => Object.assign(new Error('connection terminated unexpectedly'), { code: '08006' })

async function quarantined(): Promise<{ pipeline: string; key: string; status: string; times: number }[]> {
  const { rows } = await sql<{ pipeline: string; item_key: string; status: string; times: number }>`
    SELECT pipeline, item_key, status, times FROM quarantine ORDER BY id
  `.execute(db)
  return rows.map((row) => ({
    pipeline: row.pipeline,
    key: row.item_key,
    status: row.status,
    times: row.times,
  }))
}

function projector(...args: ConstructorParameters<typeof Projector>): Projector {
  const created = new Projector(...args)
  projectors.push(created)
  return created
}

async function appendMany(streams: string[], perStream: number, type = 'happened'): Promise<StoredEvent[]> {
  const appended: StoredEvent[] = []
  for (const streamId of streams) {
    const events = Array.from({ length: perStream }, () => newEvent(type))
    appended.push(...(await store.appendToStream('job', streamId, events, { expectedVersion: 'any' })).events)
  }
  return appended
}

describe('Projector', () => {
  it('follows appends and answers waitFor once the read model has them', async () => {
    const counts = countingProjection('counts')
    const running = projector(store, [counts], { pollIntervalMs: 60_000 })
    await running.start()
    const [a, b] = [newId(), newId()]
    const appended = await appendMany([a, b, a], 2)
    await running.waitFor(appended.at(-1)!)
    expect(await counts.counts(db)).toEqual({ [a]: 4, [b]: 2 })
    expect(await running.catchUp()).toBe(0)
  })

  it('applies a batch and advances the checkpoint together, or neither, while the database fails', async () => {
    const counts = countingProjection('atomic')
    await counts.setup(db)
    const manual = projector(store, [counts], { batchSize: 100 })
    const streamId = newId()
    await appendMany([streamId], 2)
    expect(await manual.catchUp()).toBe(2)
    const before = await readCheckpoint(db, 'projection:atomic')

    await store.appendToStream('job', streamId, [newEvent('fine'), newEvent('poison'), newEvent('fine')], {
      expectedVersion: 2n,
    })
    counts.failOn = 'poison'
    counts.failure = connectionLost
    await expect(manual.catchUp()).rejects.toThrow('connection terminated')
    expect(await counts.counts(db)).toEqual({ [streamId]: 2 })
    expect(await readCheckpoint(db, 'projection:atomic')).toEqual(before)
    expect(await quarantined()).toEqual([])

    counts.failOn = undefined
    expect(await manual.catchUp()).toBe(3)
    expect(await counts.counts(db)).toEqual({ [streamId]: 5 })
  })

  it('rebuilds to the same read model, reporting every step', async () => {
    const counts = countingProjection('rebuilt')
    const running = projector(store, [counts], { batchSize: 7 })
    await running.start()
    const appended = await appendMany([newId(), newId(), newId()], 10)
    await running.waitFor(appended.at(-1)!)
    const model = await counts.counts(db)
    const checkpoint = await readCheckpoint(db, 'projection:rebuilt')

    const result = await running.rebuild('rebuilt')
    expect(result.error).toBeUndefined()
    expect(result).toMatchObject({ name: 'rebuilt', events: 30 })
    expect(result.results).toEqual([
      { step: 'reset', status: 'Success' },
      { step: 'replay', status: 'Success' },
      { step: 'checkpoint', status: 'Success' },
      { step: 'commit', status: 'Success' },
    ])
    expect(await counts.counts(db)).toEqual(model)
    expect(await readCheckpoint(db, 'projection:rebuilt')).toEqual(checkpoint)
  })

  it('keeps the previous read model when a rebuild fails, without throwing', async () => {
    const counts = countingProjection('kept')
    const running = projector(store, [counts])
    await running.start()
    const streamId = newId()
    const appended = await appendMany([streamId], 3)
    await running.waitFor(appended.at(-1)!)

    counts.failOn = 'happened'
    counts.failure = connectionLost
    const result = await running.rebuild('kept')
    expect(result.error).toBeInstanceOf(Error)
    expect(result.results.map((step) => step.status)).toEqual([
      'Success',
      'Error',
      'NotExecuted',
      'NotExecuted',
    ])
    expect(await counts.counts(db)).toEqual({ [streamId]: 3 })
    expect((await running.rebuild('nothing-by-that-name')).error).toBeInstanceOf(Error)
  })

  it('rebuilds at start when the projection version changed', async () => {
    const streamId = newId()
    const appended = await appendMany([streamId], 4)
    const first = projector(store, [countingProjection('versioned', { version: 1 })])
    await first.start()
    await first.waitFor(appended.at(-1)!)
    await first.stop()

    const doubled = countingProjection('versioned', { version: 2, weight: 2 })
    const second = projector(store, [doubled])
    await second.start()
    expect(await doubled.counts(db)).toEqual({ [streamId]: 8 })
    expect((await readCheckpoint(db, 'projection:versioned'))?.version).toBe(2)
  })

  it('projects several projections from one read, and keeps a failing one from holding back the others', async () => {
    const healthy = countingProjection('healthy')
    const failing = countingProjection('failing')
    const both = projector(store, [healthy, failing], { batchSize: 100, pollIntervalMs: 60_000 })
    await both.start()
    const streamId = newId()
    const first = await appendMany([streamId], 2)
    await both.waitFor(first.at(-1)!)
    expect(await healthy.counts(db)).toEqual({ [streamId]: 2 })
    expect(await failing.counts(db)).toEqual({ [streamId]: 2 })

    failing.failOn = 'poison'
    failing.failure = connectionLost
    await store.appendToStream('job', streamId, [newEvent('poison'), newEvent('fine')], {
      expectedVersion: 2n,
    })
    await expect(both.catchUp()).rejects.toThrow('connection terminated')
    expect(await healthy.counts(db)).toEqual({ [streamId]: 4 })
    expect(await failing.counts(db)).toEqual({ [streamId]: 2 })

    failing.failOn = undefined
    await both.catchUp()
    expect(await failing.counts(db)).toEqual({ [streamId]: 4 })
    expect(await healthy.counts(db)).toEqual({ [streamId]: 4 })
  })

  it('never moves back the checkpoint of a projection ahead of the read batch of one behind', async () => {
    const ahead = countingProjection('ahead')
    const behind = countingProjection('behind')
    const both = projector(store, [ahead, behind], { batchSize: 2, pollIntervalMs: 60_000 })
    await both.start()
    const streamId = newId()
    await both.waitFor((await appendMany([streamId], 2)).at(-1)!)

    behind.failOn = 'poison'
    behind.failure = connectionLost
    await store.appendToStream(
      'job',
      streamId,
      [newEvent('poison'), ...Array.from({ length: 4 }, () => newEvent('fine'))],
      {
        expectedVersion: 2n,
      },
    )
    await expect(both.catchUp()).rejects.toThrow('connection terminated')
    const aheadAt = await readCheckpoint(db, 'projection:ahead')

    behind.failOn = undefined
    await both.catchUp()
    expect(await ahead.counts(db)).toEqual({ [streamId]: 7 })
    expect(await behind.counts(db)).toEqual({ [streamId]: 7 })
    expect(await readCheckpoint(db, 'projection:ahead')).toMatchObject({ position: aheadAt?.position })
  })

  it('lets several replicas run while each event is applied once', async () => {
    const replicas = Array.from({ length: 3 }, () => countingProjection('shared'))
    const running = replicas.map((projection) =>
      projector(store, [projection], { batchSize: 5, pollIntervalMs: 50 }),
    )
    await Promise.all(running.map((replica) => replica.start()))
    const streams = Array.from({ length: 10 }, () => newId())
    const appended = (await Promise.all(streams.map((streamId) => appendMany([streamId], 6)))).flat()
    const last = appended.reduce((latest, event) =>
      event.transactionId > latest.transactionId ||
      (event.transactionId === latest.transactionId && event.position > latest.position)
        ? event
        : latest,
    )
    await Promise.all(running.map((replica) => replica.waitFor(last)))
    expect(await replicas[0]!.counts(db)).toEqual(
      Object.fromEntries(streams.map((streamId) => [streamId, 6])),
    )
  })

  it('moves past events of other stream types, so waitFor on them resolves', async () => {
    const tasksOnly = countingProjection('tasks', { streamTypes: ['task'] })
    const running = projector(store, [tasksOnly])
    await running.start()
    const task = newId()
    await store.appendToStream('task', task, [newEvent('created')], { expectedVersion: 'no_stream' })
    const job = await store.appendToStream('job', newId(), [newEvent('queued')], {
      expectedVersion: 'no_stream',
    })
    await running.waitFor(job.events[0]!)
    expect(await tasksOnly.counts(db)).toEqual({ [task]: 1 })
  })

  it('times out waitFor with a TIMEOUT error when a projection cannot progress', async () => {
    const stuck = countingProjection('stuck')
    stuck.failOn = 'poison'
    stuck.failure = connectionLost
    const running = projector(store, [stuck], {
      logger: createLogger('projector-test', {}, { level: 'silent' }),
    })
    await running.start()
    const appended = await store.appendToStream('job', newId(), [newEvent('poison')], {
      expectedVersion: 'no_stream',
    })
    await expect(running.waitFor(appended.events[0]!, 300)).rejects.toMatchObject({ code: 'TIMEOUT' })
  })

  it('quarantines an event it cannot apply and moves past it, applying the rest of its batch once', async () => {
    const counts = countingProjection('poisoned')
    const running = projector(store, [counts], { batchSize: 100, pollIntervalMs: 60_000 })
    await running.start()
    const [a, b] = [newId(), newId()]
    await appendMany([a], 2)
    counts.failOn = 'poison'
    const poison = await store.appendToStream(
      'job',
      a,
      [newEvent('fine'), newEvent('poison'), newEvent('fine')],
      {
        expectedVersion: 2n,
      },
    )
    const later = await appendMany([b], 3)
    await running.waitFor(later.at(-1)!, 5_000)
    expect(await counts.counts(db)).toEqual({ [a]: 4, [b]: 3 })
    expect(await quarantined()).toEqual([
      { pipeline: 'projection:poisoned', key: poison.events[1]!.eventId, status: 'quarantined', times: 1 },
    ])
    expect(await running.catchUp()).toBe(0)
  })

  it('replays a quarantined event once its cause is fixed, and quarantines it again on a rebuild that still fails', async () => {
    const quarantine = new Quarantine(db)
    const counts = countingProjection('replayed')
    const running = projector(store, [counts], { quarantine, pollIntervalMs: 60_000 })
    await running.start()
    const streamId = newId()
    counts.failOn = 'poison'
    const appended = await store.appendToStream('job', streamId, [newEvent('poison'), newEvent('fine')], {
      expectedVersion: 'no_stream',
    })
    await running.waitFor(appended.events[1]!, 5_000)
    const [item] = await quarantine.list({ status: 'quarantined' })
    expect(item).toMatchObject({
      pipeline: 'projection:replayed',
      kind: 'event',
      key: appended.events[0]!.eventId,
      streamId,
      eventType: 'poison',
      attempts: 3,
    })
    expect(item!.error).toContain('cannot project poison')

    await expect(quarantine.replay(item!.id)).rejects.toMatchObject({ code: 'INVALID_STATE' })
    expect(await quarantine.get(item!.id)).toMatchObject({ status: 'quarantined' })

    const rebuilt = await running.rebuild('replayed')
    expect(rebuilt.error).toBeUndefined()
    expect(await quarantined()).toMatchObject([{ status: 'quarantined', times: 2 }])

    counts.failOn = undefined
    expect(await quarantine.replay(item!.id)).toMatchObject({ status: 'replayed', replayError: undefined })
    expect(await counts.counts(db)).toEqual({ [streamId]: 2 })
    expect(await quarantine.list({ status: 'quarantined' })).toEqual([])
  })

  it('waits only for the projections a caller reads', async () => {
    const read = countingProjection('read')
    const stuck = countingProjection('elsewhere')
    const running = projector(store, [read, stuck], {
      pollIntervalMs: 60_000,
      logger: createLogger('projector-test', {}, { level: 'silent' }),
    })
    await running.start()
    stuck.failOn = 'happened'
    stuck.failure = connectionLost
    const [event] = await appendMany([newId()], 1)
    await running.waitFor(event!, { projections: ['read'], timeoutMs: 5_000 })
    await expect(running.waitFor(event!, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' })
  })
})
