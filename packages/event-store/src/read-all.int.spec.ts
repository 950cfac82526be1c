import { newId } from '@taskforge/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventStore } from './event-store.js'
import { comparePositions, positionOf, START } from './global-position.js'
import { freshStore, gate, newEvent, sleep } from './test-support/index.js'
import type { Db, GlobalPosition, StoredEvent } from './types.js'

let db: Db
let store: EventStore

beforeAll(async () => {
  ;({ db, store } = await freshStore({ max: 30 }))
})

afterAll(async () => {
  await db?.destroy()
})

/** Reads until `done` says so, like a relay or projector: each page after the last position seen. */
async function follow(
  done: (seen: StoredEvent[]) => boolean,
  options: { limit: number; timeoutMs: number },
): Promise<StoredEvent[]> {
  const seen: StoredEvent[] = []
  let checkpoint: GlobalPosition = START
  const deadline = Date.now() + options.timeoutMs
  while (!done(seen)) {
    if (Date.now() > deadline) throw new Error(`reader saw ${seen.length} events before the deadline`)
    const page = await store.readAll({ after: checkpoint, limit: options.limit })
    seen.push(...page)
    checkpoint = page.at(-1) === undefined ? checkpoint : positionOf(page.at(-1)!)
    if (page.length === 0) await sleep(5)
  }
  return seen
}

describe('readAll under concurrent writers', () => {
  it('hides a later commit until an earlier, still open transaction ends, then returns both in order', async () => {
    const { db: own, store: isolated } = await freshStore()
    try {
      const slow = gate()
      const written = gate()
      const early = isolated.transaction(async (trx) => {
        const result = await isolated.appendToStream('job', newId(), [newEvent('early')], {
          expectedVersion: 'no_stream',
          trx,
        })
        written.open()
        await slow.promise
        return result
      })
      await written.promise
      const late = await isolated.appendToStream('job', newId(), [newEvent('late')], {
        expectedVersion: 'no_stream',
      })

      // A reader going by position alone would now return `late` and checkpoint past `early`.
      expect(await isolated.readAll()).toEqual([])
      slow.open()
      const [earlyEvent] = (await early).events
      expect(earlyEvent!.position).toBeLessThan(late.events[0]!.position)

      let all: StoredEvent[] = []
      for (const deadline = Date.now() + 30_000; all.length < 2 && Date.now() < deadline; await sleep(10)) {
        all = await isolated.readAll()
      }
      expect(all.map((event) => event.type)).toEqual(['early', 'late'])
    } finally {
      await own.destroy()
    }
  })

  it('never misses nor repeats an event while many transactions commit out of order', async () => {
    const writers = 8
    const transactionsPerWriter = 25
    const streams = Array.from({ length: 12 }, () => newId())
    const written = new Set<string>()
    let writing = true

    const writer = async (index: number) => {
      for (let round = 0; round < transactionsPerWriter; round++) {
        const streamId = streams[(index * 7 + round) % streams.length]!
        const events = Array.from({ length: 1 + (round % 3) }, () => newEvent(`w${index}`))
        // Some transactions stay open well after they wrote, while later ones commit.
        const holdMs = round % 5 === 0 ? 40 : round % 2 === 0 ? 3 : 0
        await store.transaction(async (trx) => {
          await store.appendToStream('job', streamId, events, { expectedVersion: 'any', trx })
          if (holdMs > 0) await sleep(holdMs)
        })
        for (const event of events) written.add(event.eventId!)
      }
    }

    const reading = follow((seen) => !writing && seen.length >= written.size, { limit: 7, timeoutMs: 60_000 })
    await Promise.all(Array.from({ length: writers }, (_, index) => writer(index)))
    writing = false
    const seen = await reading

    const ids = seen.map((event) => event.eventId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(ids)).toEqual(written)
    for (let index = 1; index < seen.length; index++) {
      expect(comparePositions(seen[index - 1]!, seen[index]!)).toBe(-1)
    }
    for (const streamId of streams) {
      const versions = seen.filter((event) => event.streamId === streamId).map((event) => event.streamVersion)
      expect(versions).toEqual(versions.map((_, index) => BigInt(index + 1)))
    }
  })
})

describe('readAll and stream order', () => {
  it("keeps a stream's versions in order when an older transaction appends after a younger one", async () => {
    const { db: own, store: isolated } = await freshStore()
    try {
      const streamId = newId()
      const younger = gate()
      const older = isolated.transaction(async (trx) => {
        // Writing first gives this transaction its id before the other one starts.
        await isolated.claimInbox(trx, 'scheduler', newId())
        await younger.promise
        const { version } = await isolated.readStream(streamId, { trx })
        return isolated.appendToStream('job', streamId, [newEvent('second')], {
          expectedVersion: version,
          trx,
        })
      })
      await sleep(20)
      await isolated.appendToStream('job', streamId, [newEvent('first')], { expectedVersion: 'no_stream' })
      younger.open()
      await older

      let all: StoredEvent[] = []
      for (const deadline = Date.now() + 30_000; all.length < 2 && Date.now() < deadline; await sleep(10)) {
        all = await isolated.readAll()
      }
      expect(all.map((event) => [event.type, event.streamVersion])).toEqual([
        ['first', 1n],
        ['second', 2n],
      ])
    } finally {
      await own.destroy()
    }
  })
})
