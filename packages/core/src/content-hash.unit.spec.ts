import { describe, expect, it } from 'vitest'
import { contentSha256, isContentSha256 } from './content-hash.js'

describe('contentSha256', () => {
  it('names a content by its SHA-256 in lowercase hex', () => {
    expect(contentSha256(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
    expect(contentSha256(Buffer.from('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it('accepts only that form', () => {
    expect(isContentSha256(contentSha256(Buffer.from('x')))).toBe(true)
    for (const bad of ['', 'A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), `../${'a'.repeat(61)}`]) {
      expect(isContentSha256(bad)).toBe(false)
    }
  })
})
