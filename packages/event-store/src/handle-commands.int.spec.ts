import { newId } from '@taskforge/core'
import { waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventStore } from './event-store.js'
import { type CommandOutcome, handleCommands, type StreamCommand } from './handle-commands.js'
import {
  type CounterCommand as Command,
  counter,
  decodeCounterEvent as decode,
  type CounterEvent as Event,
  type CounterState as State,
} from './test-support/counter.js'
import { freshStore } from './test-support/index.js'
import type { Db } from './types.js'

const encode = (event: Event, decidedOn: State) => ({
  type: event.kind,
  data: new TextEncoder().encode(JSON.stringify(event)),
  metadata: { customer: `total-${decidedOn.total}` },
})
const on = (streamId: string, command: Command): StreamCommand<Command, State, Event> => ({
  streamId,
  command,
  encode,
})

let db: Db
let store: EventStore

beforeAll(async () => {
  ;({ db, store } = await freshStore({ max: 10 }))
})

afterAll(async () => {
  await db?.destroy()
})

const run = (commands: StreamCommand<Command, State, Event>[]) =>
  store.transaction((trx) =>
    handleCommands(store, { streamType: 'counter', decider: counter, decode, commands, trx }),
  )

const totals = (outcomes: CommandOutcome<State, Event>[]) =>
  outcomes.map((outcome) => (outcome.ok ? outcome.result.state.total : 'failed'))

describe('handleCommands', () => {
  it('decides and appends on many streams at once, new and existing, and notifies the append', async () => {
    const [a, b, c] = [newId(), newId(), newId()]
    expect(totals(await run([on(a, { kind: 'add', amount: 1 }), on(b, { kind: 'add', amount: 2 })]))).toEqual(
      [1, 2],
    )
    let notified = 0
    const unsubscribe = await store.onAppended(() => {
      notified += 1
    })
    const before = notified
    const outcomes = await run([
      on(c, { kind: 'add', amount: 5 }),
      on(a, { kind: 'add', amount: 3 }),
      on(b, { kind: 'add', amount: 0 }),
    ])
    expect(totals(outcomes)).toEqual([5, 4, 2])
    const [onC, onA, onB] = outcomes.map((outcome) => (outcome.ok ? outcome.result : undefined))
    expect(onC).toMatchObject({ nextExpectedVersion: 1n, history: [] })
    expect(onA?.nextExpectedVersion).toBe(2n)
    expect(onA?.history).toHaveLength(1)
    expect(onA?.appended[0]).toMatchObject({
      streamId: a,
      streamVersion: 2n,
      metadata: { customer: 'total-1' },
    })
    expect(onB).toMatchObject({ newEvents: [], appended: [], nextExpectedVersion: 1n })
    expect((await store.readStream(a)).version).toBe(2n)
    await waitUntil(() => notified > before, { message: 'the append notified' })
    await unsubscribe()
  })

  it('fails only the command whose decision throws', async () => {
    const [open, closed] = [newId(), newId()]
    await run([on(closed, { kind: 'close' })])
    const outcomes = await run([on(closed, { kind: 'add', amount: 1 }), on(open, { kind: 'add', amount: 1 })])
    expect(outcomes[0]).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } })
    expect(totals(outcomes)).toEqual(['failed', 1])
    expect((await store.readStream(open)).version).toBe(1n)
    expect((await store.readStream(closed)).version).toBe(1n)
  })

  it('decides again on the fresh stream when a concurrent writer moved it, keeping the others', async () => {
    const [raced, calm] = [newId(), newId()]
    await run([on(raced, { kind: 'add', amount: 1 }), on(calm, { kind: 'add', amount: 1 })])
    let rounds = 0
    const outcomes = await store.transaction((trx) =>
      handleCommands(store, {
        streamType: 'counter',
        decider: counter,
        decode,
        trx,
        commands: [on(raced, { kind: 'add', amount: 10 }), on(calm, { kind: 'add', amount: 10 })],
        async prepare(pending) {
          rounds += 1
          // Another writer appends to `raced` after this round read it.
          if (rounds === 1) await run([on(raced, { kind: 'add', amount: 100 })])
          return pending.map(({ command }) => command)
        },
      }),
    )
    expect(rounds).toBe(2)
    expect(totals(outcomes)).toEqual([111, 11])
    expect((await store.readStream(raced)).version).toBe(3n)
    expect((await store.readStream(calm)).version).toBe(2n)
  })

  it("writes nothing when the caller's transaction rolls back", async () => {
    const streamId = newId()
    await expect(
      store.transaction(async (trx) => {
        await handleCommands(store, {
          streamType: 'counter',
          decider: counter,
          decode,
          trx,
          commands: [on(streamId, { kind: 'add', amount: 4 })],
        })
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    expect((await store.readStream(streamId)).version).toBe(0n)
  })
})
