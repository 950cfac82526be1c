import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { natsAuthFiles, PLATFORM_SERVICES } from '@taskforge/nats-operator'
import { connectNats, type NatsConnection, type NatsServer, startNats } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCompose } from './support/compose-file.js'
import { composeNatsAuth } from './support/nats-auth-layout.js'
import { serviceNames } from './support/service-settings.js'
import { REPO_ROOT, readRepoFile, repoPath } from './support/shapes.js'

// The NATS authentication of docker-compose.yml, for real: nats-auth-init's program writes it into
// what stands for the shared volume, a local nats-server runs on compose's configuration file (-c, its
// include resolved as in the nats container), and the services' and bots' users are checked against it.

const run = promisify(execFile)
const layout = composeNatsAuth(loadCompose())
const SERVICES = serviceNames().filter((name) => name !== 'bot')

/** nats-auth-init as the image runs it, from the package's sources. */
async function natsAuthInit(dir: string): Promise<void> {
  await run(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', repoPath('packages/nats-operator/src/main.ts'), dir],
    { cwd: REPO_ROOT },
  )
}

function envFile(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const at = line.indexOf('=')
    if (at > 0) env[line.slice(0, at)] = line.slice(at + 1)
  }
  return env
}

const decoder = new TextDecoder()

async function jsApi(nc: NatsConnection, subject: string, body: unknown): Promise<Record<string, unknown>> {
  const reply = await nc.request(subject, JSON.stringify(body), { timeout: 5_000 })
  return JSON.parse(decoder.decode(reply.data)) as Record<string, unknown>
}

describe('NATS authentication as docker-compose.yml sets it up', () => {
  let work = ''
  let authDir = ''
  let nats: NatsServer

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'taskforge-nats-auth-'))
    // The nats container's file system: the configuration's directory and the init's volume.
    const root = join(work, 'root')
    authDir = join(root, layout.authDir)
    const configDir = join(root, posix.dirname(layout.configPath))
    await mkdir(configDir, { recursive: true })
    await natsAuthInit(authDir)
    nats = await startNats({ dataDir: configDir, configText: readRepoFile(layout.configSource) })
  }, 120_000)

  afterAll(async () => {
    await nats?.stop()
    await rm(work, { recursive: true, force: true })
  })

  it('issues a user to every service by default', () => {
    expect([...PLATFORM_SERVICES].sort()).toEqual(SERVICES)
  })

  it('refuses a client without credentials', async () => {
    await expect(connectNats(nats.url)).rejects.toThrow(/authorization/i)
  })

  it('lets every service use JetStream with its .creds file', async () => {
    for (const service of SERVICES) {
      const creds = await readFile(join(natsAuthFiles(authDir).credentials, `${service}.creds`), 'utf8')
      const nc = await connectNats(nats.url, { creds, name: service })
      try {
        const stream = `CHECK_${service.replace('-', '_').toUpperCase()}`
        const created = await jsApi(nc, `$JS.API.STREAM.CREATE.${stream}`, {
          name: stream,
          subjects: [`check.${service}.>`],
          storage: 'memory',
        })
        expect(created.error, service).toBeUndefined()
        const ack = await jsApi(nc, `check.${service}.one`, { hello: service })
        expect(ack, service).toMatchObject({ stream, seq: 1 })
      } finally {
        await nc.close()
      }
    }
  })

  it('lets bot-dispatch issue bots users the server accepts, before and after the init runs again', async () => {
    const { loadBotCredentialIssuer } = (await import(
      pathToFileURL(repoPath('services/bot-dispatch/src/main.ts')).href
    )) as typeof import('../../services/bot-dispatch/src/main.js')
    const files = natsAuthFiles(authDir)
    const env = {
      ...envFile(await readFile(files.botIssuerEnv, 'utf8')),
      NATS_CREDS: join(files.credentials, 'bot-dispatch.creds'),
    }
    // What issuing and revoking bot users takes (decision 19): the account's signing key, the
    // operator's signing key and the account JWT it re-signs, and the system user that pushes it.
    expect(Object.keys(env).sort()).toEqual([
      'NATS_ACCOUNT',
      'NATS_ACCOUNT_JWT',
      'NATS_ACCOUNT_SIGNING_SEED',
      'NATS_CREDS',
      'NATS_OPERATOR_SIGNING_SEED',
      'NATS_SYSTEM_USER_JWT',
      'NATS_SYSTEM_USER_SEED',
    ])
    const issuer = loadBotCredentialIssuer(env)
    const bot = await issuer!.issue('bot-1')
    const connectBot = () =>
      connectNats(nats.url, { user: { jwt: bot.jwt, seed: bot.seed }, inboxPrefix: bot.inboxPrefix })
    const first = await connectBot()
    await first.flush()
    await first.close()

    // A later `docker compose up`: the operator is kept, the services get new users.
    const before = await readFile(files.serverConfig, 'utf8')
    const gatewayBefore = await readFile(join(files.credentials, 'gateway.creds'), 'utf8')
    await natsAuthInit(authDir)
    await nats.restart()
    expect(await readFile(files.serverConfig, 'utf8')).toBe(before)
    const gatewayAfter = await readFile(join(files.credentials, 'gateway.creds'), 'utf8')
    expect(gatewayAfter).not.toBe(gatewayBefore)
    const again = await connectBot()
    await again.flush()
    await again.close()
    for (const creds of [gatewayBefore, gatewayAfter]) {
      const nc = await connectNats(nats.url, { creds })
      await nc.flush()
      await nc.close()
    }
  })
})
