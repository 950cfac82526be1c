import { describe, expect, it } from 'vitest'
import { OutputCapture } from './output-capture.js'

describe('OutputCapture', () => {
  it('keeps both streams in arrival order', () => {
    const capture = new OutputCapture(100)
    expect(capture.write('stdout', Buffer.from('one\n'))).toBe('one\n')
    expect(capture.write('stderr', Buffer.from('two\n'))).toBe('two\n')
    capture.write('stdout', Buffer.from('three\n'))
    expect(capture.text).toBe('one\ntwo\nthree\n')
    expect(capture.truncatedBytes).toBe(0)
  })

  it('stops at the limit and counts what it dropped', () => {
    const capture = new OutputCapture(10)
    expect(capture.write('stdout', Buffer.from('12345678'))).toBe('12345678')
    expect(capture.write('stdout', Buffer.from('abcdef'))).toBe('ab')
    expect(capture.write('stderr', Buffer.from('more'))).toBe('')
    expect(capture.text).toBe('12345678ab')
    expect(capture.keptBytes).toBe(10)
    expect(capture.truncatedBytes).toBe(8)
  })

  it('never cuts a UTF-8 character in two at the limit', () => {
    const capture = new OutputCapture(4)
    capture.write('stdout', Buffer.from('abé€'))
    expect(capture.text).toBe('abé')
    expect(capture.truncatedBytes).toBe(3)
  })

  it('joins a character split across two chunks of the same stream', () => {
    const capture = new OutputCapture(100)
    const euro = Buffer.from('€')
    expect(capture.write('stdout', euro.subarray(0, 1))).toBe('')
    capture.write('stderr', Buffer.from('x'))
    expect(capture.write('stdout', euro.subarray(1))).toBe('€')
    expect(capture.text).toBe('x€')
  })

  it('accepts a zero limit and rejects a negative one', () => {
    const capture = new OutputCapture(0)
    capture.write('stdout', Buffer.from('abc'))
    expect(capture.text).toBe('')
    expect(capture.truncatedBytes).toBe(3)
    expect(() => new OutputCapture(-1)).toThrow(RangeError)
  })
})
