import { describe, expect, it } from 'vitest'
import { BLOCK, type LineRange, RangedLog, type RangeQuery } from './ranged-log.js'

/** A server answering ranges as the gateway does, over a log that grows. */
function server(initial: string) {
  const state = { text: initial, complete: false, asked: [] as RangeQuery[] }
  const fetchRange = async (query: RangeQuery): Promise<LineRange> => {
    state.asked.push(query)
    const all = state.text === '' ? [] : state.text.split('\n')
    if (all.at(-1) === '') all.pop()
    const count = Math.min('tail' in query ? query.tail : query.limit, 10_000)
    const offset = 'tail' in query ? Math.max(0, all.length - count) : Math.min(query.offset, all.length)
    return {
      offset,
      lines: all.slice(offset, offset + count),
      total_lines: all.length,
      complete: state.complete,
    }
  }
  return { state, fetchRange }
}

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `line ${from + i}`).join('\n')

describe('a log read by ranges', () => {
  it('opens at the tail and loads only the blocks scrolled to', async () => {
    const { state, fetchRange } = server(`${numbered(0, 200_000)}\n`)
    const log = new RangedLog(fetchRange)
    await log.open()
    expect(log.total).toBe(200_000)
    expect(log.line(199_999)).toBe('line 199999')
    expect(log.line(0)).toBeUndefined()
    expect(await log.ensure(0, 40)).toBe(true)
    expect(log.line(39)).toBe('line 39')
    expect(await log.ensure(10, 50)).toBe(false)
    expect(await log.ensure(199_990, 200_000)).toBe(false)
    expect(state.asked).toEqual([{ tail: BLOCK }, { offset: 0, limit: BLOCK }])
  })

  it('follows a growing log, the open last line included', async () => {
    const { state, fetchRange } = server('one\ntw')
    const log = new RangedLog(fetchRange)
    await log.open()
    expect([log.total, log.line(1)]).toEqual([2, 'tw'])
    state.text += 'o\nthree\n'
    state.complete = true
    expect(await log.more()).toBe(true)
    expect([log.total, log.line(1), log.line(2), log.complete]).toEqual([3, 'two', 'three', true])
  })
})
