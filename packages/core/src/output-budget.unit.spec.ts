import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { abridgeSummary, messageBudget, type OutputSummary, summaryBytes } from './output-budget.js'

describe('messageBudget', () => {
  it('keeps a quarter of a small max_payload free, 16 KiB of a large one', () => {
    expect(messageBudget(1024 * 1024)).toBe(1024 * 1024 - 16 * 1024)
    expect(messageBudget(4096)).toBe(3072)
  })
})

describe('abridgeSummary', () => {
  const summary = (fields: Partial<OutputSummary>): OutputSummary => ({
    output: [],
    log: '',
    lastline: '',
    reason: '',
    ...fields,
  })

  it('leaves a summary that fits alone', () => {
    const small = summary({ output: ['a', 'b'], log: 'a\nb\n', lastline: 'b' })
    expect(abridgeSummary(small, 1000)).toEqual({ ...small, abridged: false })
  })

  it('keeps the end of the log, the start of the last line and the first output lines', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`)
    const log = `${lines.join('\n')}\n`
    const cut = abridgeSummary(summary({ output: lines, log, lastline: 'x'.repeat(500) }), 400)
    expect(cut.abridged).toBe(true)
    expect(log.endsWith(cut.log)).toBe(true)
    expect(cut.lastline).toBe('x'.repeat(44))
    expect(cut.output.length).toBeGreaterThan(0)
    expect(lines.slice(0, cut.output.length - 1)).toEqual(cut.output.slice(0, -1))
    expect(lines[cut.output.length - 1]!.startsWith(cut.output.at(-1)!)).toBe(true)
    expect(summaryBytes(cut)).toBeLessThanOrEqual(400)
  })

  it('fits any summary in any budget, cutting only when it must', () => {
    const text = fc.string({ unit: 'binary', maxLength: 400 })
    fc.assert(
      fc.property(
        fc.record({ output: fc.array(text, { maxLength: 30 }), log: text, lastline: text, reason: text }),
        fc.integer({ min: 24, max: 4000 }),
        (whole, budget) => {
          const cut = abridgeSummary(whole, budget)
          expect(summaryBytes(cut)).toBeLessThanOrEqual(budget)
          expect(cut.abridged).toBe(summaryBytes(whole) > budget)
        },
      ),
    )
  })
})
