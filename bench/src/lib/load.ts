import { sleep, wallClockMs } from './clock.js'

/**
 * Open-loop arrivals: the i-th call is due at `start + i / rate`, whatever the previous calls are
 * doing, so a slow system is charged for the wait of every arrival (no coordinated omission).
 * `fire` gets the intended wall-clock time; latencies are measured from it. Answers once every call
 * has settled, with the count of calls that failed.
 */
export async function openLoop(options: {
  rate: number
  count: number
  fire(index: number, intendedAtMs: number): Promise<void>
}): Promise<{ failures: number; errors: string[]; latestStartLagMs: number }> {
  const intervalMs = 1000 / options.rate
  const start = wallClockMs() + 5
  const inFlight: Promise<void>[] = []
  const errors: string[] = []
  let latestStartLagMs = 0
  let next = 0
  while (next < options.count) {
    const now = wallClockMs()
    while (next < options.count && start + next * intervalMs <= now) {
      const intended = start + next * intervalMs
      latestStartLagMs = Math.max(latestStartLagMs, now - intended)
      inFlight.push(
        options.fire(next, intended).catch((error: unknown) => {
          if (errors.length < 5) errors.push((error as Error).message)
          throw error
        }),
      )
      next += 1
    }
    if (next < options.count) await sleep(Math.max(0, start + next * intervalMs - wallClockMs()))
  }
  const settled = await Promise.allSettled(inFlight)
  return {
    failures: settled.filter((result) => result.status === 'rejected').length,
    errors,
    latestStartLagMs,
  }
}

/**
 * Closed loop: `workers` callers each run `call` again as soon as their previous one returned,
 * until `count` calls were made. Answers the failures.
 */
export async function closedLoop(options: {
  workers: number
  count: number
  call(index: number): Promise<void>
}): Promise<{ failures: number; errors: string[] }> {
  let next = 0
  let failures = 0
  const errors: string[] = []
  const worker = async () => {
    while (next < options.count) {
      const index = next
      next += 1
      try {
        await options.call(index)
      } catch (error) {
        failures += 1
        if (errors.length < 5) errors.push((error as Error).message)
      }
    }
  }
  await Promise.all(Array.from({ length: options.workers }, worker))
  return { failures, errors }
}
