import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createJobWorkspace, removeJobWorkspace } from './job-workspace.js'

describe('job workspace', () => {
  let base: string
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'taskforge-workspace-'))
  })
  afterAll(() => rm(base, { recursive: true, force: true }))

  const script = { filename: '../run me.sh', content: Buffer.from('#!/bin/sh\necho hi\n') }

  it('makes the jobs root, a private directory and an executable script, and removes them all', async () => {
    const root = join(base, 'jobs')
    const workspace = await createJobWorkspace(root, 'job-1', script)
    expect(workspace.scriptPath).toBe(join(root, 'job-1', 'run_me.sh'))
    expect((await stat(workspace.dir)).mode & 0o777).toBe(0o700)
    expect((await stat(workspace.scriptPath)).mode & 0o777).toBe(0o755)
    expect(await readFile(workspace.scriptPath, 'utf8')).toBe('#!/bin/sh\necho hi\n')
    await removeJobWorkspace(workspace)
    expect(await readdir(root)).toEqual([])
  })

  it('replaces what an earlier run of the job left, and sweeps what a script left behind', async () => {
    const root = join(base, 'again')
    const first = await createJobWorkspace(root, 'job-2', script)
    await writeFile(join(first.dir, 'stale'), 'x')
    const second = await createJobWorkspace(root, 'job-2', script)
    expect(await readdir(second.dir)).toEqual(['run_me.sh'])
    await writeFile(join(second.dir, 'left'), 'x')
    await rm(second.scriptPath)
    await removeJobWorkspace(second)
    expect(await readdir(root)).toEqual([])
  })
})
