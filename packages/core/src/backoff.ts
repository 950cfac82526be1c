/** How a retry loop spaces its attempts: exponential from `initialMs`, capped at `maxMs`. */
export interface BackoffPolicy {
  /** The delay before the first retry. */
  readonly initialMs: number
  /** No delay is longer. */
  readonly maxMs: number
  /** Growth per failure (default 2). */
  readonly factor?: number
  /**
   * Up to this fraction of each delay is taken off at random (0 to 1, default 0), so that many
   * clients that lost the same server do not all come back in the same instant.
   */
  readonly jitter?: number
}

/**
 * The delay before retry number `failures + 1`, after `failures` failures in a row (0 for the
 * first retry): `initialMs * factor^failures`, capped at `maxMs`, less its jitter.
 *
 * @example
 * backoffDelay({ initialMs: 250, maxMs: 5_000 }, 3) // 2_000
 */
export function backoffDelay(
  policy: BackoffPolicy,
  failures: number,
  random: () => number = Math.random,
): number {
  const factor = policy.factor ?? 2
  const exponent = Math.max(0, failures)
  // Past the cap the power only grows: stop computing it before it overflows.
  const planned = exponent > 64 ? policy.maxMs : Math.min(policy.maxMs, policy.initialMs * factor ** exponent)
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? 0))
  return jitter === 0 ? planned : Math.round(planned * (1 - jitter * random()))
}

/**
 * A retry loop's running backoff: `next()` answers the delay to wait after a failure and counts it,
 * `reset()` after a success starts again from `initialMs`.
 *
 * @example
 * const backoff = new Backoff({ initialMs: 100, maxMs: 5_000, jitter: 0.2 })
 * for (;;) {
 *   try { await connect(); backoff.reset(); break } catch { await sleep(backoff.next()) }
 * }
 */
export class Backoff {
  readonly #policy: BackoffPolicy
  readonly #random: () => number
  #failures = 0

  constructor(policy: BackoffPolicy, random: () => number = Math.random) {
    this.#policy = policy
    this.#random = random
  }

  /** Failures in a row so far. */
  get failures(): number {
    return this.#failures
  }

  /** The delay to wait after this failure. */
  next(): number {
    const delay = backoffDelay(this.#policy, this.#failures, this.#random)
    this.#failures += 1
    return delay
  }

  reset(): void {
    this.#failures = 0
  }
}
