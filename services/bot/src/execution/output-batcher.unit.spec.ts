import { afterEach, describe, expect, it, vi } from 'vitest'
import { OutputBatcher } from './output-batcher.js'
import type { OutputChunk, OutputStream } from './output-capture.js'

const piece = (stream: OutputStream, text: string): OutputChunk => ({ stream, data: Buffer.from(text), text })

describe('OutputBatcher', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('merges consecutive pieces of one stream and keeps the order across streams', () => {
    const batches: OutputChunk[][] = []
    const batcher = new OutputBatcher({ emit: (chunks) => batches.push(chunks) })
    batcher.push(piece('stdout', 'a'))
    batcher.push(piece('stdout', 'b'))
    batcher.push(piece('stderr', 'c'))
    batcher.push(piece('stdout', 'd'))
    batcher.push(piece('stdout', ''))
    batcher.flush()
    batcher.flush()
    expect(batches).toEqual([[piece('stdout', 'ab'), piece('stderr', 'c'), piece('stdout', 'd')]])
  })

  it('sends at once when the pending bytes reach maxBytes, never more than maxBytes in a chunk', () => {
    const batches: OutputChunk[][] = []
    const batcher = new OutputBatcher({ maxBytes: 4, emit: (chunks) => batches.push(chunks) })
    batcher.push(piece('stdout', 'abc'))
    expect(batches).toHaveLength(0)
    batcher.push(piece('stdout', 'de'))
    expect(batches).toEqual([[piece('stdout', 'abc'), piece('stdout', 'de')]])
    batcher.push(piece('stdout', 'fghi'))
    expect(batches[1]).toEqual([piece('stdout', 'fghi')])
  })

  it('keeps a piece with text and no bytes (the end of a stream)', () => {
    const batches: OutputChunk[][] = []
    const batcher = new OutputBatcher({ emit: (chunks) => batches.push(chunks) })
    batcher.push(piece('stderr', 'x'))
    batcher.push({ stream: 'stderr', data: Buffer.alloc(0), text: '\ufffd' })
    batcher.flush()
    expect(batches).toEqual([[{ stream: 'stderr', data: Buffer.from('x'), text: 'x\ufffd' }]])
  })

  it('sends pending output after the interval', () => {
    vi.useFakeTimers()
    const batches: OutputChunk[][] = []
    const batcher = new OutputBatcher({ intervalMs: 250, emit: (chunks) => batches.push(chunks) })
    batcher.push(piece('stderr', 'late'))
    vi.advanceTimersByTime(249)
    expect(batches).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(batches).toEqual([[piece('stderr', 'late')]])
  })
})
