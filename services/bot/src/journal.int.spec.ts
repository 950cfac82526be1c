import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Journal } from './journal.js'

describe('Journal', () => {
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bot-journal-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('remembers started and finished jobs across reopenings', async () => {
    const journal = await Journal.open(dir)
    await Promise.all([journal.recordStarted('a', 1), journal.recordStarted('b', 2)])
    await journal.recordFinished('b')
    await journal.close()

    const reopened = await Journal.open(dir)
    expect(reopened.get('a')).toMatchObject({ attempt: 1, finished: false })
    expect(reopened.get('b')).toMatchObject({ attempt: 2, finished: true })
    expect(reopened.unfinished().map((entry) => entry.jobId)).toEqual(['a'])
    await reopened.close()
  })

  it('survives a line cut short by a crash', async () => {
    const journal = await Journal.open(dir)
    await journal.recordStarted('a', 1)
    await journal.close()
    await appendFile(join(dir, 'journal.jsonl'), '{"op":"finished","jo')
    const reopened = await Journal.open(dir)
    expect(reopened.get('a')?.finished).toBe(false)
    await reopened.close()
  })

  it('passes over the pid lines of journals written by earlier versions', async () => {
    const journal = await Journal.open(dir)
    await journal.recordStarted('a', 1)
    await journal.close()
    await appendFile(join(dir, 'journal.jsonl'), '{"op":"pid","job":"a","pid":1234}\n')
    const reopened = await Journal.open(dir)
    expect(reopened.get('a')).toEqual({
      jobId: 'a',
      attempt: 1,
      startedAt: expect.any(String),
      finished: false,
    })
    await reopened.close()
  })

  it('keeps only the most recent finished jobs, and every unfinished one', async () => {
    const journal = await Journal.open(dir)
    for (const id of ['old', 'mid', 'running', 'new']) await journal.recordStarted(id, 1)
    for (const id of ['old', 'mid', 'new']) await journal.recordFinished(id)
    await journal.close()
    const reopened = await Journal.open(dir, { keepFinished: 1 })
    expect(reopened.get('old')).toBeUndefined()
    expect(reopened.get('mid')).toBeUndefined()
    expect(reopened.get('running')?.finished).toBe(false)
    expect(reopened.get('new')?.finished).toBe(true)
    await reopened.close()
    expect((await readFile(join(dir, 'journal.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(3)
  })

  it('writes records made together in their order, each resolved once on disk', async () => {
    const journal = await Journal.open(dir)
    const ids = Array.from({ length: 20 }, (_, i) => `job-${i}`)
    const first = ids.map((id) => journal.recordStarted(id, 1))
    await Promise.resolve()
    const second = ids.filter((_, i) => i % 2 === 0).map((id) => journal.recordFinished(id))
    await Promise.all([...first, ...second])
    const lines = (await readFile(join(dir, 'journal.jsonl'), 'utf8')).trim().split('\n')
    expect(lines.map((line) => JSON.parse(line).op)).toEqual([
      ...ids.map(() => 'started'),
      ...ids.filter((_, i) => i % 2 === 0).map(() => 'finished'),
    ])
    expect(lines.map((line) => JSON.parse(line).job)).toEqual([...ids, ...ids.filter((_, i) => i % 2 === 0)])
    await journal.close()
    const reopened = await Journal.open(dir)
    expect(reopened.get('job-6')).toMatchObject({ attempt: 1, finished: true })
    expect(reopened.get('job-7')).toMatchObject({ attempt: 1, finished: false })
    await reopened.close()
  })

  it('keeps the same bound in memory while it runs', async () => {
    const journal = await Journal.open(dir, { keepFinished: 2 })
    await journal.recordStarted('running', 1)
    for (const id of ['a', 'b', 'c']) {
      await journal.recordStarted(id, 1)
      await journal.recordFinished(id)
    }
    await journal.recordCanceled('d', 1)
    expect(journal.get('a')).toBeUndefined()
    expect(journal.get('b')).toBeUndefined()
    expect(journal.get('c')?.finished).toBe(true)
    expect(journal.get('d')?.finished).toBe(true)
    expect(journal.unfinished().map((entry) => entry.jobId)).toEqual(['running'])
    await journal.recordStarted('c', 2)
    await journal.recordFinished('running')
    expect(journal.get('d')?.finished).toBe(true)
    expect(journal.get('running')?.finished).toBe(true)
    expect(journal.get('c')).toMatchObject({ attempt: 2, finished: false })
    await journal.close()
  })
})
