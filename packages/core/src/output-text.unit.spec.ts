import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  OutputTextDecoder,
  REPLACEMENT_CHARACTER,
  storableJson,
  utf8Head,
  utf8Length,
  utf8Tail,
  wellFormedText,
} from './output-text.js'

/** `bytes` cut at `cuts` (positions, any order) and decoded piece by piece. */
function decodeInPieces(bytes: Uint8Array, cuts: number[]): string {
  const decoder = new OutputTextDecoder()
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)
  let text = ''
  let from = 0
  for (const to of [...points, bytes.length]) {
    text += decoder.decode(bytes.subarray(from, to))
    from = to
  }
  return text + decoder.end()
}

const wholeDecode = (bytes: Uint8Array) =>
  new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).replaceAll('\0', REPLACEMENT_CHARACTER)

describe('OutputTextDecoder', () => {
  it('keeps a character split between two chunks whole', () => {
    const decoder = new OutputTextDecoder()
    const euro = Buffer.from('€') // e2 82 ac
    expect(decoder.decode(Uint8Array.of(0x61, euro[0]!))).toBe('a')
    expect(decoder.decode(euro.subarray(1, 2))).toBe('')
    expect(decoder.decode(Uint8Array.of(euro[2]!, 0x62))).toBe('€b')
    expect(decoder.end()).toBe('')
  })

  it('turns invalid bytes, NUL and an unfinished character at the end into U+FFFD', () => {
    const decoder = new OutputTextDecoder()
    expect(decoder.decode(Uint8Array.of(0x61, 0x00, 0x62, 0xff, 0x0a, 0xf0, 0x9f))).toBe('a\ufffdb\ufffd\n')
    expect(decoder.end()).toBe('\ufffd')
  })

  it('keeps a byte order mark, carriage returns and escape sequences as printed', () => {
    const decoder = new OutputTextDecoder()
    const printed = '\ufeffprogress 10%\rprogress 20%\r\n\u001b[31mred\u001b[0m\n'
    expect(decoder.decode(Buffer.from(printed)) + decoder.end()).toBe(printed)
  })

  it('decodes any bytes cut anywhere as the whole would be: well-formed, without NUL', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const text = decodeInPieces(bytes, cuts)
        expect(text).toBe(wholeDecode(bytes))
        expect(text.isWellFormed()).toBe(true)
        expect(text.includes('\0')).toBe(false)
      }),
    )
  })

  it('gives valid UTF-8 back unchanged however it is cut', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), fc.array(fc.nat()), (text, cuts) => {
        const expected = text.replaceAll('\0', REPLACEMENT_CHARACTER)
        expect(decodeInPieces(Buffer.from(text), cuts)).toBe(expected)
      }),
    )
  })
})

describe('wellFormedText', () => {
  it('replaces NUL and lone surrogates, and answers well-formed text itself', () => {
    expect(wellFormedText('a\u0000b\ud800c\udc00')).toBe('a\ufffdb\ufffdc\ufffd')
    const fine = 'plain 🚀 \u001b[0m\r'
    expect(wellFormedText(fine)).toBe(fine)
  })

  it('always answers well-formed text without NUL', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const formed = wellFormedText(text)
        expect(formed.isWellFormed()).toBe(true)
        expect(formed.includes('\0')).toBe(false)
        expect(formed.length).toBe(text.length)
      }),
    )
  })
})

describe('utf8Length, utf8Head, utf8Tail', () => {
  it('counts UTF-8 bytes as protobuf writes them', () => {
    expect(utf8Length('a€🚀')).toBe(1 + 3 + 4)
    expect(utf8Length('\ud800')).toBe(3)
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(utf8Length(text)).toBe(Buffer.byteLength(text))
      }),
    )
  })

  it('cuts at a character boundary, within the bytes given', () => {
    expect(utf8Head('a🚀b', 4)).toBe('a')
    expect(utf8Head('a🚀b', 5)).toBe('a🚀')
    expect(utf8Tail('a🚀b', 4)).toBe('b')
    expect(utf8Tail('a🚀b', 5)).toBe('🚀b')
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(200), (text, max) => {
        const head = utf8Head(text, max)
        const tail = utf8Tail(text, max)
        expect(text.startsWith(head) && text.endsWith(tail)).toBe(true)
        expect(utf8Length(head)).toBeLessThanOrEqual(max)
        expect(utf8Length(tail)).toBeLessThanOrEqual(max)
        if (text.isWellFormed()) expect(head.isWellFormed() && tail.isWellFormed()).toBe(true)
        // Nothing more would fit: the next character is larger than what is left.
        if (head.length < text.length) {
          const next = text.codePointAt(head.length)!
          expect(utf8Length(head) + utf8Length(String.fromCodePoint(next))).toBeGreaterThan(max)
        }
      }),
    )
  })
})

describe('storableJson', () => {
  it('makes every string of a value well-formed, nested too', () => {
    expect(JSON.parse(storableJson({ log: 'a\u0000', output: ['\ud83d', 'ok'], code: 1 }))).toEqual({
      log: 'a\ufffd',
      output: ['\ufffd', 'ok'],
      code: 1,
    })
    expect(storableJson(null)).toBe('null')
  })
})
