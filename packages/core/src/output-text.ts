/**
 * What a reader sees in place of what text cannot hold: bytes that are not UTF-8, a lone UTF-16
 * surrogate, and NUL (which Postgres refuses in `text` and `jsonb`). One character for all of them,
 * so a reader tells them apart only in the raw bytes, which are kept beside the text.
 */
export const REPLACEMENT_CHARACTER = '\uFFFD'

const NUL = /\0/g

/**
 * `text` as every store and reader takes it: well-formed (a lone surrogate becomes U+FFFD) and
 * without NUL (U+FFFD too). Answers `text` itself when it already is.
 *
 * @example
 * wellFormedText('a\u0000b\ud800') // 'a\ufffdb\ufffd'
 */
export function wellFormedText(text: string): string {
  const formed = text.isWellFormed() ? text : text.toWellFormed()
  return formed.includes('\0') ? formed.replace(NUL, REPLACEMENT_CHARACTER) : formed
}

/**
 * Decodes one output stream (a script's stdout or stderr) as it arrives, chunk by chunk: a character
 * split between two chunks comes out whole with the later one, each maximal invalid UTF-8 sequence
 * becomes one U+FFFD (the WHATWG rule), NUL becomes U+FFFD, and a byte order mark is kept as printed.
 *
 * @example
 * const decoder = new OutputTextDecoder()
 * decoder.decode(Uint8Array.of(0x61, 0xe2, 0x82)) // 'a'
 * decoder.decode(Uint8Array.of(0xac, 0xff))       // '€\ufffd'
 * decoder.end()                                   // ''
 */
export class OutputTextDecoder {
  readonly #decoder = new TextDecoder('utf-8', { ignoreBOM: true })

  /** The text `bytes` complete; an unfinished character at their end waits for the next call. */
  decode(bytes: Uint8Array): string {
    return withoutNul(this.#decoder.decode(bytes, { stream: true }))
  }

  /** The end of the stream: an unfinished character left becomes U+FFFD. */
  end(): string {
    return withoutNul(this.#decoder.decode())
  }
}

function withoutNul(text: string): string {
  return text.includes('\0') ? text.replace(NUL, REPLACEMENT_CHARACTER) : text
}

/** Bytes `text` takes in UTF-8, as protobuf writes it (a lone surrogate takes 3). */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (isHighSurrogate(unit) && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4
      i += 1
    } else bytes += 3
  }
  return bytes
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff

/**
 * The longest start of `text` that takes at most `maxBytes` in UTF-8, never ending inside a
 * character (nor between the two halves of a surrogate pair).
 */
export function utf8Head(text: string, maxBytes: number): string {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    const pair = isHighSurrogate(unit) && isLowSurrogate(text.charCodeAt(i + 1))
    const size = unit < 0x80 ? 1 : unit < 0x800 ? 2 : pair ? 4 : 3
    if (bytes + size > maxBytes) return text.slice(0, i)
    bytes += size
    if (pair) i += 1
  }
  return text
}

/** The longest end of `text` that takes at most `maxBytes` in UTF-8, never starting inside a character. */
export function utf8Tail(text: string, maxBytes: number): string {
  let bytes = 0
  for (let i = text.length - 1; i >= 0; i--) {
    const unit = text.charCodeAt(i)
    const pair = isLowSurrogate(unit) && isHighSurrogate(text.charCodeAt(i - 1))
    const size = unit < 0x80 ? 1 : unit < 0x800 ? 2 : pair ? 4 : 3
    if (bytes + size > maxBytes) return text.slice(i + 1)
    bytes += size
    if (pair) i -= 1
  }
  return text
}

/**
 * `value` as JSON that Postgres `jsonb` accepts whatever text it holds: every string in it is made
 * {@link wellFormedText} (`jsonb` refuses `\u0000` and a lone surrogate's escape).
 */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'string' ? wellFormedText(item) : item,
  )
}
