import { OutputTextDecoder } from '@taskforge/core'
import { StreamRedactor } from './output-redactor.js'

export type OutputStream = 'stdout' | 'stderr'

/** Default cap of the output a bot keeps per job: 1 MiB. */
export const DEFAULT_OUTPUT_LIMIT_BYTES = 1024 * 1024

/**
 * A piece of one stream's output: the bytes the script wrote, exactly, and the text they complete
 * (each stream decoded by its own streaming decoder, so a character split between pieces comes
 * whole in the later one; U+FFFD for what is not UTF-8 and for NUL). A piece at the end of a
 * stream may hold text and no bytes (an unfinished character, U+FFFD).
 */
export interface OutputChunk {
  stream: OutputStream
  data: Buffer
  text: string
}

/**
 * The largest prefix length of `chunk` not above `max` that does not end inside a UTF-8 sequence:
 * at most 3 bytes back, as a sequence is 4 bytes at most (a run of continuation bytes is no text).
 */
function utf8Boundary(chunk: Buffer, max: number): number {
  let cut = Math.min(max, chunk.length)
  if (cut === chunk.length) return cut
  for (let back = 0; back < 3 && cut > 0 && (chunk[cut]! & 0xc0) === 0x80; back++) cut -= 1
  return cut
}

/**
 * The combined stdout and stderr of one job, in arrival order, capped at `limitBytes`: a script
 * that prints without end cannot exhaust the bot's memory. What is dropped is counted, so the job
 * says how much is missing. What is kept comes out as pieces of at most `chunkBytes` bytes, so
 * that each fits one report.
 *
 * The job's secret values (`secrets`, see `output-redactor.ts`) are redacted from each stream's
 * bytes before anything else, so that neither the bytes nor the text (decoded after) nor anything
 * derived from them (the log, the last line, the output lines) ever holds one (decision 18). A few
 * bytes that may begin a value are held back until the next chunk of their stream, or its end.
 */
export class OutputCapture {
  private readonly parts: string[] = []
  private readonly decoders: Record<OutputStream, OutputTextDecoder> = {
    stdout: new OutputTextDecoder(),
    stderr: new OutputTextDecoder(),
  }
  private readonly redactors: Record<OutputStream, StreamRedactor>
  private kept = 0
  private dropped = 0

  constructor(
    readonly limitBytes: number = DEFAULT_OUTPUT_LIMIT_BYTES,
    readonly chunkBytes: number = 64 * 1024,
    secrets: readonly Buffer[] = [],
  ) {
    if (!Number.isInteger(limitBytes) || limitBytes < 0)
      throw new RangeError(`invalid output limit: ${limitBytes}`)
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1)
      throw new RangeError(`invalid output chunk size: ${chunkBytes}`)
    this.redactors = { stdout: new StreamRedactor(secrets), stderr: new StreamRedactor(secrets) }
  }

  /** Takes a chunk of `stream`; answers what is kept of it, as pieces (none once the cap is reached). */
  write(stream: OutputStream, chunk: Buffer): OutputChunk[] {
    return this.keep(stream, this.redactors[stream].write(chunk))
  }

  private keep(stream: OutputStream, chunk: Buffer): OutputChunk[] {
    const room = this.limitBytes - this.kept
    const take = room >= chunk.length ? chunk.length : utf8Boundary(chunk, room)
    this.dropped += chunk.length - take
    this.kept += take
    const pieces: OutputChunk[] = []
    for (let from = 0; from < take; from += this.chunkBytes) {
      const data = chunk.subarray(from, Math.min(from + this.chunkBytes, take))
      pieces.push(this.piece(stream, data, this.decoders[stream].decode(data)))
    }
    return pieces
  }

  /**
   * Ends both streams: what was held back for redaction comes out, then an unfinished character left
   * at the end of one becomes U+FFFD, in its own piece.
   */
  end(): OutputChunk[] {
    const pieces: OutputChunk[] = []
    for (const stream of ['stdout', 'stderr'] as const) {
      pieces.push(...this.keep(stream, this.redactors[stream].end()))
      const text = this.decoders[stream].end()
      if (text !== '') pieces.push(this.piece(stream, Buffer.alloc(0), text))
    }
    return pieces
  }

  private piece(stream: OutputStream, data: Buffer, text: string): OutputChunk {
    if (text !== '') this.parts.push(text)
    return { stream, data, text }
  }

  /** Everything kept, as text. */
  get text(): string {
    return this.parts.join('')
  }

  get keptBytes(): number {
    return this.kept
  }

  get truncatedBytes(): number {
    return this.dropped
  }
}
