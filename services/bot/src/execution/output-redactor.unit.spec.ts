import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MIN_REDACTED_BYTES,
  REDACTED,
  redactableSecrets,
  redactSecrets,
  StreamRedactor,
} from './output-redactor.js'

/** The stream cut at `cuts` (offsets, in any order), written piece by piece, then ended. */
function streamed(data: Buffer, cuts: readonly number[], secrets: readonly Buffer[]): Buffer {
  const redactor = new StreamRedactor(secrets)
  const points = [...new Set(cuts.map((cut) => cut % (data.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let from = 0
  for (const point of [...points, data.length]) {
    out.push(redactor.write(data.subarray(from, point)))
    from = point
  }
  out.push(redactor.end())
  return Buffer.concat(out)
}

describe('streaming redaction of secret values', () => {
  it('masks every value, wherever it is cut', () => {
    const secrets = redactableSecrets(['hunter22', 's3cr3t-token'])
    const out = streamed(
      Buffer.from('user=root pass=hunter22 token=s3cr3t-token end\n'),
      [17, 19, 35],
      secrets,
    )
    expect(out.toString()).toBe('user=root pass=**** token=**** end\n')
  })

  it('holds back at most the longest value less one byte', () => {
    const redactor = new StreamRedactor(redactableSecrets(['abcdef']))
    expect(redactor.write(Buffer.from('xxabcde')).toString()).toBe('xx')
    expect(redactor.write(Buffer.from('Z')).toString()).toBe('abcdeZ')
    expect(redactor.write(Buffer.from('abc')).toString()).toBe('')
    expect(redactor.end().toString()).toBe('abc')
  })

  it('prefers the longest value where several begin, and the leftmost where they overlap', () => {
    const secrets = redactableSecrets(['abcd', 'abcdefgh', 'cdefxyz1'])
    expect(redactSecrets(Buffer.from('abcdefgh abcdefg abcdefxyz1'), secrets).toString()).toBe(
      '**** ****efg ****efxyz1',
    )
  })

  it('leaves values shorter than the minimum, and output without secrets, as it is', () => {
    expect(MIN_REDACTED_BYTES).toBe(4)
    expect(redactableSecrets(['abc', 'é', ''])).toEqual([])
    expect(redactableSecrets(['abcd', 'abcd'])).toEqual([Buffer.from('abcd')])
    const data = Buffer.from([0, 1, 2, 0xff, 0xfe])
    expect(streamed(data, [1, 3], redactableSecrets(['abc']))).toEqual(data)
  })

  it('redacts the bytes, so a value split inside a character still goes', () => {
    const secret = 'clé-secrète'
    const data = Buffer.from(`>${secret}<`)
    const cut = data.indexOf(Buffer.from('é')) + 1
    expect(streamed(data, [cut], redactableSecrets([secret])).toString()).toBe(`>${REDACTED}<`)
  })

  it('gives the same bytes for any split of the output as for the whole (property)', () => {
    // Values over a small alphabet (with a NUL and the bytes of é), so that they overlap, share
    // prefixes and recur in the output; the output is made of such bytes and of whole values.
    const byte = fc.constantFrom(0x61, 0x62, 0x63, 0x64, 0x00, 0xc3, 0xa9)
    const value = fc.array(byte, { minLength: MIN_REDACTED_BYTES, maxLength: 9 }).map((b) => Buffer.from(b))
    fc.assert(
      fc.property(
        fc.uniqueArray(value, { minLength: 1, maxLength: 4, comparator: (a, b) => a.equals(b) }),
        fc.array(fc.oneof(fc.array(byte, { maxLength: 6 }), fc.nat()), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (values, pieces, cuts) => {
          const secrets = [...values].sort((a, b) => b.length - a.length)
          const data = Buffer.concat(
            pieces.map((piece) =>
              typeof piece === 'number' ? secrets[piece % secrets.length]! : Buffer.from(piece),
            ),
          )
          const whole = redactSecrets(data, secrets)
          expect(streamed(data, cuts, secrets)).toEqual(whole)
          for (const secret of secrets) expect(whole.includes(secret)).toBe(false)
        },
      ),
      { numRuns: 2000 },
    )
  })
})
