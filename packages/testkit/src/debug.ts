/** Servers' own output is noise in test runs; `DEBUG` (any value but 0/false) brings it back. */
export function debugEnabled(): boolean {
  const value = process.env.DEBUG
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false'
}

export function debugLog(scope: string, message: string): void {
  if (debugEnabled())
    process.stderr.write(`[testkit:${scope}] ${message.endsWith('\n') ? message : `${message}\n`}`)
}

/** Keeps the last lines a server printed, so a failed start can say why even when output is silenced. */
export class LogTail {
  readonly #lines: string[] = []
  readonly #max: number

  constructor(max = 40) {
    this.#max = max
  }

  push(chunk: string): void {
    for (const line of chunk.split(/\r?\n/)) {
      if (line.trim() === '') continue
      this.#lines.push(line)
      if (this.#lines.length > this.#max) this.#lines.shift()
    }
  }

  /** The lines kept, oldest first. */
  lines(): readonly string[] {
    return [...this.#lines]
  }

  toString(): string {
    return this.#lines.join('\n')
  }
}
