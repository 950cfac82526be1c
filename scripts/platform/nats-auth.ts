import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  createNatsOperator,
  issueNatsUser,
  type NatsOperatorSetup,
  parseNatsOperatorSetup,
} from '@taskforge/testkit'
import { readText, writeFileAtomic, writeJson } from './state-files.js'

/** Variables through which a process could inherit NATS credentials: the platform sets its own. */
export const NATS_AUTH_VARIABLES = [
  'NATS_CREDS',
  'NATS_USER_JWT',
  'NATS_USER_SEED',
  'NATS_USER',
  'NATS_PASSWORD',
  'NATS_TOKEN',
  'NATS_ACCOUNT',
  'NATS_ACCOUNT_SIGNING_SEED',
] as const

export function natsAuthFiles(dataDir: string) {
  return {
    /** Operator, accounts and signing key: kept so that bots registered earlier can still connect. */
    operator: join(dataDir, 'nats-operator.json'),
    /** One `.creds` file per service, issued anew on every start. */
    credentials: join(dataDir, 'nats-credentials'),
  }
}

/** The platform's NATS operator setup: the saved one of a persistent platform, else a new one. */
export async function ensureNatsOperator(dataDir: string, persistent: boolean): Promise<NatsOperatorSetup> {
  const file = natsAuthFiles(dataDir).operator
  const saved = persistent ? await readText(file) : undefined
  if (saved !== undefined && saved !== '') {
    try {
      return parseNatsOperatorSetup(saved)
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}; fix or delete it`)
    }
  }
  const setup = await createNatsOperator()
  await writeJson(file, setup)
  return setup
}

/** Issues a service its NATS user (unrestricted within the account) and answers the `.creds` file path. */
export async function serviceCredentialsFile(
  dataDir: string,
  setup: NatsOperatorSetup,
  service: string,
): Promise<string> {
  const dir = natsAuthFiles(dataDir).credentials
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const file = join(dir, `${service}.creds`)
  await writeFileAtomic(file, (await issueNatsUser(setup, service)).creds)
  return file
}

/** The environment that lets bot-dispatch sign its bots' NATS users. */
export function botIssuerEnvironment(setup: NatsOperatorSetup): Record<string, string> {
  return { NATS_ACCOUNT: setup.account.publicKey, NATS_ACCOUNT_SIGNING_SEED: setup.signingKey.seed }
}

/** Who signed a user JWT (its `iss` claim); undefined when it is not a JWT. */
export function jwtIssuer(jwt: string): string | undefined {
  const payload = jwt.split('.')[1]
  if (payload === undefined) return undefined
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    const iss = (claims as { iss?: unknown } | null)?.iss
    return typeof iss === 'string' ? iss : undefined
  } catch {
    return undefined
  }
}
