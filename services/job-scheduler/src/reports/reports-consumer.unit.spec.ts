import { describe, expect, it } from 'vitest'
import { earlyReportDelayMs } from './reports-consumer.js'

describe('earlyReportDelayMs', () => {
  it('starts short, for a predecessor another replica is applying, and backs off to a bound', () => {
    expect([1, 2, 3, 4].map(earlyReportDelayMs)).toEqual([20, 40, 80, 160])
    expect(earlyReportDelayMs(8)).toBe(2_000)
    expect(earlyReportDelayMs(1_000)).toBe(2_000)
  })
})
