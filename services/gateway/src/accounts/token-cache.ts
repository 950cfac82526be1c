import type { Caller } from './accounts.js'

interface Entry {
  caller: Caller
  expiresAt: number
}

/**
 * The callers of recently presented tokens, by token hash, so a request does not cost a database
 * round trip to learn who sent it. Only known tokens are kept (an unknown one is asked again: it
 * is no hot path, and junk tokens must not fill memory).
 *
 * A revocation must still stop a token at once, on every replica: {@link clear} forgets everything,
 * and an answer read from the database before a clear is not kept after it (the generation check),
 * since it may predate the revocation. Entries also expire after `ttlMs`, a bound on staleness
 * should a clear ever be missed.
 */
export class TokenCache {
  readonly #entries = new Map<string, Entry>()
  readonly #ttlMs: number
  readonly #maxEntries: number
  readonly #now: () => number
  #generation = 0

  constructor(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 5_000
    this.#maxEntries = options.maxEntries ?? 10_000
    this.#now = options.now ?? Date.now
  }

  /** Counts clears: take it before reading the database, give it back to {@link set}. */
  get generation(): number {
    return this.#generation
  }

  get(tokenHash: string): Caller | undefined {
    const entry = this.#entries.get(tokenHash)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(tokenHash)
      return undefined
    }
    return entry.caller
  }

  /** Keeps `caller`, unless the cache was cleared since `generation` was taken. */
  set(tokenHash: string, caller: Caller, generation: number): void {
    if (generation !== this.#generation || this.#ttlMs <= 0) return
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear()
    const frozen = Object.freeze({ ...caller, tags: Object.freeze([...caller.tags]) }) as Caller
    this.#entries.set(tokenHash, { caller: frozen, expiresAt: this.#now() + this.#ttlMs })
  }

  clear(): void {
    this.#generation += 1
    this.#entries.clear()
  }
}
