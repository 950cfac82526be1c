import { describe, expect, it } from 'vitest'
import {
  ENTRY_WEIGHT,
  ORGANIZATION_SHARE,
  OrganizationCache,
  type OrganizationCacheOptions,
} from './organization-cache.js'

interface Item {
  id: string
  weight: number
}

/** A load whose answer the test gives when it wants, counting the loads started. */
function loads() {
  const pending: ((item: Item) => void)[] = []
  let started = 0
  return {
    load: () => {
      started += 1
      return new Promise<Item>((resolve) => pending.push(resolve))
    },
    answer(item: Item) {
      const next = pending.shift()
      if (next === undefined) throw new Error('no load is waiting')
      next(item)
    },
    get started() {
      return started
    },
  }
}

function cache(options: Partial<OrganizationCacheOptions<Item>> = {}) {
  let now = 0
  const made = new OrganizationCache<Item>({
    ttlMs: 5_000,
    maxWeight: 1_000_000,
    maxEntries: 100,
    weigh: (item) => item.weight,
    now: () => now,
    ...options,
  })
  return { cache: made, advance: (ms: number) => (now += ms) }
}

const item = (id: string, weight = 10): Item => ({ id, weight })
const loaded = (value: Item) => async () => value
const kept = () => Promise.reject(new Error('expected a kept value'))

describe('OrganizationCache', () => {
  it('answers a kept value from memory until it expires', async () => {
    const { cache: values, advance } = cache()
    const source = loads()
    const first = values.read('acme', 'k', source.load)
    source.answer(item('a'))
    expect((await first).id).toBe('a')
    expect((await values.read('acme', 'k', source.load)).id).toBe('a')
    expect(source.started).toBe(1)
    advance(5_000)
    const expired = values.read('acme', 'k', source.load)
    source.answer(item('b'))
    expect((await expired).id).toBe('b')
    expect(source.started).toBe(2)
  })

  it('shares one load between the reads of a key that miss at once', async () => {
    const { cache: values } = cache()
    const source = loads()
    const reads = [values.read('acme', 'k', source.load), values.read('acme', 'k', source.load)]
    const otherKey = values.read('acme', 'j', source.load)
    const otherOrganization = values.read('globex', 'k', source.load)
    expect(source.started).toBe(3)
    source.answer(item('a'))
    source.answer(item('j'))
    source.answer(item('g'))
    const [one, two] = await Promise.all(reads)
    expect(one).toBe(two)
    expect((await otherKey).id).toBe('j')
    expect((await otherOrganization).id).toBe('g')
  })

  it('does not keep what a load read before its organization was forgotten', async () => {
    const { cache: values } = cache()
    const source = loads()
    const before = values.read('acme', 'k', source.load)
    values.forget('acme')
    // A read after the change does not join the load that may predate it.
    const after = values.read('acme', 'k', source.load)
    expect(source.started).toBe(2)
    source.answer(item('old'))
    source.answer(item('new'))
    expect((await before).id).toBe('old')
    expect((await after).id).toBe('new')
    expect((await values.read('acme', 'k', source.load)).id).toBe('new')
    expect(source.started).toBe(2)
  })

  it("forgets every key of one organization without the others', or everything", async () => {
    const { cache: values } = cache()
    await values.read('acme', 'k', loaded(item('a')))
    await values.read('acme', 'j', loaded(item('aj')))
    await values.read('globex', 'k', loaded(item('g')))
    values.forget('acme')
    expect((await values.read('acme', 'k', loaded(item('a2')))).id).toBe('a2')
    expect((await values.read('acme', 'j', loaded(item('aj2')))).id).toBe('aj2')
    expect((await values.read('globex', 'k', kept)).id).toBe('g')
    const source = loads()
    const pending = values.read('initech', 'k', source.load)
    values.forgetAll()
    source.answer(item('i'))
    await pending
    expect(values.size).toEqual({ entries: 0, organizations: 0, weight: 0 })
    expect((await values.read('globex', 'k', loaded(item('g3')))).id).toBe('g3')
  })

  it('serves nothing while suspended, and keeps nothing a load read before', async () => {
    const { cache: values } = cache()
    await values.read('acme', 'k', loaded(item('a')))
    const source = loads()
    const pending = values.read('globex', 'k', source.load)
    values.suspend()
    expect(values.serves('acme', 'k')).toBe(false)
    values.resume()
    source.answer(item('g'))
    await pending
    expect(values.size.entries).toBe(0)
    expect(values.serves('acme', 'k')).toBe(true)
  })

  it('keeps nothing with no expiry', async () => {
    const { cache: values } = cache({ ttlMs: 0 })
    expect(values.serves('acme', 'k')).toBe(false)
    await values.read('acme', 'k', loaded(item('a')))
    expect(values.size.entries).toBe(0)
  })

  it('does not keep a value above its organization share, only that it is too large', async () => {
    const { cache: values, advance } = cache({ maxWeight: 16_000 * ORGANIZATION_SHARE })
    expect((await values.read('big', 'k', loaded(item('h', 20_000)))).id).toBe('h')
    expect(values.serves('big', 'k')).toBe(false)
    expect(values.serves('big', 'other')).toBe(true)
    expect(values.size.weight).toBe(ENTRY_WEIGHT)
    advance(5_000)
    expect(values.serves('big', 'k')).toBe(true)
  })

  it('makes an organization at its share push out its own oldest values, not the others', async () => {
    const share = 10_000
    const { cache: values } = cache({ maxWeight: share * ORGANIZATION_SHARE, maxEntries: 1_000 })
    const half = share / 2 - ENTRY_WEIGHT
    await values.read('quiet', 'k', loaded(item('q', half)))
    for (let i = 0; i < 50; i++) await values.read('noisy', `k${i}`, loaded(item(`n${i}`, half)))
    expect((await values.read('quiet', 'k', kept)).id).toBe('q')
    expect((await values.read('noisy', 'k49', kept)).id).toBe('n49')
    expect((await values.read('noisy', 'k48', kept)).id).toBe('n48')
    expect(values.serves('noisy', 'k0')).toBe(true)
    expect(values.size.entries).toBe(3)
  })

  it('makes room by dropping the oldest values, by weight and by count', async () => {
    const share = 10_000
    const { cache: byCount } = cache({ maxWeight: share * ORGANIZATION_SHARE, maxEntries: 3 })
    for (const name of ['a', 'b', 'c', 'd']) await byCount.read(name, 'k', loaded(item(name, 100)))
    expect(byCount.size.entries).toBe(3)
    const fresh = loads()
    const a = byCount.read('a', 'k', fresh.load)
    expect(fresh.started).toBe(1)
    fresh.answer(item('a'))
    await a
    expect((await byCount.read('d', 'k', kept)).id).toBe('d')

    const { cache: byWeight } = cache({ maxWeight: 2_000 * ORGANIZATION_SHARE, maxEntries: 100 })
    for (let i = 0; i < 20; i++)
      await byWeight.read(`o${i}`, 'k', loaded(item(`t${i}`, 2_000 - ENTRY_WEIGHT)))
    expect(byWeight.size).toEqual({
      entries: ORGANIZATION_SHARE,
      organizations: ORGANIZATION_SHARE,
      weight: 2_000 * ORGANIZATION_SHARE,
    })
    expect((await byWeight.read('o19', 'k', kept)).id).toBe('t19')
  })

  it('lets every read of a failed load fail, and the next read load again', async () => {
    const { cache: values } = cache()
    let calls = 0
    const failing = async (): Promise<Item> => {
      calls += 1
      throw new Error('owner down')
    }
    await expect(
      Promise.all([values.read('acme', 'k', failing), values.read('acme', 'k', failing)]),
    ).rejects.toThrow('owner down')
    expect(calls).toBe(1)
    expect((await values.read('acme', 'k', loaded(item('a')))).id).toBe('a')
  })
})
