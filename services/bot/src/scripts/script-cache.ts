import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { contentSha256, isContentSha256 } from '@taskforge/core'
import type { Logger } from '@taskforge/telemetry'

/** How a job names its script: the hash and length of its content. */
export interface ScriptRef {
  sha256: string
  size: number
}

/** The script of a job cannot be had: the job fails with this message and is not retried by the bot. */
export class ScriptUnavailableError extends Error {
  override name = 'ScriptUnavailableError'
}

/** Where a script's content comes from when this bot does not hold it yet. */
export interface ScriptSource {
  /** The content `ref` names, as the platform answers it (the cache checks it against the hash). */
  fetch(ref: ScriptRef, signal: AbortSignal): Promise<Uint8Array>
}

/** Scripts kept when the cache makes room: the most recently used ones stay. */
export const DEFAULT_CACHED_SCRIPTS = 256

/** Bytes of scripts also held in memory, the most recently used ones (32 of the largest allowed). */
export const DEFAULT_HELD_BYTES = 8 * 1024 * 1024

const describe = (ref: ScriptRef) => `script ${ref.sha256.slice(0, 12)} (${ref.size} bytes)`

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code

/** Settles like `promise`, or rejects with the signal's reason when it aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

/**
 * The scripts of this bot's jobs, on disk under their hash (decision 15): a script is fetched once,
 * however many jobs run it, and jobs of one script arriving together share one download. A download
 * is written only once its content matches the hash, so a file in the cache is a whole, right
 * script; a file found wrong anyway (disk trouble) is dropped and fetched again.
 *
 * The most recently used scripts are also held in memory, checked once when they came in: a job
 * of a script run a moment ago costs no file read, hash or touch of the disk. A script held in
 * memory is in use, and is never the one removed from the disk to make room.
 */
export class ScriptCache {
  readonly #dir: string
  readonly #source: ScriptSource
  readonly #logger: Logger
  readonly #maxEntries: number
  readonly #maxHeldBytes: number
  /** Contents held in memory by hash, least recently used first, and their bytes together. */
  readonly #held = new Map<string, Buffer>()
  #heldBytes = 0
  readonly #downloads = new Map<string, Promise<Buffer>>()
  /** Aborts the downloads when the bot stops; a job that stops waiting leaves its download to others. */
  readonly #closing = new AbortController()

  constructor(options: {
    dir: string
    source: ScriptSource
    logger: Logger
    maxEntries?: number
    maxHeldBytes?: number
  }) {
    this.#dir = options.dir
    this.#source = options.source
    this.#logger = options.logger
    this.#maxEntries = options.maxEntries ?? DEFAULT_CACHED_SCRIPTS
    this.#maxHeldBytes = options.maxHeldBytes ?? DEFAULT_HELD_BYTES
  }

  /**
   * The content of the script `ref` names, from the disk, else from the source. Rejects with a
   * {@link ScriptUnavailableError} when the job names no valid script or the source has none that
   * matches, and with the signal's reason when the job stops waiting.
   */
  async content(ref: ScriptRef, signal: AbortSignal): Promise<Buffer> {
    if (!isContentSha256(ref.sha256)) {
      throw new ScriptUnavailableError(`the job names no script (script hash "${ref.sha256.slice(0, 80)}")`)
    }
    const held = this.#held.get(ref.sha256)
    if (held !== undefined && held.length === ref.size) {
      this.#held.delete(ref.sha256)
      this.#held.set(ref.sha256, held)
      return held
    }
    const cached = await this.#read(ref)
    if (cached !== undefined) return this.#hold(ref.sha256, cached)
    let download = this.#downloads.get(ref.sha256)
    if (download === undefined) {
      download = this.#download(ref).finally(() => this.#downloads.delete(ref.sha256))
      this.#downloads.set(ref.sha256, download)
    }
    return untilAborted(download, signal)
  }

  /** Stops the downloads under way. */
  close(): void {
    this.#closing.abort(new Error('bot shutting down'))
  }

  /** Holds `content` in memory as the most recently used, letting go of the least recently used past the bound. */
  #hold(sha256: string, content: Buffer): Buffer {
    if (content.length > this.#maxHeldBytes || this.#held.has(sha256)) return content
    this.#held.set(sha256, content)
    this.#heldBytes += content.length
    for (const [oldest, bytes] of this.#held) {
      if (this.#heldBytes <= this.#maxHeldBytes) break
      this.#held.delete(oldest)
      this.#heldBytes -= bytes.length
    }
    return content
  }

  #path(sha256: string): string {
    return join(this.#dir, sha256)
  }

  async #read(ref: ScriptRef): Promise<Buffer | undefined> {
    const path = this.#path(ref.sha256)
    let content: Buffer
    try {
      content = await readFile(path)
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined
      throw error
    }
    if (content.length !== ref.size || contentSha256(content) !== ref.sha256) {
      this.#logger.warn({ sha256: ref.sha256, path }, 'cached script does not match its hash: fetched again')
      await unlink(path).catch(() => {})
      return undefined
    }
    // The modification time orders scripts by last use when the cache makes room.
    const now = new Date()
    await utimes(path, now, now).catch(() => {})
    return content
  }

  async #download(ref: ScriptRef): Promise<Buffer> {
    const started = Date.now()
    let content: Buffer
    try {
      content = Buffer.from(await this.#source.fetch(ref, this.#closing.signal))
    } catch (error) {
      if (!(error instanceof ScriptUnavailableError)) throw error
      throw new ScriptUnavailableError(`${describe(ref)} is not available: ${error.message}`)
    }
    const sha256 = contentSha256(content)
    if (content.length !== ref.size || sha256 !== ref.sha256) {
      throw new ScriptUnavailableError(
        `${describe(ref)} came as ${content.length} bytes with hash ${sha256.slice(0, 12)}: not run`,
      )
    }
    await mkdir(this.#dir, { recursive: true, mode: 0o700 })
    // Written aside and renamed, so a crash mid-write never leaves a partial script under the hash
    // (one download per hash at a time: the next one of the same hash overwrites a leftover).
    const partial = join(this.#dir, `.${ref.sha256}.partial`)
    await writeFile(partial, content, { mode: 0o600 })
    await rename(partial, this.#path(ref.sha256))
    this.#logger.info({ sha256: ref.sha256, size: ref.size, ms: Date.now() - started }, 'script fetched')
    this.#hold(ref.sha256, content)
    await this.#makeRoom().catch((error: unknown) =>
      this.#logger.warn({ err: error, dir: this.#dir }, 'script cache not trimmed'),
    )
    return content
  }

  /** Removes the least recently used scripts past the cache's size. */
  async #makeRoom(): Promise<void> {
    const names = (await readdir(this.#dir)).filter(isContentSha256)
    if (names.length <= this.#maxEntries) return
    const used = await Promise.all(
      names.map(async (name) => ({
        name,
        at: this.#held.has(name) ? Number.POSITIVE_INFINITY : (await stat(this.#path(name))).mtimeMs,
      })),
    )
    used.sort((a, b) => a.at - b.at)
    for (const { name } of used.slice(0, used.length - this.#maxEntries)) {
      await unlink(this.#path(name)).catch(() => {})
    }
  }
}
