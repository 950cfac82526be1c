import { isAppError } from '@taskforge/core'
import { describe, expect, it } from 'vitest'
import { cronTimes, instantsOf } from './cron-times.js'

const iso = (dates: readonly Date[]) => dates.map((date) => date.toISOString())
const at = (text: string) => new Date(text)

function refusal(run: () => unknown): { code: string; field: unknown } {
  try {
    run()
  } catch (error) {
    if (isAppError(error)) return { code: error.code, field: error.details?.field }
    throw error
  }
  throw new Error('expected a refusal')
}

describe('cronTimes', () => {
  it('reads 5 fields in UTC by default and 6 fields with seconds', () => {
    expect(iso(cronTimes('0 3 * * *', 'UTC').take(at('2026-01-01T05:00:00Z'), 2))).toEqual([
      '2026-01-02T03:00:00.000Z',
      '2026-01-03T03:00:00.000Z',
    ])
    expect(iso(cronTimes('*/20 * * * * *', 'UTC').take(at('2026-01-01T00:00:05Z'), 3))).toEqual([
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:01:00.000Z',
    ])
  })

  it('refuses a cron that is not 5 or 6 valid fields, and a zone that is not IANA', () => {
    expect(refusal(() => cronTimes('* * * *', 'UTC'))).toEqual({ code: 'VALIDATION_FAILED', field: 'cron' })
    expect(refusal(() => cronTimes('* * * * * * *', 'UTC'))).toEqual({
      code: 'VALIDATION_FAILED',
      field: 'cron',
    })
    expect(refusal(() => cronTimes('61 * * * *', 'UTC'))).toEqual({
      code: 'VALIDATION_FAILED',
      field: 'cron',
    })
    expect(refusal(() => cronTimes('@daily', 'UTC'))).toEqual({ code: 'VALIDATION_FAILED', field: 'cron' })
    expect(refusal(() => cronTimes('* * * * *', 'Mars/Olympus'))).toEqual({
      code: 'VALIDATION_FAILED',
      field: 'timezone',
    })
  })

  it('answers no fire for a cron that never matches', () => {
    expect(cronTimes('0 0 30 2 *', 'UTC').next(at('2026-01-01T00:00:00Z'))).toBeUndefined()
  })

  it('finds the instants of a wall time: one, two in an overlap, none in a gap with the gap end', () => {
    const wall = (text: string) => Date.parse(`${text}Z`)
    expect(instantsOf(wall('2026-07-01T12:00:00'), 'Europe/Berlin').instants).toEqual([
      Date.parse('2026-07-01T10:00:00Z'),
    ])
    expect(instantsOf(wall('2026-10-25T02:30:00'), 'Europe/Berlin').instants).toEqual([
      Date.parse('2026-10-25T00:30:00Z'),
      Date.parse('2026-10-25T01:30:00Z'),
    ])
    expect(instantsOf(wall('2026-03-29T02:30:00'), 'Europe/Berlin')).toEqual({
      instants: [],
      gapEnd: Date.parse('2026-03-29T01:00:00Z'),
    })
  })

  describe('America/New_York', () => {
    const ny = (cron: string, from: string, count: number) =>
      iso(cronTimes(cron, 'America/New_York').take(at(from), count))

    it('spring gap: a time that does not exist fires once at the first valid instant after it', () => {
      // 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z).
      expect(ny('30 2 * * *', '2026-03-07T12:00:00Z', 2)).toEqual([
        '2026-03-08T07:00:00.000Z',
        '2026-03-09T06:30:00.000Z',
      ])
      // Two times inside the same gap fire once, together (croner alone skips the day).
      expect(ny('15,45 2 * * *', '2026-03-07T12:00:00Z', 3)).toEqual([
        '2026-03-08T07:00:00.000Z',
        '2026-03-09T06:15:00.000Z',
        '2026-03-09T06:45:00.000Z',
      ])
    })

    it('autumn overlap: a time that happens twice fires once, the first time', () => {
      // 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:xx happens at 05:xxZ and again at 06:xxZ.
      expect(ny('30 1 * * *', '2026-10-31T12:00:00Z', 2)).toEqual([
        '2026-11-01T05:30:00.000Z',
        '2026-11-02T06:30:00.000Z',
      ])
      expect(ny('0,30 1 * * *', '2026-10-31T12:00:00Z', 3)).toEqual([
        '2026-11-01T05:00:00.000Z',
        '2026-11-01T05:30:00.000Z',
        '2026-11-02T06:00:00.000Z',
      ])
    })

    it('`*` hours follow elapsed time: no fire for the skipped hour, one per occurrence of the repeated one', () => {
      expect(ny('30 * * * *', '2026-03-08T05:00:00Z', 3)).toEqual([
        '2026-03-08T05:30:00.000Z',
        '2026-03-08T06:30:00.000Z',
        '2026-03-08T07:30:00.000Z',
      ])
      expect(ny('30 * * * *', '2026-11-01T04:00:00Z', 4)).toEqual([
        '2026-11-01T04:30:00.000Z',
        '2026-11-01T05:30:00.000Z',
        '2026-11-01T06:30:00.000Z',
        '2026-11-01T07:30:00.000Z',
      ])
    })
  })

  describe('Europe/Berlin', () => {
    const berlin = (cron: string, from: string, count: number) =>
      iso(cronTimes(cron, 'Europe/Berlin').take(at(from), count))

    it('spring gap: 02:30 fires once at 03:00 CEST', () => {
      // 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00Z).
      expect(berlin('30 2 * * *', '2026-03-28T12:00:00Z', 2)).toEqual([
        '2026-03-29T01:00:00.000Z',
        '2026-03-30T00:30:00.000Z',
      ])
      expect(berlin('0 2 * * *', '2026-03-28T12:00:00Z', 1)).toEqual(['2026-03-29T01:00:00.000Z'])
    })

    it('autumn overlap: 02:30 fires once, in CEST', () => {
      // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:xx happens at 00:xxZ and again at 01:xxZ.
      expect(berlin('30 2 * * *', '2026-10-24T12:00:00Z', 2)).toEqual([
        '2026-10-25T00:30:00.000Z',
        '2026-10-26T01:30:00.000Z',
      ])
      expect(berlin('30 1-2 * * *', '2026-10-24T12:00:00Z', 3)).toEqual([
        '2026-10-24T23:30:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-26T00:30:00.000Z',
      ])
    })

    it('step hours follow elapsed time across both changes', () => {
      expect(berlin('*/30 * * * *', '2026-10-24T23:45:00Z', 5)).toEqual([
        '2026-10-25T00:00:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-25T01:00:00.000Z',
        '2026-10-25T01:30:00.000Z',
        '2026-10-25T02:00:00.000Z',
      ])
      expect(berlin('0 */1 * * *', '2026-03-28T23:30:00Z', 3)).toEqual([
        '2026-03-29T00:00:00.000Z',
        '2026-03-29T01:00:00.000Z',
        '2026-03-29T02:00:00.000Z',
      ])
    })
  })

  it('lists the fires of a range, bounded', () => {
    const times = cronTimes('0 * * * *', 'UTC')
    expect(iso(times.between(at('2026-01-01T00:00:00Z'), at('2026-01-01T03:00:00Z'), 100))).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T03:00:00.000Z',
    ])
    expect(times.between(at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'), 5)).toHaveLength(5)
  })
})
