// One-shot setup of a compose deployment, through the public REST API only: the organization, an
// admin token and the bot that the `bot` service runs. Running it again is harmless: saved bot
// credentials end it at once, and an organization that already exists is reused.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

const RETRYABLE = new Set([502, 503, 504])

/** Every variable this script reads, with its default. */
function readConfig(env) {
  const gatewayUrl = (env.GATEWAY_URL || 'http://gateway:8080').replace(/\/+$/, '')
  return {
    gatewayUrl,
    publicGatewayUrl: env.PUBLIC_GATEWAY_URL || gatewayUrl,
    rootToken: env.ROOT_TOKEN || '',
    customer: env.BOOTSTRAP_CUSTOMER || 'demo',
    botName: env.BOOTSTRAP_BOT_NAME || 'local',
    botFile: env.BOT_CREDENTIALS_FILE || '/var/lib/taskforge/credentials/bot.json',
    devFile: env.DEV_CREDENTIALS_FILE || '/var/lib/taskforge/bootstrap/dev-credentials.json',
    timeoutMs: Number(env.BOOTSTRAP_TIMEOUT_SECONDS || '120') * 1000,
  }
}

class BootstrapError extends Error {}

const log = (message) => console.log(`bootstrap: ${message}`)

async function readJson(file) {
  try {
    return JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    if (error.code === 'ENOENT' || error instanceof SyntaxError) return undefined
    throw error
  }
}

/** Written beside the target and renamed, so a crash never leaves half a file for the bot to read. */
async function writeJsonAtomic(file, value) {
  await mkdir(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 })
  await rename(temporary, file)
}

function isBotCredentials(value) {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof value.id === 'string' &&
    typeof value.customer === 'string' &&
    typeof value.nats_url === 'string'
  )
}

/** POSTs JSON; retries while the gateway is unreachable or a backend is unavailable, up to the deadline. */
function createClient(config) {
  const deadline = Date.now() + config.timeoutMs
  return async function post(path, token, body) {
    for (let attempt = 1; ; attempt += 1) {
      let outcome
      try {
        const response = await fetch(`${config.gatewayUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        })
        const text = await response.text()
        if (!RETRYABLE.has(response.status)) {
          let parsed
          try {
            parsed = text === '' ? {} : JSON.parse(text)
          } catch {
            parsed = { message: text }
          }
          return { status: response.status, body: parsed }
        }
        outcome = `answered ${response.status}`
      } catch (error) {
        outcome = `failed (${error.cause?.code ?? error.message})`
      }
      if (Date.now() >= deadline) {
        throw new BootstrapError(
          `POST ${config.gatewayUrl}${path} ${outcome}; gave up after ${attempt} attempts`,
        )
      }
      if (attempt === 1 || attempt % 10 === 0) log(`POST ${path} ${outcome}; retrying`)
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 2_000)))
    }
  }
}

function unexpected(what, answer) {
  return new BootstrapError(`${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`)
}

/** The organization's first admin token, or a new one when the organization exists from an earlier run. */
async function obtainAdminToken(post, config) {
  const created = await post('/admin/customers', config.rootToken, { name: config.customer })
  if (created.status === 201 && typeof created.body.admin_token === 'string') {
    log(`created organization ${config.customer}`)
    return created.body.admin_token
  }
  if (created.status !== 409) throw unexpected('POST /admin/customers', created)
  const issued = await post(`/${config.customer}/token`, config.rootToken, {
    name: `bootstrap-${Date.now()}`,
    role: 'admin',
  })
  if (issued.status !== 201 || typeof issued.body.token !== 'string') {
    throw unexpected(`POST /${config.customer}/token`, issued)
  }
  log(`organization ${config.customer} exists; issued a new admin token`)
  return issued.body.token
}

async function bootstrap(config) {
  if (config.rootToken === '') throw new BootstrapError('ROOT_TOKEN is required')
  const saved = await readJson(config.botFile)
  if (isBotCredentials(saved)) {
    log(`bot ${saved.name ?? saved.id} already has its credentials in ${config.botFile}; nothing to do`)
    return
  }
  const post = createClient(config)
  const progress = await readJson(config.devFile)
  const devCredentials = {
    gateway_url: config.publicGatewayUrl,
    root_token: config.rootToken,
    customer: config.customer,
    admin_token:
      progress?.customer === config.customer && typeof progress.admin_token === 'string'
        ? progress.admin_token
        : await obtainAdminToken(post, config),
  }
  // Saved before the bot exists, so a run interrupted after this point does not create another token.
  await writeJsonAtomic(config.devFile, devCredentials)

  const path = `/${config.customer}/bot`
  let answer = await post(path, devCredentials.admin_token, { name: config.botName })
  if (answer.status === 401 && progress !== undefined) {
    // The saved token belongs to a database that is gone (its volume was removed, ours was not).
    devCredentials.admin_token = await obtainAdminToken(post, config)
    await writeJsonAtomic(config.devFile, devCredentials)
    answer = await post(path, devCredentials.admin_token, { name: config.botName })
  }
  if (answer.status === 409) {
    throw new BootstrapError(
      `bot ${config.botName} is registered but ${config.botFile} is missing, and its credentials are shown ` +
        'only once: remove the deployment with its volumes (docker compose down -v) or set BOOTSTRAP_BOT_NAME',
    )
  }
  if (answer.status !== 201 || !isBotCredentials(answer.body)) throw unexpected(`POST ${path}`, answer)
  await writeJsonAtomic(config.botFile, answer.body)
  const result = { ...devCredentials, bot: { id: answer.body.id, name: answer.body.name ?? config.botName } }
  await writeJsonAtomic(config.devFile, result)
  log(`registered bot ${result.bot.name} (${result.bot.id}); credentials in ${config.botFile}`)
  console.log(JSON.stringify(result, null, 2))
}

bootstrap(readConfig(process.env)).catch((error) => {
  console.error(`bootstrap: ${error instanceof BootstrapError ? error.message : error.stack}`)
  process.exit(1)
})
