import { describe, expect, it } from 'vitest'
import {
  nextDelayMs,
  parseRetryAfter,
  parseSchedule,
  retryPolicy,
  STANDARD_SCHEDULE,
} from './retry-policy.js'

const standard = retryPolicy(parseSchedule(STANDARD_SCHEDULE))
const middle = () => 0.5

describe('retry policy', () => {
  it('follows the Standard Webhooks schedule: at once, 5 s, 5 min, ... 24 h, then gives up', () => {
    const waits = Array.from({ length: 11 }, (_, made) => nextDelayMs(standard, made, undefined, middle))
    expect(waits).toEqual([
      0,
      5_000,
      300_000,
      1_800_000,
      7_200_000,
      18_000_000,
      36_000_000,
      50_400_000,
      72_000_000,
      86_400_000,
      undefined,
    ])
    const total = waits.reduce<number>((sum, wait) => sum + (wait ?? 0), 0)
    expect(total).toBeGreaterThan(3 * 86_400_000)
  })

  it('spreads each wait by the jitter, never below zero', () => {
    expect(nextDelayMs(standard, 2, undefined, () => 0)).toBe(270_000)
    expect(nextDelayMs(standard, 2, undefined, () => 1)).toBe(330_000)
    expect(nextDelayMs(standard, 0, undefined, () => 0)).toBe(0)
  })

  it('waits at least what Retry-After asks, within a day', () => {
    expect(nextDelayMs(standard, 1, 60_000, middle)).toBe(60_000)
    expect(nextDelayMs(standard, 2, 60_000, middle)).toBe(300_000)
    expect(nextDelayMs(standard, 1, 10 * 86_400_000, middle)).toBe(86_400_000)
    expect(nextDelayMs(standard, 10, 60_000, middle)).toBeUndefined()
  })

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })

  it('parses a schedule of durations and refuses an empty or malformed one', () => {
    expect(parseSchedule(['0', '200ms', '1s'])).toEqual([0, 200, 1000])
    expect(() => parseSchedule([])).toThrow(/at least one/)
    expect(() => parseSchedule(['soon'])).toThrow()
  })
})
