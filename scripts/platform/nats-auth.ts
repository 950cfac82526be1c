// The dev stack keeps its NATS operator setup, the services' NATS users and their gRPC identities in
// its data directory, laid out as a deployment's `nats-auth-init` writes them.
export {
  botIssuerEnvironment,
  ensureNatsOperator,
  serviceCredentialsFile,
  writeGrpcAuth,
} from '@taskforge/nats-operator'

/** Variables through which a process could inherit credentials: the platform sets its own. */
export const CREDENTIAL_VARIABLES = [
  'GRPC_AUTH_FILE',
  'NATS_CREDS',
  'NATS_USER_JWT',
  'NATS_USER_SEED',
  'NATS_USER',
  'NATS_PASSWORD',
  'NATS_TOKEN',
  'NATS_ACCOUNT',
  'NATS_ACCOUNT_SIGNING_SEED',
  'NATS_ACCOUNT_JWT',
  'NATS_OPERATOR_SIGNING_SEED',
  'NATS_SYSTEM_USER_JWT',
  'NATS_SYSTEM_USER_SEED',
] as const

interface UserClaims {
  iss?: unknown
  nats?: { pub?: { allow?: unknown } }
}

/** The claims of a JWT, unverified; undefined when it is not a JWT. */
function claimsOf(jwt: string): UserClaims | undefined {
  const payload = jwt.split('.')[1]
  if (payload === undefined) return undefined
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    return typeof claims === 'object' && claims !== null ? (claims as UserClaims) : undefined
  } catch {
    return undefined
  }
}

/** Who signed a user JWT (its `iss` claim); undefined when it is not a JWT. */
export function jwtIssuer(jwt: string): string | undefined {
  const iss = claimsOf(jwt)?.iss
  return typeof iss === 'string' ? iss : undefined
}

/** Whether a user JWT lets its user publish on `subject` (named as such in its allow-list). */
export function jwtMayPublish(jwt: string, subject: string): boolean {
  const allow = claimsOf(jwt)?.nats?.pub?.allow
  return Array.isArray(allow) && allow.includes(subject)
}
