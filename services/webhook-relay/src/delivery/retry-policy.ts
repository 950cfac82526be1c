import { toMillis } from '@taskforge/core'

/**
 * The Standard Webhooks schedule: the wait before each attempt, the first one at once. Ten
 * attempts over about three days.
 */
export const STANDARD_SCHEDULE = ['0', '5s', '5m', '30m', '2h', '5h', '10h', '14h', '20h', '24h'] as const

export interface RetryPolicy {
  /** Milliseconds to wait before attempt n+1; its length is the number of attempts. */
  scheduleMs: readonly number[]
  /** Spread of each wait, as a fraction (0.1: ±10 %), so that receivers coming back are not stampeded. */
  jitter: number
  /** The most a `Retry-After` may postpone an attempt. */
  maxRetryAfterMs: number
}

/** Parses a schedule given as durations (`0,5s,5m,...`); throws on an empty or malformed one. */
export function parseSchedule(items: readonly string[]): number[] {
  if (items.length === 0) throw new Error('a retry schedule needs at least one attempt')
  return items.map((item) => toMillis(item))
}

export function retryPolicy(scheduleMs: readonly number[], jitter = 0.1): RetryPolicy {
  return { scheduleMs, jitter, maxRetryAfterMs: 24 * 3_600_000 }
}

/**
 * The wait before the next attempt after `attemptsMade` failed ones, or undefined when the schedule
 * is used up. A receiver's `Retry-After` is honoured: the wait is never shorter than it asks (within
 * `maxRetryAfterMs`).
 */
export function nextDelayMs(
  policy: RetryPolicy,
  attemptsMade: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number | undefined {
  const planned = policy.scheduleMs[attemptsMade]
  if (planned === undefined) return undefined
  const jittered = Math.round(planned * (1 + (random() * 2 - 1) * policy.jitter))
  const asked = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, policy.maxRetryAfterMs)
  return Math.max(jittered, asked, 0)
}

/** `Retry-After` as milliseconds: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
