/**
 * Wall-clock time in milliseconds with sub-millisecond resolution. Every process of a run (the bench,
 * peer workers, the bash of a job) reads the same system clock, so stamps taken in different
 * processes compare directly; `Date.now()` would round to the millisecond.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now()
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `probe` until it answers true; false when `timeoutMs` ran out first. */
export async function pollUntil(
  probe: () => Promise<boolean> | boolean,
  options: { timeoutMs: number; intervalMs: number },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs
  for (;;) {
    if (await probe()) return true
    if (Date.now() >= deadline) return false
    await sleep(options.intervalMs)
  }
}
