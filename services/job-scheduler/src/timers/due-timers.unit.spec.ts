import { createLogger } from '@taskforge/telemetry'
import { describe, expect, it } from 'vitest'
import {
  type DueTimerSkip,
  type DueTimerSource,
  DueTimers,
  type FireReport,
  NOTHING_DUE,
} from './due-timers.js'

const logger = createLogger('due-timers-test')
logger.level = 'silent'

/**
 * A table of due timers in memory, claimed `perClaim` at a time; records how many claims ran at
 * once. Each claim yields to the event loop, as a transaction would.
 */
function timersInMemory(due: { key: string; customer: string }[], perClaim: number) {
  const left = [...due]
  let running = 0
  const seen = { claims: 0, mostAtOnce: 0, skips: [] as DueTimerSkip[] }
  const source: DueTimerSource = {
    name: 'test timers',
    async msUntilNext() {
      return undefined
    },
    async fireDue(_at, skip): Promise<FireReport> {
      running += 1
      seen.claims += 1
      seen.mostAtOnce = Math.max(seen.mostAtOnce, running)
      seen.skips.push({ keys: [...skip.keys], customers: [...skip.customers] })
      await new Promise((resolve) => setTimeout(resolve, 5))
      const taken = left.splice(0, perClaim)
      running -= 1
      if (taken.length === 0) return NOTHING_DUE
      return { fired: taken.map((timer) => timer.customer), failed: [], full: taken.length === perClaim }
    },
  }
  return { source, seen }
}

const timers = (count: number, customer = 'acme') =>
  Array.from({ length: count }, (_, index) => ({ key: `${customer}-${index}`, customer }))

describe('DueTimers', () => {
  it('fires timers due together in one claim when it takes them all', async () => {
    const { source, seen } = timersInMemory(timers(17), 64)
    const loop = new DueTimers(source, { logger, maxSleepMs: 1000, concurrency: 4 })
    expect(await loop.fireDue()).toBe(17)
    expect(seen.mostAtOnce).toBe(1)
    // The claim, and the one that finds nothing left.
    expect(seen.claims).toBe(2)
  })

  it('starts claims beside a full one, up to the concurrency, and fires every timer once', async () => {
    const { source, seen } = timersInMemory(timers(40), 4)
    const loop = new DueTimers(source, { logger, maxSleepMs: 1000, concurrency: 3 })
    expect(await loop.fireDue()).toBe(40)
    expect(seen.mostAtOnce).toBe(3)
  })

  it('gives the next claim the organizations served in this pass, to take last', async () => {
    const { source, seen } = timersInMemory([...timers(2, 'flood'), ...timers(1, 'quiet')], 1)
    const loop = new DueTimers(source, { logger, maxSleepMs: 1000, concurrency: 1 })
    expect(await loop.fireDue()).toBe(3)
    expect(seen.skips.map((skip) => skip.customers)).toEqual([[], ['flood'], ['flood'], ['flood', 'quiet']])
  })
})
