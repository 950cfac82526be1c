import type { EventStore, StoredEvent } from '@taskforge/event-store'
import { describe, expect, it } from 'vitest'
import { encodeBotEvent } from './bot-events.js'
import { BotOwners } from './bot-owners.js'

const botId = '0190a5c4-2f1e-7c3a-9b1d-5e6f7a8b9c0d'
const registered = encodeBotEvent(
  {
    $case: 'registered',
    value: { botId, customer: 'acme', name: 'b1', secretHash: 'x'.repeat(64), natsUser: '' },
  },
  { customer: 'acme', author: 'test' },
)

function fakeStore(streams: Map<string, { data: Uint8Array }[]>) {
  let reads = 0
  const store = {
    async readStream(id: string) {
      reads += 1
      const events = (streams.get(id) ?? []).map((e, i) => ({ ...e, eventId: `e${i}` }) as StoredEvent)
      return { events, version: BigInt(events.length) }
    },
  } as unknown as EventStore
  return { store, reads: () => reads }
}

describe('BotOwners', () => {
  it('reads a registered bot once, and an unknown one every time', async () => {
    const streams = new Map<string, { data: Uint8Array }[]>()
    const { store, reads } = fakeStore(streams)
    const owners = new BotOwners(store)
    expect(await owners.ownerOf(botId)).toBeUndefined()
    streams.set(botId, [registered])
    expect(await owners.ownerOf(botId)).toBe('acme')
    expect(await owners.ownerOf(botId)).toBe('acme')
    expect(reads()).toBe(2)
    expect(await owners.ownerOf('not-an-id')).toBeUndefined()
    expect(reads()).toBe(2)
  })
})
