import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')

/** The fenced blocks of one README section (from its `## ` heading to the next), by language. */
async function blocksOf(section: string): Promise<{ lang: string; text: string }[]> {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const start = readme.indexOf(`## ${section}\n`)
  if (start < 0) throw new Error(`README has no section ${section}`)
  const end = readme.indexOf('\n## ', start + 1)
  const body = readme.slice(start, end < 0 ? undefined : end)
  return [...body.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] ?? '', text: m[2] ?? '' }))
}

// "Your first run", pasted into a shell in a checkout where `npm start` runs: every shell block as
// written, in a directory whose .data is the platform's, must print what the README shows.
describe('README: your first run', () => {
  let platform: Platform
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'taskforge-readme-'))
    await mkdir(join(dir, '.data'))
    platform = await startPlatform({
      dataDir: join(dir, '.data'),
      persistent: false,
      gatewayPort: await freePort(),
      withBot: true,
    })
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('prints the finished job the README shows when its shell blocks are pasted as written', async () => {
    const blocks = await blocksOf('Your first run')
    const shell = blocks.filter((block) => block.lang === 'sh').map((block) => block.text)
    const shown = blocks.filter((block) => block.lang === 'json').at(-1)
    expect(shell.length).toBeGreaterThan(0)
    const run = spawnSync('sh', ['-e', '-c', shell.join('\n')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 90_000,
    })
    expect(run.status, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(shown?.text ?? 'null'))
  })

  // "The CLI", pasted after the first run in the same checkout: the directory stands for it, with
  // the workspace's package.json and node_modules, so `npx taskforge` is the workspace's command.
  it('prints the log the CLI section shows when its shell block is pasted after the first run', async () => {
    await symlink(join(root, 'package.json'), join(dir, 'package.json'))
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'))
    const blocks = await blocksOf('The CLI')
    const shell = blocks.filter((block) => block.lang === 'sh').map((block) => block.text)
    const shown = blocks.filter((block) => block.lang === 'text').at(-1)
    expect(shell.length).toBeGreaterThan(0)
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('TASKFORGE_')),
    )
    const run = spawnSync('sh', ['-e', '-c', shell.join('\n')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 90_000,
      env: { ...clean, XDG_CONFIG_HOME: join(dir, '.config') },
    })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toBe(shown?.text)
  })
})
