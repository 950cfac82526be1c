import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  accountClaimsUpdateSubject,
  createNatsOperator,
  issueNatsUser,
  issueSystemUser,
  type NatsOperatorSetup,
  natsOperatorConfig,
  parseNatsOperatorSetup,
  withOperatorSigningKey,
} from './operator.js'

/** The services that connect to NATS, each with its own user. */
export const PLATFORM_SERVICES = [
  'gateway',
  'task-catalog',
  'job-scheduler',
  'bot-dispatch',
  'webhook-relay',
] as const

/** Where a directory of NATS authentication keeps each part. */
export function natsAuthFiles(dir: string) {
  return {
    /** Operator, accounts and signing key: kept so that bots registered earlier can still connect. */
    operator: join(dir, 'nats-operator.json'),
    /** Operator mode for nats-server, to `include` in its configuration: JWTs only, no secret. */
    serverConfig: join(dir, 'nats-server-auth.conf'),
    /** One `.creds` file per service (its NATS_CREDS), issued anew on every run. */
    credentials: join(dir, 'nats-credentials'),
    /**
     * `KEY=value` lines for bot-dispatch: NATS_ACCOUNT and NATS_ACCOUNT_SIGNING_SEED (it issues bots
     * their users), NATS_ACCOUNT_JWT, NATS_OPERATOR_SIGNING_SEED and a system user (it revokes them).
     */
    botIssuerEnv: join(dir, 'bot-dispatch.env'),
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half of it. */
async function writeFileAtomic(path: string, content: string, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, content, { mode })
  await chmod(tmp, mode)
  await rename(tmp, path)
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * The operator setup saved in `dir` when `keep` is true and there is one, else a new one (saved).
 * A new setup invalidates every user issued before, bots included. A saved setup without an
 * operator signing key gets one (and is saved again): accounts and users stay valid.
 */
export async function ensureNatsOperator(dir: string, keep: boolean): Promise<NatsOperatorSetup> {
  const file = natsAuthFiles(dir).operator
  const saved = keep ? await readIfPresent(file) : undefined
  if (saved !== undefined && saved !== '') {
    let parsed: ReturnType<typeof parseNatsOperatorSetup>
    try {
      parsed = parseNatsOperatorSetup(saved)
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}; fix or delete it`)
    }
    if (parsed.operatorSigningKey !== undefined) return parsed as NatsOperatorSetup
    const upgraded = await withOperatorSigningKey(parsed)
    await writeFileAtomic(file, `${JSON.stringify(upgraded, null, 2)}\n`)
    return upgraded
  }
  const setup = await createNatsOperator()
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await writeFileAtomic(file, `${JSON.stringify(setup, null, 2)}\n`)
  return setup
}

/** Issues a service its NATS user (unrestricted within the account) and answers its `.creds` file. */
export async function serviceCredentialsFile(
  dir: string,
  setup: NatsOperatorSetup,
  service: string,
): Promise<string> {
  const credentials = natsAuthFiles(dir).credentials
  await mkdir(credentials, { recursive: true, mode: 0o700 })
  const file = join(credentials, `${service}.creds`)
  await writeFileAtomic(file, (await issueNatsUser(setup, service)).creds)
  return file
}

/**
 * The environment that lets bot-dispatch sign its bots' NATS users and revoke them: the account's
 * signing key, and for revocations the account's JWT (the claims it signs again with a revocation
 * list), the operator's signing key and a system user that may publish only that account's claims
 * update (decision 19). A new system user on every call; earlier ones stay valid.
 */
export async function botIssuerEnvironment(setup: NatsOperatorSetup): Promise<Record<string, string>> {
  const update = accountClaimsUpdateSubject(setup.account.publicKey)
  const system = await issueSystemUser(setup, 'bot-dispatch revocations', {
    pub: { allow: [update] },
    sub: { allow: ['_INBOX.>'] },
  })
  return {
    NATS_ACCOUNT: setup.account.publicKey,
    NATS_ACCOUNT_SIGNING_SEED: setup.signingKey.seed,
    NATS_ACCOUNT_JWT: setup.account.jwt,
    NATS_OPERATOR_SIGNING_SEED: setup.operatorSigningKey.seed,
    NATS_SYSTEM_USER_JWT: system.jwt,
    NATS_SYSTEM_USER_SEED: system.seed,
  }
}

/**
 * Writes a deployment's NATS authentication into `dir`: the operator setup (kept when there is one,
 * so bots registered earlier keep working), the server's auth configuration, a `.creds` file per
 * service (new users every run: the old ones stay valid, they have the same issuer) and
 * bot-dispatch's signing environment.
 */
export async function writeNatsAuth(
  dir: string,
  services: readonly string[] = PLATFORM_SERVICES,
): Promise<{ setup: NatsOperatorSetup; credentials: Record<string, string> }> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const files = natsAuthFiles(dir)
  const setup = await ensureNatsOperator(dir, true)
  // Read by nats-server, which may run as another user: it holds no secret.
  await writeFileAtomic(files.serverConfig, natsOperatorConfig(setup), 0o644)
  const credentials: Record<string, string> = {}
  for (const service of services) credentials[service] = await serviceCredentialsFile(dir, setup, service)
  const env = Object.entries(await botIssuerEnvironment(setup)).map(([key, value]) => `${key}=${value}\n`)
  await writeFileAtomic(files.botIssuerEnv, env.join(''))
  return { setup, credentials }
}
