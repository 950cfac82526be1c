import { StringDecoder } from 'node:string_decoder'

export type OutputStream = 'stdout' | 'stderr'

/** Default cap of the output a bot keeps per job: 1 MiB. */
export const DEFAULT_OUTPUT_LIMIT_BYTES = 1024 * 1024

/** The largest prefix length of `chunk` not above `max` that does not end inside a UTF-8 sequence. */
function utf8Boundary(chunk: Buffer, max: number): number {
  let cut = Math.min(max, chunk.length)
  if (cut === chunk.length) return cut
  while (cut > 0 && (chunk[cut]! & 0xc0) === 0x80) cut -= 1
  return cut
}

/**
 * The combined stdout and stderr of one job, in arrival order, capped at `limitBytes`: a script
 * that prints without end cannot exhaust the bot's memory nor the reports' size. What is dropped is
 * counted, so the job says how much is missing.
 */
export class OutputCapture {
  private readonly parts: string[] = []
  private readonly decoders: Record<OutputStream, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  }
  private kept = 0
  private dropped = 0

  constructor(readonly limitBytes: number = DEFAULT_OUTPUT_LIMIT_BYTES) {
    if (!Number.isInteger(limitBytes) || limitBytes < 0)
      throw new RangeError(`invalid output limit: ${limitBytes}`)
  }

  /** Takes a chunk of `stream`; answers the text kept from it ('' once the cap is reached). */
  write(stream: OutputStream, chunk: Buffer): string {
    const room = this.limitBytes - this.kept
    const take = room >= chunk.length ? chunk.length : utf8Boundary(chunk, room)
    this.dropped += chunk.length - take
    if (take === 0) return ''
    this.kept += take
    const text = this.decoders[stream].write(take === chunk.length ? chunk : chunk.subarray(0, take))
    if (text !== '') this.parts.push(text)
    return text
  }

  /** Flushes incomplete UTF-8 sequences left at the end of each stream; answers the text this added. */
  end(): string {
    let text = ''
    for (const decoder of Object.values(this.decoders)) text += decoder.end()
    if (text !== '') this.parts.push(text)
    return text
  }

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
