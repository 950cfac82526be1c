import { describe, expect, it } from 'vitest'
import type { Caller } from './accounts.js'
import { TokenCache } from './token-cache.js'

const caller: Caller = {
  kind: 'token',
  customer: 'acme',
  role: 'user',
  name: 'ci',
  tokenId: 't1',
  tags: ['a:b'],
}

describe('TokenCache', () => {
  it('answers a kept caller until it expires', () => {
    let now = 1_000
    const cache = new TokenCache({ ttlMs: 100, now: () => now })
    cache.set('h', caller, cache.generation)
    expect(cache.get('h')).toEqual(caller)
    expect(cache.get('other')).toBeUndefined()
    now += 100
    expect(cache.get('h')).toBeUndefined()
  })

  it('forgets everything on clear, and drops an answer read before the clear', () => {
    const cache = new TokenCache()
    cache.set('h', caller, cache.generation)
    const before = cache.generation
    cache.clear()
    expect(cache.get('h')).toBeUndefined()
    cache.set('h', caller, before)
    expect(cache.get('h')).toBeUndefined()
    cache.set('h', caller, cache.generation)
    expect(cache.get('h')).toEqual(caller)
  })

  it('stays bounded and keeps callers it cannot be made to change', () => {
    const cache = new TokenCache({ maxEntries: 2 })
    cache.set('a', caller, cache.generation)
    cache.set('b', caller, cache.generation)
    cache.set('c', caller, cache.generation)
    expect(cache.get('a')).toBeUndefined()
    expect(cache.get('c')).toEqual(caller)
    expect(Object.isFrozen(cache.get('c'))).toBe(true)
    expect(Object.isFrozen(cache.get('c')?.tags)).toBe(true)
  })

  it('keeps nothing with a ttl of 0', () => {
    const cache = new TokenCache({ ttlMs: 0 })
    cache.set('h', caller, cache.generation)
    expect(cache.get('h')).toBeUndefined()
  })
})
