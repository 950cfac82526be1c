import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { parseCredentials } from '../../services/bot/src/credentials.js'
import { repoPath } from './support/shapes.js'

// The compose `bootstrap` one-shot, run against the real platform (every service as `npm start`
// runs them), with its files in a temporary directory instead of the compose volumes.

const SCRIPT = repoPath('deploy/docker/bootstrap.mjs')

interface Run {
  code: number
  stdout: string
  stderr: string
}

describe('deploy/docker/bootstrap.mjs against the running platform', () => {
  let platform: Platform
  let dir = ''
  let botFile = ''
  let devFile = ''

  const bootstrap = (env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      const fullEnv = {
        PATH: process.env.PATH ?? '',
        GATEWAY_URL: platform.gatewayUrl,
        ROOT_TOKEN: platform.rootToken,
        BOOTSTRAP_CUSTOMER: 'compose',
        BOT_CREDENTIALS_FILE: botFile,
        DEV_CREDENTIALS_FILE: devFile,
        BOOTSTRAP_TIMEOUT_SECONDS: '60',
        ...env,
      }
      execFile(process.execPath, [SCRIPT], { env: fullEnv }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ code, stdout, stderr })
      })
    })

  const readJson = async (file: string): Promise<Record<string, unknown>> =>
    JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>

  const listBots = async (token: string): Promise<unknown[]> => {
    const response = await fetch(`${platform.gatewayUrl}/compose/bot`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(200)
    return (await response.json()) as unknown[]
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'taskforge-bootstrap-'))
    botFile = join(dir, 'credentials', 'bot.json')
    devFile = join(dir, 'bootstrap', 'dev-credentials.json')
    platform = await startPlatform({
      dataDir: join(dir, 'platform'),
      persistent: false,
      gatewayPort: await freePort(),
      withBot: false,
      log: () => {},
    })
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('registers the organization and the bot, and saves the file the agent reads', async () => {
    const run = await bootstrap()
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const credentials = parseCredentials(await readFile(botFile, 'utf8'))
    expect(credentials).toMatchObject({ customer: 'compose', name: 'local' })
    expect(credentials.natsUrl).toMatch(/^nats:\/\//)
    const dev = await readJson(devFile)
    expect(dev).toMatchObject({
      gateway_url: platform.gatewayUrl,
      root_token: platform.rootToken,
      customer: 'compose',
      bot: { id: credentials.botId, name: 'local' },
    })
    const bots = await listBots(String(dev.admin_token))
    expect(bots).toContainEqual(expect.objectContaining({ id: credentials.botId, name: 'local' }))
  })

  it('leaves everything as it is on the next start', async () => {
    const before = await readFile(botFile, 'utf8')
    const run = await bootstrap()
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('nothing to do')
    expect(await readFile(botFile, 'utf8')).toBe(before)
  })

  it('reuses an existing organization through the root token when its saved state is gone', async () => {
    await rm(botFile)
    await rm(devFile)
    const run = await bootstrap({ BOOTSTRAP_BOT_NAME: 'second' })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('issued a new admin token')
    const credentials = parseCredentials(await readFile(botFile, 'utf8'))
    expect(credentials.name).toBe('second')
    const dev = await readJson(devFile)
    expect(await listBots(String(dev.admin_token))).toHaveLength(2)
  })

  it('stops with the way out when the bot exists but its credentials file is lost', async () => {
    await rm(botFile)
    const run = await bootstrap({ BOOTSTRAP_BOT_NAME: 'second' })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('docker compose down -v')
  })

  it('refuses to start without the root token', async () => {
    const run = await bootstrap({ ROOT_TOKEN: '' })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('ROOT_TOKEN is required')
  })
})
