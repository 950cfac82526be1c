import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TokenBuckets } from './token-buckets.js'

describe('TokenBuckets', () => {
  it('lets a key spend its burst at once, then its rate', () => {
    const buckets = new TokenBuckets({ perSecond: 2, burst: 3 })
    expect([0, 0, 0, 0].map(() => buckets.take('a', 0))).toEqual([true, true, true, false])
    expect(buckets.take('a', 499)).toBe(false)
    expect(buckets.take('a', 500)).toBe(true)
    expect(buckets.take('a', 500)).toBe(false)
  })

  it('tells whether a key has a token without spending it', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 })
    expect(buckets.has('a', 0)).toBe(true)
    expect(buckets.has('a', 0)).toBe(true)
    expect(buckets.take('a', 0)).toBe(true)
    expect(buckets.has('a', 999)).toBe(false)
    expect(buckets.has('a', 1_000)).toBe(true)
    expect(buckets.take('a', 1_000)).toBe(true)
  })

  it("keeps one key's spending from touching another's", () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 2 })
    for (let i = 0; i < 1_000; i++) buckets.take('flood', 0)
    expect(buckets.take('quiet', 0)).toBe(true)
    expect(buckets.take('quiet', 0)).toBe(true)
  })

  it('never lets a key take more than burst + rate × time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 10 }),
        (gaps, perSecond, burst) => {
          const buckets = new TokenBuckets({ perSecond, burst })
          let now = 0
          let taken = 0
          for (const gap of gaps) {
            now += gap
            if (buckets.take('k', now)) taken++
          }
          expect(taken).toBeLessThanOrEqual(burst + Math.floor((now * perSecond) / 1_000))
        },
      ),
    )
  })

  it('stays within maxKeys whatever keys come', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, { maxKeys: 10 })
    for (let i = 0; i < 1_000; i++) buckets.take(`k${i}`, i)
    expect(buckets.size).toBeLessThanOrEqual(10)
  })
})
