import { describe, expect, it } from 'vitest'
import { linesOf, MAX_LOG_LINES } from './job-control.js'

describe('log line ranges', () => {
  const text = 'a\nb\nc\nd\ne\n'

  it('answers a range from an offset, the last lines, and the total', () => {
    expect(linesOf(text, { offset: 1, limit: 2 })).toEqual({ offset: 1, lines: ['b', 'c'], total: 5 })
    expect(linesOf(text, { tail: 2 })).toEqual({ offset: 3, lines: ['d', 'e'], total: 5 })
    expect(linesOf(text, { tail: 50 })).toEqual({ offset: 0, lines: ['a', 'b', 'c', 'd', 'e'], total: 5 })
    expect(linesOf(text, { offset: 9, limit: 2 })).toEqual({ offset: 5, lines: [], total: 5 })
  })

  it('counts a last line without its end, and no line in an empty log', () => {
    expect(linesOf('x\ny', { offset: 0 })).toEqual({ offset: 0, lines: ['x', 'y'], total: 2 })
    expect(linesOf('', { tail: 10 })).toEqual({ offset: 0, lines: [], total: 0 })
    expect(linesOf('\n\n', { offset: 0 })).toEqual({ offset: 0, lines: ['', ''], total: 2 })
  })

  it('never answers more than the bound', () => {
    const big = 'l\n'.repeat(MAX_LOG_LINES * 3)
    expect(linesOf(big, { offset: 0 }).lines).toHaveLength(MAX_LOG_LINES)
    expect(linesOf(big, { tail: MAX_LOG_LINES * 2 }).lines).toHaveLength(MAX_LOG_LINES)
    expect(linesOf(big, { tail: 1 })).toMatchObject({
      offset: MAX_LOG_LINES * 3 - 1,
      total: MAX_LOG_LINES * 3,
    })
  })
})
