import {
  createAccount,
  createOperator,
  createUser,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
  type KeyPair,
} from '@nats-io/jwt'

/** An nkey: its public key (`O…`, `A…`, `U…`) and its seed (`SO…`, `SA…`, `SU…`), the secret half. */
export interface NatsKey {
  publicKey: string
  seed: string
}

/**
 * Everything a nats-server in operator mode (decentralized JWT auth) needs, as plain strings so it
 * can be saved as JSON and read again: the operator, a system account, and the one account the
 * platform lives in, with JetStream enabled and a signing key that issues its users.
 */
export interface NatsOperatorSetup {
  operator: NatsKey & { jwt: string }
  /**
   * A signing key of the operator: signs the platform account's claims when bot-dispatch pushes
   * them with revocations (decision 19). The operator's own key stays with nats-auth-init.
   */
  operatorSigningKey: NatsKey
  systemAccount: NatsKey & { jwt: string }
  account: NatsKey & { name: string; jwt: string }
  /** Signs the account's user JWTs; its seed is what bot-dispatch holds to issue bot credentials. */
  signingKey: NatsKey
}

/** Publish and subscribe rights of a user; absent means unrestricted. */
export interface NatsUserPermissions {
  pub?: { allow?: string[]; deny?: string[] }
  sub?: { allow?: string[]; deny?: string[] }
  /** Lets the user answer requests it received (once each, within `ttl` ms; 0: no time limit). */
  resp?: { max: number; ttl: number }
}

/** A user of the account: what a client connects with. */
export interface NatsUserCredentials {
  publicKey: string
  jwt: string
  seed: string
  /** The same as a `.creds` file (what `NATS_CREDS` points to). */
  creds: string
}

const decoder = new TextDecoder()

function keyOf(pair: KeyPair): NatsKey {
  return { publicKey: pair.getPublicKey(), seed: decoder.decode(pair.getSeed()) }
}

/** The operator's JWT, listing its signing key and the system account. */
function operatorJwt(operator: NatsKey, signingKey: NatsKey, systemAccount: string): Promise<string> {
  return encodeOperator('taskforge', operator.seed, {
    system_account: systemAccount,
    signing_keys: [signingKey.publicKey],
  })
}

/** No limit on anything, JetStream included: zero storage would leave JetStream disabled for the account. */
const UNLIMITED_ACCOUNT = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
}

/**
 * The system account's limits: connections allowed (the JWT's defaults would allow none), no
 * JetStream. bot-dispatch connects a system user to push the platform account's revocations.
 */
const SYSTEM_ACCOUNT_LIMITS = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
}

/** The system account's JWT, signed by the operator's own key. */
function systemAccountJwt(system: NatsKey, operator: NatsKey): Promise<string> {
  return encodeAccount('SYS', system.publicKey, { limits: SYSTEM_ACCOUNT_LIMITS }, { signer: operator.seed })
}

/**
 * Generates a new operator, system account and platform account (JetStream unlimited, one signing
 * key). Every key is new: servers configured with an earlier setup reject users of this one.
 *
 * @example
 * const setup = await createNatsOperator()
 * const nats = await startNats({ operator: setup })
 * const service = await issueNatsUser(setup, 'job-scheduler')
 */
export async function createNatsOperator(options: { accountName?: string } = {}): Promise<NatsOperatorSetup> {
  const operator = createOperator()
  const operatorSigning = keyOf(createOperator())
  const system = createAccount()
  const account = createAccount()
  const signing = createAccount()
  const accountName = options.accountName ?? 'TASKFORGE'
  return {
    operator: {
      ...keyOf(operator),
      jwt: await operatorJwt(keyOf(operator), operatorSigning, system.getPublicKey()),
    },
    operatorSigningKey: operatorSigning,
    systemAccount: { ...keyOf(system), jwt: await systemAccountJwt(keyOf(system), keyOf(operator)) },
    account: {
      ...keyOf(account),
      name: accountName,
      jwt: await encodeAccount(
        accountName,
        account,
        { limits: UNLIMITED_ACCOUNT, signing_keys: [signing.getPublicKey()] },
        { signer: operator },
      ),
    },
    signingKey: keyOf(signing),
  }
}

/** Issues a user of the platform account, signed with its signing key; no permissions: everything allowed. */
export async function issueNatsUser(
  setup: Pick<NatsOperatorSetup, 'account' | 'signingKey'>,
  name: string,
  permissions: NatsUserPermissions = {},
): Promise<NatsUserCredentials> {
  const user = createUser()
  const jwt = await encodeUser(name, user, setup.account.publicKey, permissions, {
    signer: setup.signingKey.seed,
  })
  return {
    ...keyOf(user),
    jwt,
    creds: decoder.decode(fmtCreds(jwt, user)),
  }
}

/**
 * A setup saved before the operator had a signing key, given one: a new key, the operator's JWT
 * signed again listing it, and the system account's JWT with connections allowed. The platform
 * account and its users are untouched (signed by the operator's own key, which stays trusted); the
 * server must load the new JWTs (its configuration is written anew, then it restarts) before it
 * accepts claims signed with the key.
 */
export async function withOperatorSigningKey(
  setup: Omit<NatsOperatorSetup, 'operatorSigningKey'> & { operatorSigningKey?: NatsKey },
): Promise<NatsOperatorSetup> {
  if (setup.operatorSigningKey !== undefined) return setup as NatsOperatorSetup
  const operatorSigningKey = keyOf(createOperator())
  return {
    ...setup,
    operator: {
      ...setup.operator,
      jwt: await operatorJwt(setup.operator, operatorSigningKey, setup.systemAccount.publicKey),
    },
    systemAccount: {
      ...setup.systemAccount,
      jwt: await systemAccountJwt(setup.systemAccount, setup.operator),
    },
    operatorSigningKey,
  }
}

/**
 * Issues a user of the system account (signed with the system account's own key) with the given
 * permissions. bot-dispatch gets one allowed to publish only its account's claims update.
 */
export async function issueSystemUser(
  setup: NatsOperatorSetup,
  name: string,
  permissions: NatsUserPermissions = {},
): Promise<NatsUserCredentials> {
  const user = createUser()
  const jwt = await encodeUser(name, user, setup.systemAccount.seed, permissions)
  return { ...keyOf(user), jwt, creds: decoder.decode(fmtCreds(jwt, user)) }
}

/** The subject on which a system user pushes new claims of an account to the servers. */
export function accountClaimsUpdateSubject(account: string): string {
  return `$SYS.REQ.ACCOUNT.${account}.CLAIMS.UPDATE`
}

/**
 * The nats-server configuration of operator mode: the operator JWT, the system account and both
 * account JWTs preloaded in a memory resolver (no account server, no reload needed for new users:
 * users are never in the server's configuration, only their issuer is).
 */
export function natsOperatorConfig(setup: NatsOperatorSetup): string {
  return [
    `operator: "${setup.operator.jwt}"`,
    `system_account: "${setup.systemAccount.publicKey}"`,
    'resolver: MEMORY',
    'resolver_preload: {',
    `  ${setup.systemAccount.publicKey}: "${setup.systemAccount.jwt}"`,
    `  ${setup.account.publicKey}: "${setup.account.jwt}"`,
    '}',
    '',
  ].join('\n')
}

function strings<K extends string>(value: unknown, where: string, keys: readonly K[]): Record<K, string> {
  const out = {} as Record<K, string>
  for (const key of keys) {
    const field = (value as Record<string, unknown> | null | undefined)?.[key]
    if (typeof field !== 'string' || field === '') throw new Error(`NATS operator setup: no ${where}.${key}`)
    out[key] = field
  }
  return out
}

/**
 * Reads back a setup saved as JSON, checking its shape (the dev stack keeps one in its data
 * directory). One saved before the operator had a signing key has none: see {@link withOperatorSigningKey}.
 */
export function parseNatsOperatorSetup(
  json: string,
): Omit<NatsOperatorSetup, 'operatorSigningKey'> & { operatorSigningKey?: NatsKey } {
  const value = JSON.parse(json) as Record<string, unknown> | null
  const signed = ['publicKey', 'seed', 'jwt'] as const
  return {
    operator: strings(value?.operator, 'operator', signed),
    ...(value?.operatorSigningKey === undefined
      ? {}
      : {
          operatorSigningKey: strings(value.operatorSigningKey, 'operatorSigningKey', ['publicKey', 'seed']),
        }),
    systemAccount: strings(value?.systemAccount, 'systemAccount', signed),
    account: strings(value?.account, 'account', [...signed, 'name']),
    signingKey: strings(value?.signingKey, 'signingKey', ['publicKey', 'seed']),
  }
}
