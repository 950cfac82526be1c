import type { RecordedAttempt } from './delivery-store.js'

/** Attempts written together at most (one transaction, a few statements). */
export const MAX_RECORD_BATCH = 256

/** Postgres' deadlock_detected: a batch that lost to a deletion is simply written again. */
const DEADLOCK = '40P01'
const WRITE_TRIES = 3

interface Waiting {
  entry: RecordedAttempt
  resolve: () => void
  reject: (error: unknown) => void
}

/**
 * Group commit of attempts: each finished attempt waits for the next write, and every attempt that
 * finished while a write ran goes into the one after it. Under load a write carries many attempts,
 * so the database sees a few statements per batch instead of a transaction per attempt; alone, an
 * attempt is written once the event loop has taken the other answers that arrived with it.
 */
export class AttemptRecorder {
  readonly #write: (attempts: readonly RecordedAttempt[]) => Promise<void>
  #queue: Waiting[] = []
  #writing: Promise<void> | undefined

  constructor(write: (attempts: readonly RecordedAttempt[]) => Promise<void>) {
    this.#write = write
  }

  /** Resolves once the attempt is committed; rejects when its batch could not be written. */
  record(entry: RecordedAttempt): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject })
      this.#writing ??= this.#drain()
    })
  }

  async #drain(): Promise<void> {
    try {
      // Attempts whose answers arrived in the same turn of the event loop go in the first write too.
      await new Promise<void>((resolve) => setImmediate(resolve))
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_RECORD_BATCH)
        try {
          await this.#writeWithRetry(batch.map((waiting) => waiting.entry))
          for (const waiting of batch) waiting.resolve()
        } catch (error) {
          for (const waiting of batch) waiting.reject(error)
        }
      }
    } finally {
      this.#writing = undefined
    }
  }

  async #writeWithRetry(attempts: RecordedAttempt[]): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await this.#write(attempts)
        return
      } catch (error) {
        if (tries >= WRITE_TRIES || (error as { code?: string }).code !== DEADLOCK) throw error
      }
    }
  }
}
