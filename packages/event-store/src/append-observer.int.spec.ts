import { newId } from '@taskforge/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppendObservation, EventStore } from './event-store.js'
import { freshStore, newEvent } from './test-support/index.js'
import type { Db } from './types.js'

let db: Db
const seen: AppendObservation[] = []

beforeAll(async () => {
  ;({ db } = await freshStore())
})

afterAll(async () => {
  await db?.destroy()
})

describe('onAppend', () => {
  it('tells every settled append: stream type, events, duration and outcome', async () => {
    const store = new EventStore(db, { onAppend: (observation) => seen.push(observation) })
    const streamId = newId()
    await store.appendToStream('job', streamId, [newEvent('queued'), newEvent('assigned')], {
      expectedVersion: 'no_stream',
    })
    await expect(
      store.appendToStream('job', streamId, [newEvent('queued')], { expectedVersion: 'no_stream' }),
    ).rejects.toThrow()
    await store.transaction((trx) =>
      store.appendToStream('job', streamId, [newEvent('started')], { expectedVersion: 2n, trx }),
    )
    expect(seen.map(({ streamType, events, outcome }) => ({ streamType, events, outcome }))).toEqual([
      { streamType: 'job', events: 2, outcome: 'ok' },
      { streamType: 'job', events: 1, outcome: 'conflict' },
      { streamType: 'job', events: 1, outcome: 'ok' },
    ])
    for (const observation of seen) expect(observation.seconds).toBeGreaterThanOrEqual(0)
  })

  it('never turns an append into a failure when the observer throws', async () => {
    const store = new EventStore(db, {
      onAppend: () => {
        throw new Error('broken observer')
      },
    })
    const result = await store.appendToStream('job', newId(), [newEvent('queued')], {
      expectedVersion: 'no_stream',
    })
    expect(result.nextExpectedVersion).toBe(1n)
  })
})
