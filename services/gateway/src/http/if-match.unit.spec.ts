import { describe, expect, it } from 'vitest'
import { etagOf, expectedVersion } from './if-match.js'

describe('If-Match', () => {
  it('asks for no version when absent or *', () => {
    expect(expectedVersion(undefined)).toBe(0)
    expect(expectedVersion('')).toBe(0)
    expect(expectedVersion('*')).toBe(0)
  })

  it('reads the ETag we answer, weak tags, bare numbers and the first of a list', () => {
    expect(expectedVersion(etagOf(3))).toBe(3)
    expect(expectedVersion('W/"4"')).toBe(4)
    expect(expectedVersion('5')).toBe(5)
    expect(expectedVersion('"6", "7"')).toBe(6)
    expect(expectedVersion(['"8"'])).toBe(8)
  })

  it('answers 412 for tags that can be no version of ours', () => {
    for (const tag of ['"abc"', '"0"', '"9999999999"', 'W/']) {
      expect(() => expectedVersion(tag)).toThrow(expect.objectContaining({ httpStatus: 412 }))
    }
  })
})
