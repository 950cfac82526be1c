import { newId } from '@taskforge/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventStore } from './event-store.js'
import { handleCommand } from './handle-command.js'
import {
  type CounterCommand as Command,
  counter,
  decodeCounterEvent as decode,
  type CounterEvent as Event,
} from './test-support/counter.js'
import { freshStore } from './test-support/index.js'
import type { Db } from './types.js'

const encode = (event: Event) => ({
  type: event.kind,
  data: new TextEncoder().encode(JSON.stringify(event)),
  metadata: { customer: 'acme' },
})

let db: Db
let store: EventStore

beforeAll(async () => {
  ;({ db, store } = await freshStore({ max: 10 }))
})

afterAll(async () => {
  await db?.destroy()
})

const run = (streamId: string, command: Command) =>
  handleCommand(store, { streamType: 'counter', streamId, decider: counter, command, encode, decode })

describe('handleCommand', () => {
  it('folds the stream, decides and appends with the version read', async () => {
    const streamId = newId()
    const first = await run(streamId, { kind: 'add', amount: 2 })
    expect(first).toMatchObject({
      state: { total: 2 },
      newEvents: [{ kind: 'added', amount: 2 }],
      nextExpectedVersion: 1n,
    })
    expect(first.appended).toHaveLength(1)
    const second = await run(streamId, { kind: 'add', amount: 3 })
    expect(second).toMatchObject({ state: { total: 5 }, nextExpectedVersion: 2n })
  })

  it('appends nothing when the decider decides nothing', async () => {
    const streamId = newId()
    await run(streamId, { kind: 'add', amount: 1 })
    expect(await run(streamId, { kind: 'add', amount: 0 })).toMatchObject({
      state: { total: 1 },
      newEvents: [],
      appended: [],
      nextExpectedVersion: 1n,
    })
  })

  it('passes domain errors through', async () => {
    const streamId = newId()
    await run(streamId, { kind: 'close' })
    await expect(run(streamId, { kind: 'add', amount: 1 })).rejects.toMatchObject({ code: 'INVALID_STATE' })
  })

  it('retries on a concurrent append, deciding again on the fresh state', async () => {
    const streamId = newId()
    await run(streamId, { kind: 'add', amount: 1 })
    // Each round at least one writer wins, so four writers need at most the 1 + 3 attempts allowed.
    const results = await Promise.all(
      Array.from({ length: 4 }, () => run(streamId, { kind: 'add', amount: 1 })),
    )
    expect(results.map((result) => result.nextExpectedVersion).sort()).toEqual([2n, 3n, 4n, 5n])
    const { version } = await store.readStream(streamId)
    expect(version).toBe(5n)
    expect((await run(streamId, { kind: 'add', amount: 0 })).state.total).toBe(5)
  })

  it("works inside the caller's transaction", async () => {
    const streamId = newId()
    await expect(
      store.transaction(async (trx) => {
        await handleCommand(store, {
          streamType: 'counter',
          streamId,
          decider: counter,
          command: { kind: 'add', amount: 4 },
          encode,
          decode,
          trx,
        })
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    expect((await store.readStream(streamId)).version).toBe(0n)
  })

  it('with an expected version, fails a stale one before deciding and never decides again', async () => {
    const streamId = newId()
    await run(streamId, { kind: 'add', amount: 1 })
    const at = (expectedVersion: bigint, amount: number) =>
      handleCommand(store, {
        streamType: 'counter',
        streamId,
        decider: counter,
        command: { kind: 'add', amount },
        encode,
        decode,
        expectedVersion,
      })
    await expect(at(2n, 1)).rejects.toMatchObject({ code: 'WRONG_EXPECTED_VERSION' })
    expect((await at(1n, 2)).nextExpectedVersion).toBe(2n)
    // Two writers that both read version 2: one wins, the other is told, not decided again.
    const results = await Promise.allSettled([at(2n, 1), at(2n, 1)])
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect((await store.readStream(streamId)).version).toBe(3n)
  })

  it("answers the caller's error for a stale version, given the state read", async () => {
    const streamId = newId()
    await run(streamId, { kind: 'add', amount: 5 })
    await expect(
      handleCommand(store, {
        streamType: 'counter',
        streamId,
        decider: counter,
        command: { kind: 'add', amount: 1 },
        encode,
        decode,
        expectedVersion: 7n,
        staleVersion: (state, id, expected, actual) =>
          new Error(`${id} total ${state.total}: at ${actual}, not ${expected}`),
      }),
    ).rejects.toThrow(`${streamId} total 5: at 1, not 7`)
  })

  it('runs middleware around the command, outermost first', async () => {
    const streamId = newId()
    const seen: string[] = []
    const result = await handleCommand(store, {
      streamType: 'counter',
      streamId,
      decider: counter,
      command: { kind: 'add', amount: 3 },
      encode,
      decode,
      middleware: [
        async (batch, next) => {
          seen.push(`outer ${batch.streamType} ${batch.streamIds.join()}`)
          const outcomes = await next()
          seen.push(`outer saw ${outcomes.map((outcome) => outcome.ok).join()}`)
          return outcomes
        },
        async (_, next) => {
          seen.push('inner')
          return next()
        },
      ],
    })
    expect(result.state.total).toBe(3)
    expect(seen).toEqual([`outer counter ${streamId}`, 'inner', 'outer saw true'])
  })
})
