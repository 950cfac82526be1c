import { describe, expect, it } from 'vitest'
import { nakDelayMs } from './nak-delay.js'

describe('nakDelayMs', () => {
  it('doubles from 1s and stops at 30s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100].map(nakDelayMs)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ])
    expect(nakDelayMs(0)).toBe(1_000)
  })
})
