import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { contentSha256 } from '@taskforge/core'
import { createLogger } from '@taskforge/telemetry'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ScriptCache, type ScriptRef, type ScriptSource, ScriptUnavailableError } from './script-cache.js'

const logger = createLogger('bot', {}, { level: 'silent' })

const refOf = (content: string): ScriptRef => ({
  sha256: contentSha256(Buffer.from(content)),
  size: Buffer.byteLength(content),
})

/** A source answering from a map, counting fetches; `hold` keeps the next fetches waiting until released. */
function mapSource(contents: Record<string, string>) {
  const bySha = new Map(Object.values(contents).map((content) => [refOf(content).sha256, content]))
  let release: (() => void) | undefined
  const source = {
    fetches: [] as string[],
    held: undefined as Promise<void> | undefined,
    hold() {
      source.held = new Promise<void>((resolve) => {
        release = resolve
      })
    },
    release: () => release?.(),
    async fetch(ref: ScriptRef) {
      source.fetches.push(ref.sha256)
      await source.held
      const content = bySha.get(ref.sha256)
      if (content === undefined) throw new ScriptUnavailableError('not found')
      return Buffer.from(content)
    },
  } satisfies ScriptSource & Record<string, unknown>
  return source
}

describe('ScriptCache', () => {
  let dir: string
  const never = new AbortController().signal

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'script-cache-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('fetches a script once, for jobs that ask at the same time and for later ones', async () => {
    const source = mapSource({ a: 'echo a\n' })
    const cache = new ScriptCache({ dir, source, logger })
    source.hold()
    const together = [cache.content(refOf('echo a\n'), never), cache.content(refOf('echo a\n'), never)]
    source.release()
    for (const content of await Promise.all(together)) expect(content.toString()).toBe('echo a\n')
    expect((await cache.content(refOf('echo a\n'), never)).toString()).toBe('echo a\n')
    // Another cache on the same directory (the bot restarted) holds it too.
    const restarted = new ScriptCache({ dir, source, logger })
    expect((await restarted.content(refOf('echo a\n'), never)).toString()).toBe('echo a\n')
    expect(source.fetches).toHaveLength(1)
  })

  it('fetches again a cached file that no longer matches its hash', async () => {
    const source = mapSource({ a: 'echo a\n' })
    const cache = new ScriptCache({ dir, source, logger })
    const ref = refOf('echo a\n')
    await cache.content(ref, never)
    await writeFile(join(dir, ref.sha256), 'echo tampered\n')
    // The bot restarted: nothing is held in memory, the file is read and checked.
    const restarted = new ScriptCache({ dir, source, logger })
    expect((await restarted.content(ref, never)).toString()).toBe('echo a\n')
    expect(source.fetches).toHaveLength(2)
  })

  it('holds recently used scripts in memory, within its bound, and reads the others from the disk', async () => {
    const contents = { a: 'echo a\n', b: 'echo bb\n' }
    const source = mapSource(contents)
    const cache = new ScriptCache({ dir, source, logger, maxHeldBytes: 9 })
    await cache.content(refOf(contents.a), never)
    // Held: the file is not read again (a file changed under it goes unnoticed until it is let go).
    await writeFile(join(dir, refOf(contents.a).sha256), 'echo tampered\n')
    expect((await cache.content(refOf(contents.a), never)).toString()).toBe('echo a\n')
    // b does not fit beside a: a is let go, and read from the disk again (and found wrong).
    await cache.content(refOf(contents.b), never)
    expect((await cache.content(refOf(contents.a), never)).toString()).toBe('echo a\n')
    expect(source.fetches).toEqual([
      refOf(contents.a).sha256,
      refOf(contents.b).sha256,
      refOf(contents.a).sha256,
    ])
  })

  it('refuses what the source answers wrong, and a job that names no script', async () => {
    const ref = refOf('echo a\n')
    const wrong: ScriptSource = { fetch: async () => Buffer.from('echo b\n') }
    const cache = new ScriptCache({ dir, source: wrong, logger })
    await expect(cache.content(ref, never)).rejects.toThrow(ScriptUnavailableError)
    await expect(cache.content({ sha256: '../../etc/passwd', size: 1 }, never)).rejects.toThrow(
      /names no script/,
    )
    await expect(cache.content(refOf('missing'), never)).rejects.toThrow(ScriptUnavailableError)
    expect(await readdir(dir)).toEqual([])
  })

  it('stops waiting for a job that is stopped, and leaves the download to the others', async () => {
    const source = mapSource({ a: 'echo a\n' })
    const cache = new ScriptCache({ dir, source, logger })
    const stopped = new AbortController()
    source.hold()
    const abandoned = cache.content(refOf('echo a\n'), stopped.signal)
    const kept = cache.content(refOf('echo a\n'), never)
    stopped.abort(new Error('canceled'))
    await expect(abandoned).rejects.toThrow('canceled')
    source.release()
    expect((await kept).toString()).toBe('echo a\n')
  })

  it('keeps the most recently used scripts when it makes room', async () => {
    const contents = Object.fromEntries(['a', 'b', 'c', 'd'].map((name) => [name, `echo ${name}\n`]))
    const source = mapSource(contents)
    // Nothing held in memory: every use reads, and touches, the file.
    const cache = new ScriptCache({ dir, source, logger, maxEntries: 2, maxHeldBytes: 0 })
    await cache.content(refOf(contents.a!), never)
    await cache.content(refOf(contents.b!), never)
    // Both used long ago, a before b; then a is used again: b is the least recently used.
    await utimes(join(dir, refOf(contents.a!).sha256), 1_000, 1_000)
    await utimes(join(dir, refOf(contents.b!).sha256), 2_000, 2_000)
    await cache.content(refOf(contents.a!), never)
    await cache.content(refOf(contents.c!), never)
    expect((await readdir(dir)).sort()).toEqual([refOf(contents.a!).sha256, refOf(contents.c!).sha256].sort())
  })

  it('never removes from the disk a script it holds in memory', async () => {
    const contents = Object.fromEntries(['a', 'b', 'c'].map((name) => [name, `echo ${name}\n`]))
    const source = mapSource(contents)
    const cache = new ScriptCache({ dir, source, logger, maxEntries: 2, maxHeldBytes: 14 })
    await cache.content(refOf(contents.a!), never)
    await cache.content(refOf(contents.b!), never)
    await utimes(join(dir, refOf(contents.a!).sha256), 1_000, 1_000)
    await utimes(join(dir, refOf(contents.b!).sha256), 2_000, 2_000)
    // a is used again from memory (its file untouched); c comes in and b is let go of.
    await cache.content(refOf(contents.a!), never)
    await cache.content(refOf(contents.c!), never)
    // a's file is the oldest, but a is held: b goes.
    expect((await readdir(dir)).sort()).toEqual([refOf(contents.a!).sha256, refOf(contents.c!).sha256].sort())
  })
})
