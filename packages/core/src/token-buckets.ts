/** The rate one key may spend at: `perSecond` on average, `burst` at once. */
export interface TokenRate {
  perSecond: number
  burst: number
}

/**
 * A token bucket per key (a bot, say): each key may spend `burst` at once and `perSecond` on
 * average; what exceeds it is refused, without any effect on other keys. Time is given, never
 * read. Keys silent long enough to be full again are forgotten, so that memory stays within
 * `maxKeys` whatever keys are seen.
 *
 * @example
 * const buckets = new TokenBuckets({ perSecond: 2, burst: 10 })
 * if (!buckets.take(botId, Date.now())) dropped.inc()
 */
export class TokenBuckets {
  readonly #rate: TokenRate
  readonly #maxKeys: number
  readonly #buckets = new Map<string, { tokens: number; atMs: number }>()

  constructor(rate: TokenRate, options: { maxKeys?: number } = {}) {
    if (!(rate.perSecond > 0) || !(rate.burst >= 1))
      throw new Error('a token rate needs perSecond > 0 and burst >= 1')
    this.#rate = rate
    this.#maxKeys = options.maxKeys ?? 100_000
  }

  /** Takes one token of `key` at `nowMs`: true when it had one. */
  take(key: string, nowMs: number): boolean {
    const { perSecond, burst } = this.#rate
    const bucket = this.#buckets.get(key)
    const tokens =
      bucket === undefined
        ? burst
        : Math.min(burst, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) * perSecond) / 1_000)
    if (bucket === undefined && this.#buckets.size >= this.#maxKeys) this.#forgetFull(nowMs)
    if (tokens < 1) {
      this.#buckets.set(key, { tokens, atMs: nowMs })
      return false
    }
    this.#buckets.set(key, { tokens: tokens - 1, atMs: nowMs })
    return true
  }

  /** Whether `key` has a token at `nowMs`, without taking it. */
  has(key: string, nowMs: number): boolean {
    const bucket = this.#buckets.get(key)
    if (bucket === undefined) return true
    const { perSecond, burst } = this.#rate
    return Math.min(burst, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) * perSecond) / 1_000) >= 1
  }

  /** Keys tracked now. */
  get size(): number {
    return this.#buckets.size
  }

  /** Drops the buckets that are full again (they behave as unknown keys); all of them if none is. */
  #forgetFull(nowMs: number): void {
    const { perSecond, burst } = this.#rate
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((nowMs - bucket.atMs) * perSecond) / 1_000 >= burst) this.#buckets.delete(key)
    }
    if (this.#buckets.size >= this.#maxKeys) this.#buckets.clear()
  }
}
