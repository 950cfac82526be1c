/**
 * Secret values shorter than this many bytes are not redacted: a value of one to three bytes (`1`,
 * `no`, `yes`) would mask ordinary output everywhere and protect nothing.
 */
export const MIN_REDACTED_BYTES = 4

/** What a secret value becomes in a job's output: the mask every answer shows for a value. */
export const REDACTED = Buffer.from('****')

/** The values a job's output is redacted of: each as UTF-8 bytes, long enough, once, longest first. */
export function redactableSecrets(values: Iterable<string>): Buffer[] {
  const unique = new Set<string>()
  for (const value of values) if (Buffer.byteLength(value) >= MIN_REDACTED_BYTES) unique.add(value)
  return [...unique].map((value) => Buffer.from(value)).sort((a, b) => b.length - a.length)
}

/**
 * Replaces every secret value in one output stream by {@link REDACTED}, on the bytes, as they come.
 * Wherever values overlap, the leftmost match wins, and the longest value matching there. Bytes that
 * may still begin a value are held back until the next write tells (at most the longest value's
 * length less one), so a value split across writes is redacted like a whole one: any split of a
 * stream into writes gives the same bytes out as {@link redactSecrets} of the whole. `end()` gives
 * back what was held.
 *
 * @example
 * const redactor = new StreamRedactor(redactableSecrets(['hunter22']))
 * Buffer.concat([redactor.write(Buffer.from('pw: hun')), redactor.write(Buffer.from('ter22\n')), redactor.end()])
 * // 'pw: ****\n'
 */
export class StreamRedactor {
  readonly #secrets: readonly Buffer[]
  /** First bytes of the values: most output bytes are ruled out with one lookup. */
  readonly #firstBytes: ReadonlySet<number>
  #held: Buffer = Buffer.alloc(0)

  /** `secrets` as {@link redactableSecrets} answers them (longest first). */
  constructor(secrets: readonly Buffer[]) {
    this.#secrets = secrets
    this.#firstBytes = new Set(secrets.map((secret) => secret[0]!))
  }

  /** Whether there is anything to redact at all. */
  get active(): boolean {
    return this.#secrets.length > 0
  }

  /** The bytes of `chunk` (after those held back) that can be told now, redacted. */
  write(chunk: Buffer): Buffer {
    if (!this.active) return chunk
    return this.#scan(this.#held.length === 0 ? chunk : Buffer.concat([this.#held, chunk]), false)
  }

  /** The stream ended: what was held back, redacted (it can begin no value any more). */
  end(): Buffer {
    if (this.#held.length === 0) return this.#held
    return this.#scan(this.#held, true)
  }

  #scan(data: Buffer, final: boolean): Buffer {
    const out: Buffer[] = []
    let from = 0
    let at = 0
    while (at < data.length) {
      if (!this.#firstBytes.has(data[at]!)) {
        at += 1
        continue
      }
      const found = this.#matchAt(data, at, final)
      if (found === 'undecided') break
      if (found === undefined) {
        at += 1
        continue
      }
      out.push(data.subarray(from, at), REDACTED)
      at += found.length
      from = at
    }
    out.push(data.subarray(from, at))
    this.#held = Buffer.from(data.subarray(at))
    return Buffer.concat(out)
  }

  /**
   * The longest value found at `at`; undefined when none is; `undecided` while a longer value could
   * still begin there, the stream going on.
   */
  #matchAt(data: Buffer, at: number, final: boolean): Buffer | undefined | 'undecided' {
    const left = data.length - at
    for (const secret of this.#secrets) {
      if (left >= secret.length) {
        if (data.compare(secret, 0, secret.length, at, at + secret.length) === 0) return secret
      } else if (!final && data.compare(secret, 0, left, at, data.length) === 0) {
        return 'undecided'
      }
    }
    return undefined
  }
}

/** The bytes of a whole stream, every secret value in them redacted. */
export function redactSecrets(data: Buffer, secrets: readonly Buffer[]): Buffer {
  const redactor = new StreamRedactor(secrets)
  return Buffer.concat([redactor.write(data), redactor.end()])
}
