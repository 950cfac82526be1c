import { describe, expect, it } from 'vitest'
import { atBottom, LogLines, visibleWindow } from './log-lines.js'

describe('log lines', () => {
  it('keeps the last line open until its newline arrives', () => {
    const log = new LogLines()
    log.append('one\ntw')
    expect(log.lines).toEqual(['one', 'tw'])
    log.append('o\nthree\n')
    expect(log.lines).toEqual(['one', 'two', 'three'])
    log.append('four')
    expect(log.lines).toEqual(['one', 'two', 'three', 'four'])
    expect(log.length).toBe('one\ntwo\nthree\nfour'.length)
  })

  it('holds 200,000 lines and finds what is searched', () => {
    const log = new LogLines()
    log.append(Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join('\n'))
    expect(log.count).toBe(200_000)
    expect(log.search('LINE 19999')).toEqual([
      19_999, 199_990, 199_991, 199_992, 199_993, 199_994, 199_995, 199_996, 199_997, 199_998, 199_999,
    ])
  })

  it('draws only the rows in view', () => {
    expect(visibleWindow(0, 400, 20, 200_000)).toEqual({ start: 0, end: 40 })
    expect(visibleWindow(20 * 199_990, 400, 20, 200_000)).toEqual({ start: 199_970, end: 200_000 })
    expect(atBottom(980, 20, 1000, 5)).toBe(true)
    expect(atBottom(900, 20, 1000, 5)).toBe(false)
  })
})
