import { describe, expect, it } from 'vitest'
import { toMillis } from './duration.js'
import { idTime, isId, newId, newSecret } from './ids.js'

describe('ids', () => {
  it('makes time-ordered v7 uuids', () => {
    const a = newId(1_700_000_000_000)
    const b = newId(1_700_000_000_001)
    expect(isId(a)).toBe(true)
    expect(a[14]).toBe('7')
    expect(a < b).toBe(true)
  })
  it('sorts the ids it makes now in the order it made them, within one millisecond too', () => {
    const ids = Array.from({ length: 10_000 }, () => newId())
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.every(isId)).toBe(true)
    for (const id of ids.slice(0, 100)) expect(Math.abs(idTime(id)! - Date.now())).toBeLessThan(60_000)
  })
  it('reads back when a v7 uuid was made, and nothing from other ids', () => {
    expect(idTime(newId(1_700_000_000_123))).toBe(1_700_000_000_123)
    expect(idTime('6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBeUndefined()
    expect(idTime('local')).toBeUndefined()
  })
  it('makes 64 hex character secrets', () => {
    expect(newSecret()).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('durations', () => {
  it('normalises strings and numbers to milliseconds', () => {
    expect(toMillis('30s')).toBe(30_000)
    expect(toMillis('250ms')).toBe(250)
    expect(toMillis('5m')).toBe(300_000)
    expect(toMillis(1500)).toBe(1500)
    expect(() => toMillis('soon')).toThrow(RangeError)
  })
})
