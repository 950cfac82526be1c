import { afterEach, describe, expect, it, vi } from 'vitest'
import { OutputBatcher, type OutputChunk } from './output-batcher.js'

describe('OutputBatcher', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('merges consecutive text of one stream and keeps the order across streams', () => {
    const batches: OutputChunk[][] = []
    const batcher = new OutputBatcher({ emit: (chunks) => batches.push(chunks) })
    batcher.push('stdout', 'a')
    batcher.push('stdout', 'b')
    batcher.push('stderr', 'c')
    batcher.push('stdout', 'd')
    batcher.push('stdout', '')
    batcher.flush()
    batcher.flush()
    expect(batches).toEqual([
      [
        { stream: 'stdout', text: 'ab' },
        { stream: 'stderr', text: 'c' },
        { stream: 'stdout', text: 'd' },
      ],
    ])
  })

  it('sends at once when the pending text reaches the size threshold', () => {
    const batches: OutputChunk[][] = []
    const batcher = new OutputBatcher({ maxBytes: 4, emit: (chunks) => batches.push(chunks) })
    batcher.push('stdout', 'abc')
    expect(batches).toHaveLength(0)
    batcher.push('stdout', 'de')
    expect(batches).toEqual([[{ stream: 'stdout', text: 'abcde' }]])
    batcher.flush()
    expect(batches).toHaveLength(1)
  })

  it('sends pending text after the interval', () => {
    vi.useFakeTimers()
    const batches: OutputChunk[][] = []
    const batcher = new OutputBatcher({ intervalMs: 250, emit: (chunks) => batches.push(chunks) })
    batcher.push('stderr', 'late')
    vi.advanceTimersByTime(249)
    expect(batches).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(batches).toEqual([[{ stream: 'stderr', text: 'late' }]])
  })
})
