import { describe, expect, it } from 'vitest'
import { OutputCapture } from './output-capture.js'
import { redactableSecrets } from './output-redactor.js'

const texts = (pieces: { text: string }[]) => pieces.map((piece) => piece.text).join('')

describe('OutputCapture', () => {
  it('redacts secret values from the bytes and the text of each stream, split or whole', () => {
    const capture = new OutputCapture(1000, 64, redactableSecrets(['pässwörd-42', 'tok']))
    const pieces = [
      ...capture.write('stdout', Buffer.from('a pässw')),
      ...capture.write('stderr', Buffer.from('err pässwörd-42\n')),
      ...capture.write('stdout', Buffer.from('örd-42 tok\n')),
      ...capture.end(),
    ]
    const bytes = Buffer.concat(pieces.map((piece) => piece.data)).toString()
    expect(capture.text).not.toContain('pässwörd-42')
    expect(bytes).not.toContain('pässwörd-42')
    // What may begin a value waits for its stream's next chunk: here, after the other stream's.
    expect(capture.text).toBe('a err ****\n**** tok\n')
    expect(texts(pieces)).toBe(capture.text)
  })

  it('keeps both streams in arrival order, the bytes beside their text', () => {
    const capture = new OutputCapture(100)
    expect(capture.write('stdout', Buffer.from('one\n'))).toEqual([
      { stream: 'stdout', data: Buffer.from('one\n'), text: 'one\n' },
    ])
    expect(texts(capture.write('stderr', Buffer.from('two\n')))).toBe('two\n')
    capture.write('stdout', Buffer.from('three\n'))
    expect(capture.text).toBe('one\ntwo\nthree\n')
    expect(capture.truncatedBytes).toBe(0)
  })

  it('stops at the limit and counts what it dropped', () => {
    const capture = new OutputCapture(10)
    expect(texts(capture.write('stdout', Buffer.from('12345678')))).toBe('12345678')
    expect(capture.write('stdout', Buffer.from('abcdef'))).toEqual([
      { stream: 'stdout', data: Buffer.from('ab'), text: 'ab' },
    ])
    expect(capture.write('stderr', Buffer.from('more'))).toEqual([])
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

  it('keeps bytes that are no text up to the limit, whatever they are', () => {
    const capture = new OutputCapture(1000)
    expect(
      capture
        .write('stdout', Buffer.alloc(4000, 0x80))
        .reduce((bytes, piece) => bytes + piece.data.length, 0),
    ).toBeGreaterThanOrEqual(997)
    expect(capture.truncatedBytes).toBeLessThanOrEqual(3003)
  })

  it('joins a character split across two chunks of the same stream, whatever came between', () => {
    const capture = new OutputCapture(100)
    const euro = Buffer.from('€')
    expect(capture.write('stdout', euro.subarray(0, 1))).toEqual([
      { stream: 'stdout', data: euro.subarray(0, 1), text: '' },
    ])
    capture.write('stderr', Buffer.from('x'))
    expect(texts(capture.write('stdout', euro.subarray(1)))).toBe('€')
    expect(capture.text).toBe('x€')
  })

  it('cuts what it keeps into pieces of at most chunkBytes bytes', () => {
    const capture = new OutputCapture(100, 3)
    const pieces = capture.write('stdout', Buffer.from('a€bcd'))
    expect(pieces.map((piece) => piece.data.length)).toEqual([3, 3, 1])
    expect(pieces.map((piece) => piece.text)).toEqual(['a', '€bc', 'd'])
  })

  it('shows NUL and bytes that are not UTF-8 as U+FFFD, and ends an unfinished character with one', () => {
    const capture = new OutputCapture(100)
    capture.write('stdout', Buffer.from([0x61, 0x00, 0x62, 0xff, 0x0a]))
    capture.write('stderr', Buffer.from([0xe2, 0x82]))
    expect(capture.end()).toEqual([{ stream: 'stderr', data: Buffer.alloc(0), text: '\ufffd' }])
    expect(capture.text).toBe('a\ufffdb\ufffd\n\ufffd')
  })

  it('accepts a zero limit and rejects a negative one', () => {
    const capture = new OutputCapture(0)
    capture.write('stdout', Buffer.from('abc'))
    expect(capture.text).toBe('')
    expect(capture.truncatedBytes).toBe(3)
    expect(() => new OutputCapture(-1)).toThrow(RangeError)
    expect(() => new OutputCapture(10, 0)).toThrow(RangeError)
  })
})
