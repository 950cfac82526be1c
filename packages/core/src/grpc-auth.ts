import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { ConfigError } from './config.js'

/**
 * How the services of the platform prove to each other who is calling (decision 17). Each service has
 * its own credential, `<service>.<secret>`, which it presents on every gRPC call; a server knows only
 * the SHA-256 of every service's credential, so a server that leaks its file cannot impersonate the
 * others.
 */
export interface GrpcAuth {
  /** The service this identity belongs to. */
  readonly service: string
  /** What it presents on its calls: secret. */
  readonly credential: string
  /** SHA-256 (hex) of each service's credential, by service name: what a server checks callers against. */
  readonly peers: Readonly<Record<string, readonly string[]>>
}

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/
const SECRET = /^[A-Za-z0-9_-]{32,}$/
const SHA256_HEX = /^[0-9a-f]{64}$/

/** A new credential for `service`: its name and 256 random bits. */
export function newServiceCredential(service: string): string {
  if (!SERVICE_NAME.test(service)) throw new ConfigError(`not a service name: ${JSON.stringify(service)}`)
  return `${service}.${randomBytes(32).toString('base64url')}`
}

/** The service a credential names; undefined when it is not one. */
export function credentialService(credential: string): string | undefined {
  const dot = credential.lastIndexOf('.')
  if (dot <= 0) return undefined
  const service = credential.slice(0, dot)
  return SERVICE_NAME.test(service) && SECRET.test(credential.slice(dot + 1)) ? service : undefined
}

export function credentialHash(credential: string): string {
  return createHash('sha256').update(credential, 'utf8').digest('hex')
}

/** Whether `credential` is one of `hashes`, in time that does not depend on where they differ. */
export function credentialMatches(credential: string, hashes: readonly string[]): boolean {
  const presented = Buffer.from(credentialHash(credential), 'hex')
  let found = false
  for (const hash of hashes) {
    if (timingSafeEqual(presented, Buffer.from(hash, 'hex'))) found = true
  }
  return found
}

/**
 * Every service's identity from every service's credential (`credentials` by service name): each
 * keeps its own credential and learns the hashes of all of them.
 */
export function grpcAuthOf(credentials: Readonly<Record<string, string>>): Record<string, GrpcAuth> {
  const peers: Record<string, string[]> = {}
  for (const [service, credential] of Object.entries(credentials)) {
    if (credentialService(credential) !== service)
      throw new ConfigError(`the credential of ${service} does not name ${service}`)
    peers[service] = [credentialHash(credential)]
  }
  return Object.fromEntries(
    Object.entries(credentials).map(([service, credential]) => [service, { service, credential, peers }]),
  )
}

/** New credentials for `services`, as {@link grpcAuthOf} answers them. */
export function createGrpcAuth(services: readonly string[]): Record<string, GrpcAuth> {
  return grpcAuthOf(Object.fromEntries(services.map((service) => [service, newServiceCredential(service)])))
}

/** The file a service reads (GRPC_AUTH_FILE). */
export function formatGrpcAuth(auth: GrpcAuth): string {
  return `${JSON.stringify({ service: auth.service, credential: auth.credential, peers: auth.peers }, null, 2)}\n`
}

/** Reads a service's identity file; `source` names it in the errors. */
export function parseGrpcAuth(text: string, source: string): GrpcAuth {
  const fail = (what: string): never => {
    throw new ConfigError(`${source}: ${what}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return fail(`not JSON (${(error as Error).message})`)
  }
  if (typeof parsed !== 'object' || parsed === null) return fail('not a JSON object')
  const { service, credential, peers } = parsed as Record<string, unknown>
  if (typeof service !== 'string' || !SERVICE_NAME.test(service)) return fail('no valid "service"')
  if (typeof credential !== 'string' || credentialService(credential) !== service)
    return fail(`"credential" is not a credential of ${service}`)
  if (typeof peers !== 'object' || peers === null || Array.isArray(peers)) return fail('no "peers" object')
  const checked: Record<string, string[]> = {}
  for (const [peer, hashes] of Object.entries(peers)) {
    if (
      !SERVICE_NAME.test(peer) ||
      !Array.isArray(hashes) ||
      !hashes.every((hash) => typeof hash === 'string' && SHA256_HEX.test(hash))
    )
      return fail(`"peers.${peer}" is not a list of SHA-256 hashes`)
    checked[peer] = hashes as string[]
  }
  return { service, credential, peers: checked }
}
