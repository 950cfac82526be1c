import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { jwtIssuer, jwtMayPublish } from './nats-auth.js'
import { readJson, writeJson } from './state-files.js'

/** What `npm start` prints and saves in `.data/dev-credentials.json` (contract §1). */
export interface DevCredentials {
  gateway_url: string
  root_token: string
  customer: string
  admin_token: string
  bot: { id: string; name: string }
}

/** The credentials file of a bot: the REST answer of `POST /:customer/bot`. */
export interface BotCredentialsFile {
  id: string
  name: string
  customer: string
  nats_url: string
  [key: string]: unknown
}

export const DEV_CUSTOMER = 'demo'
export const DEV_BOT = 'local'

export function devFiles(dataDir: string) {
  return {
    credentials: join(dataDir, 'dev-credentials.json'),
    bot: join(dataDir, `bot-${DEV_BOT}.json`),
    // Progress of a first start, so one interrupted half way does not create the organization twice.
    progress: join(dataDir, 'bootstrap-progress.json'),
  }
}

async function call(
  gatewayUrl: string,
  token: string,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${gatewayUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${text}`)
  return JSON.parse(text) as Record<string, unknown>
}

function field(answer: Record<string, unknown>, key: string, what: string): string {
  const value = answer[key]
  if (typeof value !== 'string' || value === '')
    throw new Error(`${what}: no ${key} in ${JSON.stringify(answer)}`)
  return value
}

/**
 * A bot registered by an earlier start can connect only if its NATS user was signed by this
 * server's account; a data directory from before NATS authentication, or whose NATS operator file
 * was deleted, cannot be repaired here (the bot's name is taken, its seed was shown once).
 */
function usableWithThisServer(bot: BotCredentialsFile, file: string, signingKey: string): void {
  const jwt = typeof bot.nats_jwt === 'string' ? bot.nats_jwt : ''
  if (jwtIssuer(jwt) !== signingKey) {
    throw new Error(
      `${file} holds no NATS user of this server's account (it predates NATS authentication or its operator file): ` +
        'delete the data directory to start afresh',
    )
  }
  // Its jobs would all fail: a bot fetches each job's script on this subject (decision 15).
  if (!jwtMayPublish(jwt, `scripts.${bot.id}`)) {
    throw new Error(
      `${file} holds a NATS user that may not fetch scripts (it predates jobs that carry their script by reference): ` +
        'delete the data directory to start afresh',
    )
  }
}

/**
 * The development organization, its admin token and the local bot, created through the public API
 * on the first start and reused afterwards. The gateway URL and root token are refreshed on every
 * start (the port may differ), as is the NATS address in the bot's file.
 */
export async function ensureDevCredentials(options: {
  dataDir: string
  gatewayUrl: string
  rootToken: string
  natsUrl: string
  /** Public key that signs the account's NATS users: a saved bot's JWT must come from it. */
  natsSigningKey: string
  /** Ignore files of an earlier run (throwaway platforms: their database is new). */
  fresh: boolean
}): Promise<DevCredentials> {
  const files = devFiles(options.dataDir)
  const saved = options.fresh ? undefined : await readJson<DevCredentials>(files.credentials)
  let bot = options.fresh ? undefined : await readJson<BotCredentialsFile>(files.bot)
  if (bot !== undefined) usableWithThisServer(bot, files.bot, options.natsSigningKey)
  let credentials: DevCredentials
  if (saved !== undefined && bot !== undefined) {
    credentials = { ...saved, gateway_url: options.gatewayUrl, root_token: options.rootToken }
  } else {
    const progress =
      (options.fresh ? undefined : await readJson<{ admin_token?: string }>(files.progress)) ?? {}
    let adminToken = progress.admin_token
    if (adminToken === undefined) {
      const customer = await call(options.gatewayUrl, options.rootToken, '/admin/customers', {
        name: DEV_CUSTOMER,
      })
      adminToken = field(customer, 'admin_token', 'POST /admin/customers')
      await writeJson(files.progress, { admin_token: adminToken })
    }
    if (bot === undefined) {
      const answer = await call(options.gatewayUrl, adminToken, `/${DEV_CUSTOMER}/bot`, { name: DEV_BOT })
      field(answer, 'id', `POST /${DEV_CUSTOMER}/bot`)
      bot = answer as BotCredentialsFile
    }
    credentials = {
      gateway_url: options.gatewayUrl,
      root_token: options.rootToken,
      customer: DEV_CUSTOMER,
      admin_token: adminToken,
      bot: { id: bot.id, name: bot.name ?? DEV_BOT },
    }
  }
  await writeJson(files.bot, { ...bot, nats_url: options.natsUrl })
  await writeJson(files.credentials, credentials)
  await rm(files.progress, { force: true })
  return credentials
}
