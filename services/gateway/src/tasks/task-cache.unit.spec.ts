import { describe, expect, it } from 'vitest'
import { ENTRY_WEIGHT, ORGANIZATION_SHARE, TaskCache, type TaskCacheOptions } from './task-cache.js'

interface Item {
  id: string
  weight: number
}

/** A load whose answer the test gives when it wants, counting the loads started. */
function loads() {
  const pending: ((items: Item[]) => void)[] = []
  let started = 0
  return {
    load: () => {
      started += 1
      return new Promise<Item[]>((resolve) => pending.push(resolve))
    },
    answer(items: Item[]) {
      const next = pending.shift()
      if (next === undefined) throw new Error('no load is waiting')
      next(items)
    },
    get started() {
      return started
    },
  }
}

function cache(options: Partial<TaskCacheOptions<Item>> = {}) {
  let now = 0
  const made = new TaskCache<Item>({
    ttlMs: 5_000,
    maxWeight: 1_000_000,
    maxOrganizations: 100,
    weigh: (item) => item.weight,
    idOf: (item) => item.id,
    now: () => now,
    ...options,
  })
  return { cache: made, advance: (ms: number) => (now += ms) }
}

const item = (id: string, weight = 10): Item => ({ id, weight })
const loaded = (items: Item[]) => async () => items

describe('TaskCache', () => {
  it('answers a kept list from memory, by id too, until it expires', async () => {
    const { cache: tasks, advance } = cache()
    const source = loads()
    const first = tasks.read('acme', source.load)
    source.answer([item('a'), item('b')])
    expect((await first).tasks.map((t) => t.id)).toEqual(['a', 'b'])
    const again = await tasks.read('acme', source.load)
    expect(again.byId.get('b')).toEqual(item('b'))
    expect(source.started).toBe(1)
    advance(5_000)
    const expired = tasks.read('acme', source.load)
    source.answer([item('c')])
    expect((await expired).tasks.map((t) => t.id)).toEqual(['c'])
    expect(source.started).toBe(2)
  })

  it('shares one load between the reads that miss at once', async () => {
    const { cache: tasks } = cache()
    const source = loads()
    const reads = [tasks.read('acme', source.load), tasks.read('acme', source.load)]
    const other = tasks.read('globex', source.load)
    expect(source.started).toBe(2)
    source.answer([item('a')])
    source.answer([item('g')])
    const [one, two] = await Promise.all(reads)
    expect(one).toBe(two)
    expect((await other).tasks.map((t) => t.id)).toEqual(['g'])
  })

  it('does not keep what a load read before the organization was forgotten', async () => {
    const { cache: tasks } = cache()
    const source = loads()
    const before = tasks.read('acme', source.load)
    tasks.forget('acme')
    // A read after the change does not join the load that may predate it.
    const after = tasks.read('acme', source.load)
    expect(source.started).toBe(2)
    source.answer([item('old')])
    source.answer([item('new')])
    expect((await before).tasks.map((t) => t.id)).toEqual(['old'])
    expect((await after).tasks.map((t) => t.id)).toEqual(['new'])
    expect((await tasks.read('acme', source.load)).tasks.map((t) => t.id)).toEqual(['new'])
    expect(source.started).toBe(2)
  })

  it('forgets one organization without the others, or all of them', async () => {
    const { cache: tasks } = cache()
    await tasks.read('acme', loaded([item('a')]))
    await tasks.read('globex', loaded([item('g')]))
    tasks.forget('acme')
    expect((await tasks.read('acme', loaded([item('a2')]))).tasks[0]?.id).toBe('a2')
    expect((await tasks.read('globex', loaded([item('g2')]))).tasks[0]?.id).toBe('g')
    const source = loads()
    const pending = tasks.read('initech', source.load)
    tasks.forgetAll()
    source.answer([item('i')])
    await pending
    expect(tasks.size.organizations).toBe(0)
    expect((await tasks.read('globex', loaded([item('g3')]))).tasks[0]?.id).toBe('g3')
  })

  it('serves nothing while suspended, and keeps nothing a load read before', async () => {
    const { cache: tasks } = cache()
    await tasks.read('acme', loaded([item('a')]))
    const source = loads()
    const pending = tasks.read('globex', source.load)
    tasks.suspend()
    expect(tasks.serves('acme')).toBe(false)
    tasks.resume()
    source.answer([item('g')])
    await pending
    expect(tasks.size.organizations).toBe(0)
    expect(tasks.serves('acme')).toBe(true)
  })

  it('keeps nothing with no expiry', async () => {
    const { cache: tasks } = cache({ ttlMs: 0 })
    expect(tasks.serves('acme')).toBe(false)
    await tasks.read('acme', loaded([item('a')]))
    expect(tasks.size.organizations).toBe(0)
  })

  it('does not keep an organization above its share, only that it is too large', async () => {
    const maxWeight = 16_000 * ORGANIZATION_SHARE
    const { cache: tasks, advance } = cache({ maxWeight })
    const heavy = Array.from({ length: 20 }, (_, i) => item(`h${i}`, 1_000))
    expect((await tasks.read('big', loaded(heavy))).tasks).toHaveLength(20)
    expect(tasks.serves('big')).toBe(false)
    expect(tasks.size.weight).toBe(ENTRY_WEIGHT)
    advance(5_000)
    expect(tasks.serves('big')).toBe(true)
  })

  it('makes room by dropping the oldest lists, by weight and by count', async () => {
    const organizationMax = 10_000
    const { cache: tasks } = cache({ maxWeight: organizationMax * ORGANIZATION_SHARE, maxOrganizations: 3 })
    const heavy = (name: string) => [item(name, organizationMax - ENTRY_WEIGHT)]
    for (const name of ['a', 'b', 'c', 'd']) await tasks.read(name, loaded(heavy(name)))
    expect(tasks.size.organizations).toBe(3)
    const fresh = loads()
    const a = tasks.read('a', fresh.load)
    expect(fresh.started).toBe(1)
    fresh.answer(heavy('a'))
    await a
    await tasks.read('d', () => Promise.reject(new Error('d is kept')))
    expect(tasks.size.weight).toBeLessThanOrEqual(organizationMax * ORGANIZATION_SHARE)

    const { cache: byWeight } = cache({ maxWeight: 2_000 * ORGANIZATION_SHARE, maxOrganizations: 100 })
    for (let i = 0; i < 20; i++) await byWeight.read(`o${i}`, loaded([item(`t${i}`, 2_000 - ENTRY_WEIGHT)]))
    expect(byWeight.size).toEqual({ organizations: ORGANIZATION_SHARE, weight: 2_000 * ORGANIZATION_SHARE })
    await byWeight.read('o19', () => Promise.reject(new Error('o19 is kept')))
  })

  it('lets every read of a failed load fail, and the next read load again', async () => {
    const { cache: tasks } = cache()
    let calls = 0
    const failing = async () => {
      calls += 1
      throw new Error('catalog down')
    }
    await expect(Promise.all([tasks.read('acme', failing), tasks.read('acme', failing)])).rejects.toThrow(
      'catalog down',
    )
    expect(calls).toBe(1)
    expect((await tasks.read('acme', loaded([item('a')]))).tasks).toHaveLength(1)
  })
})
