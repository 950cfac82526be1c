/**
 * Passes the platform's log lines through, up to a limit: with LOG_LEVEL=warn there should be few,
 * and a flood must not become the benchmark's own bottleneck.
 */
export class LogSink {
  #printed = 0
  #dropped = 0

  constructor(private readonly limit = 40) {}

  readonly write = (line: string): void => {
    if (this.#printed < this.limit) {
      this.#printed += 1
      console.log(line)
    } else {
      this.#dropped += 1
    }
  }

  /** Lines not printed since the last call. */
  takeDropped(): number {
    const dropped = this.#dropped
    this.#dropped = 0
    return dropped
  }
}
