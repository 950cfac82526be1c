import { readFileSync } from 'node:fs'
import {
  type Authenticator,
  credsAuthenticator,
  jwtAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from '@nats-io/transport-node'

/** How a client proves who it is to the NATS server. */
export type NatsAuth =
  | { type: 'none' }
  /** A `.creds` file (user JWT and nkey seed), read again on every reconnect so it can be rotated. */
  | { type: 'creds-file'; path: string }
  /** A user JWT and the seed of its nkey (decentralized JWT auth). */
  | { type: 'jwt'; jwt: string; seed: string }
  | { type: 'user-password'; user: string; pass: string }
  | { type: 'token'; token: string }

export class NatsAuthError extends Error {
  override name = 'NatsAuthError'
}

/** The variables {@link natsAuthFromEnv} reads, for documentation and error messages. */
export const NATS_AUTH_ENV = {
  credsFile: 'NATS_CREDS',
  userJwt: 'NATS_USER_JWT',
  userSeed: 'NATS_USER_SEED',
  user: 'NATS_USER',
  password: 'NATS_PASSWORD',
  token: 'NATS_TOKEN',
} as const

function given(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim()
  return value === undefined || value === '' ? undefined : value
}

/**
 * The service's NATS credentials from the environment: `NATS_CREDS` (path of a `.creds` file), or
 * `NATS_USER_JWT` with `NATS_USER_SEED`, or `NATS_USER` with `NATS_PASSWORD`, or `NATS_TOKEN`; none
 * set means an open server. Setting two kinds, or half of a pair, is an error.
 */
export function natsAuthFromEnv(env: NodeJS.ProcessEnv = process.env): NatsAuth {
  const E = NATS_AUTH_ENV
  const found: NatsAuth[] = []
  const credsFile = given(env, E.credsFile)
  if (credsFile !== undefined) found.push({ type: 'creds-file', path: credsFile })
  const jwt = given(env, E.userJwt)
  const seed = given(env, E.userSeed)
  if ((jwt === undefined) !== (seed === undefined))
    throw new NatsAuthError(`${E.userJwt} and ${E.userSeed} go together: set both or neither`)
  if (jwt !== undefined && seed !== undefined) found.push({ type: 'jwt', jwt, seed })
  const user = given(env, E.user)
  if (user !== undefined) found.push({ type: 'user-password', user, pass: env[E.password] ?? '' })
  else if (given(env, E.password) !== undefined)
    throw new NatsAuthError(`${E.password} is set without ${E.user}`)
  const token = given(env, E.token)
  if (token !== undefined) found.push({ type: 'token', token })
  if (found.length > 1) {
    throw new NatsAuthError(
      `NATS credentials given ${found.length} ways (${found.map((a) => a.type).join(', ')}): keep one`,
    )
  }
  return found[0] ?? { type: 'none' }
}

function readCreds(path: string): Uint8Array {
  try {
    return readFileSync(path)
  } catch (error) {
    throw new NatsAuthError(
      `cannot read the NATS credentials file ${path} (${(error as NodeJS.ErrnoException).code ?? error})`,
    )
  }
}

const encoder = new TextEncoder()

/**
 * The authenticator of the connection options for `auth` (undefined for an open server). A creds
 * file must be readable now, so a wrong path fails the start rather than every reconnect.
 */
export function natsAuthenticator(auth: NatsAuth): Authenticator | undefined {
  switch (auth.type) {
    case 'none':
      return undefined
    case 'creds-file': {
      readCreds(auth.path)
      return credsAuthenticator(() => readCreds(auth.path))
    }
    case 'jwt':
      if (!auth.seed.startsWith('SU')) throw new NatsAuthError('the NATS user seed must start with SU')
      return jwtAuthenticator(auth.jwt, encoder.encode(auth.seed))
    case 'user-password':
      return usernamePasswordAuthenticator(auth.user, auth.pass)
    case 'token':
      return tokenAuthenticator(auth.token)
  }
}
