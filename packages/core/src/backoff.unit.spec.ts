import { describe, expect, it } from 'vitest'
import { Backoff, backoffDelay } from './backoff.js'

describe('backoffDelay', () => {
  it('doubles from the first delay and stops at the cap', () => {
    const policy = { initialMs: 250, maxMs: 5_000 }
    expect([0, 1, 2, 3, 4, 5, 6].map((failures) => backoffDelay(policy, failures))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 5_000, 5_000,
    ])
  })

  it('stays at the cap however many failures, and treats a negative count as none', () => {
    const policy = { initialMs: 1_000, maxMs: 30_000 }
    expect(backoffDelay(policy, 10_000)).toBe(30_000)
    expect(backoffDelay(policy, -3)).toBe(1_000)
  })

  it('takes up to the jitter fraction off each delay, never adding to it', () => {
    const policy = { initialMs: 1_000, maxMs: 8_000, jitter: 0.5 }
    expect(backoffDelay(policy, 1, () => 0)).toBe(2_000)
    expect(backoffDelay(policy, 1, () => 0.999_999)).toBe(1_000)
    expect(backoffDelay(policy, 9, () => 0.5)).toBe(6_000)
  })

  it('grows by another factor when asked', () => {
    expect(backoffDelay({ initialMs: 20, maxMs: 2_000, factor: 3 }, 2)).toBe(180)
  })
})

describe('Backoff', () => {
  it('counts failures until reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 5_000 })
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400])
    expect(backoff.failures).toBe(3)
    backoff.reset()
    expect(backoff.next()).toBe(100)
  })
})
