import { describe, expect, it } from 'vitest'
import { isOnline, ONLINE_WINDOW_MS, PresenceThrottle } from './presence-policy.js'

describe('isOnline', () => {
  const now = new Date('2025-01-01T00:01:00Z')
  it('is online within three heartbeat intervals', () => {
    expect(isOnline(new Date(now.getTime() - ONLINE_WINDOW_MS), now)).toBe(true)
    expect(isOnline(new Date(now.getTime() - 1_000), now)).toBe(true)
  })
  it('is offline after that or when never seen', () => {
    expect(isOnline(new Date(now.getTime() - ONLINE_WINDOW_MS - 1), now)).toBe(false)
    expect(isOnline(undefined, now)).toBe(false)
  })
})

describe('PresenceThrottle', () => {
  it('writes the first heartbeat of a bot, then at most one per interval', () => {
    const throttle = new PresenceThrottle(5_000)
    expect(throttle.shouldWrite('a', 0, 0)).toBe(true)
    expect(throttle.shouldWrite('a', 4_999, 0)).toBe(false)
    expect(throttle.shouldWrite('b', 4_999, 0)).toBe(true)
    expect(throttle.shouldWrite('a', 5_000, 0)).toBe(true)
  })
  it('writes at once when the running jobs changed', () => {
    const throttle = new PresenceThrottle(5_000)
    throttle.shouldWrite('a', 0, 0)
    expect(throttle.shouldWrite('a', 1_000, 2)).toBe(true)
    expect(throttle.shouldWrite('a', 2_000, 2)).toBe(false)
  })
  it('writes again after forgetting a bot', () => {
    const throttle = new PresenceThrottle(5_000)
    throttle.shouldWrite('a', 0, 0)
    throttle.forget('a')
    expect(throttle.shouldWrite('a', 1, 0)).toBe(true)
  })
})
