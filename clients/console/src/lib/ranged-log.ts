/** An answer of `GET /:customer/job/:id/log?offset=&limit=` or `?tail=`: lines from `offset`. */
export interface LineRange {
  offset: number
  lines: string[]
  total_lines: number
  complete: boolean
}
export type RangeQuery = { offset: number; limit: number } | { tail: number }
export type RangeFetcher = (query: RangeQuery) => Promise<LineRange>

/** What a gateway without line ranges answers: the whole log so far, as text. */
export class WholeLog extends Error {
  constructor(
    readonly text: string,
    readonly done: boolean,
  ) {
    super('the gateway answered the whole log')
  }
}

/** Lines asked at once: the gateway answers at most 10,000 per range. */
export const BLOCK = 2000

/**
 * A log read by line ranges from the server, never whole: it opens at its tail, loads the blocks of
 * lines the reader scrolls to, and while the job runs reads from its last line on (which may have
 * grown) to the end. Holds only the blocks that were looked at.
 */
export class RangedLog {
  total = 0
  complete = false
  readonly #blocks = new Map<number, string[]>()
  readonly #filled = new Map<number, number>()
  readonly #loading = new Set<number>()

  constructor(readonly fetchRange: RangeFetcher) {}

  /** Reads the last block: the end of the log is what a reader wants first. */
  async open(): Promise<void> {
    this.absorb(await this.fetchRange({ tail: BLOCK }))
  }

  absorb(range: LineRange): void {
    this.total = range.total_lines
    this.complete = range.complete
    range.lines.forEach((line, k) => {
      const index = range.offset + k
      const block = Math.floor(index / BLOCK)
      let lines = this.#blocks.get(block)
      if (!lines) {
        lines = []
        this.#blocks.set(block, lines)
      }
      if (lines[index % BLOCK] === undefined) this.#filled.set(block, (this.#filled.get(block) ?? 0) + 1)
      lines[index % BLOCK] = line
    })
  }

  /** Line `index`, or undefined while its block is not loaded. */
  line(index: number): string | undefined {
    return this.#blocks.get(Math.floor(index / BLOCK))?.[index % BLOCK]
  }

  #full(block: number): boolean {
    return (this.#filled.get(block) ?? 0) >= Math.min(BLOCK, this.total - block * BLOCK)
  }

  /** Loads the blocks of lines `start` to `end` not held yet; answers whether it loaded any. */
  async ensure(start: number, end: number): Promise<boolean> {
    const wanted: number[] = []
    for (let block = Math.floor(start / BLOCK); block * BLOCK < Math.min(end, this.total); block++)
      if (!this.#full(block) && !this.#loading.has(block)) wanted.push(block)
    await Promise.all(
      wanted.map(async (block) => {
        this.#loading.add(block)
        try {
          this.absorb(await this.fetchRange({ offset: block * BLOCK, limit: BLOCK }))
        } finally {
          this.#loading.delete(block)
        }
      }),
    )
    return wanted.length > 0
  }

  /** Reads what was added since the last read: from the last line held (it may have grown) on. */
  async more(): Promise<boolean> {
    const before = this.total
    const from = Math.max(0, this.total - 1)
    const range = await this.fetchRange({ offset: from, limit: BLOCK * 5 })
    this.absorb(range)
    // Far behind (a burst of output): the rest is loaded when the reader gets there.
    return this.total !== before || range.lines.length > 0
  }
}
