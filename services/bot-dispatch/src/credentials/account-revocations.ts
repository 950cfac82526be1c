import { type Account, decode, encodeAccount, fromSeed } from '@nats-io/jwt'
import { connect, jwtAuthenticator, type NatsConnection } from '@nats-io/transport-node'
import { ConfigError } from '@taskforge/core'
import type { Logger } from '@taskforge/telemetry'

/** Revoked NATS users: user public key → unix seconds; a user JWT issued at or before it is refused. */
export type RevocationList = Record<string, number>

/** What bot-dispatch needs to push the platform account's claims with a revocation list. */
export interface RevocationSigner {
  /** The account's JWT as the servers preload it: every claim but the revocations is kept as is. */
  accountJwt: string
  /** Seed (SO...) of a signing key the operator's JWT lists. */
  operatorSigningSeed: string
}

const encoder = new TextEncoder()

function operatorKeyFrom(seed: string) {
  try {
    const key = fromSeed(encoder.encode(seed))
    if (key.getPublicKey().startsWith('O')) return key
  } catch {
    // Reported below without echoing the secret.
  }
  throw new ConfigError('NATS_OPERATOR_SIGNING_SEED must be an operator seed (it starts with SO)')
}

/** The account the template JWT is about (its subject), checking that it is an account JWT. */
export function accountOfJwt(accountJwt: string): string {
  let subject: string | undefined
  try {
    const claims = decode<Account>(accountJwt)
    if (claims.nats.type === 'account') subject = claims.sub
  } catch {
    // Reported below.
  }
  if (subject === undefined || !subject.startsWith('A'))
    throw new ConfigError('NATS_ACCOUNT_JWT must be the JWT of the platform account')
  return subject
}

/**
 * The account's claims signed again by the operator's signing key, with `revocations` in place of
 * any it held. Everything else (limits, JetStream, signing keys) is the template's: the update
 * replaces the whole account on the servers, and a lost signing key would cut off every user.
 */
export async function accountJwtWithRevocations(
  signer: RevocationSigner,
  revocations: RevocationList,
): Promise<string> {
  const template = decode<Account>(signer.accountJwt)
  const { type: _type, version: _version, revocations: _old, ...claims } = template.nats
  const key = operatorKeyFrom(signer.operatorSigningSeed)
  return encodeAccount(
    template.name,
    template.sub,
    { ...claims, ...(Object.keys(revocations).length === 0 ? {} : { revocations }) },
    { signer: key },
  )
}

/** The server's answer to a claims update (`$SYS.REQ.ACCOUNT.<account>.CLAIMS.UPDATE`). */
interface ClaimsUpdateReply {
  data?: { code?: number; message?: string }
  error?: { code?: number; description?: string }
}

/** The subject on which a system user pushes an account's claims to every server of the cluster. */
export function claimsUpdateSubject(account: string): string {
  return `$SYS.REQ.ACCOUNT.${account}.CLAIMS.UPDATE`
}

const NOT_LOADED_RETRY_MS = 1_000

export interface AccountRevocationsOptions {
  servers: string[]
  signer: RevocationSigner
  /** The system user allowed to publish the account's claims update (and nothing else). */
  systemUser: { jwt: string; seed: string }
  /**
   * Reads the revocation list from bot-dispatch's own records and runs the push while holding a
   * lock across replicas, so that an older list is never pushed after a newer one.
   */
  withRevocations: (push: (revocations: RevocationList) => Promise<void>) => Promise<void>
  logger: Logger
  /** How often the list is pushed again whatever happened (default 60s). */
  refreshIntervalMs?: number
}

/**
 * Keeps the servers' view of the platform account's revocations equal to bot-dispatch's records.
 * The servers preload the account without revocations (a MEMORY resolver), so the list is pushed at
 * start, on every reconnect (a restarted server forgot it), after every change and now and then;
 * on a push the server closes every connection of a user the list revokes.
 */
export class AccountRevocations {
  readonly #options: AccountRevocationsOptions
  readonly #account: string
  #nc: NatsConnection | undefined
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #stopped = false

  constructor(options: AccountRevocationsOptions) {
    this.#options = options
    this.#account = accountOfJwt(options.signer.accountJwt)
    operatorKeyFrom(options.signer.operatorSigningSeed)
  }

  /** Connects as the system user and pushes the list once; later pushes follow reconnects and changes. */
  async start(): Promise<void> {
    const { systemUser, servers, logger } = this.#options
    this.#nc = await connect({
      servers,
      name: 'bot-dispatch revocations',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      waitOnFirstConnect: true,
      authenticator: jwtAuthenticator(systemUser.jwt, encoder.encode(systemUser.seed)),
    })
    const nc = this.#nc
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'reconnect') {
          logger.info('NATS reconnected: pushing the revocations again')
          this.#schedule()
        }
      }
    })().catch(() => undefined)
    this.#timer = setInterval(() => this.#schedule(), this.#options.refreshIntervalMs ?? 60_000)
    this.#timer.unref()
    await this.push().catch((error: unknown) =>
      logger.error({ err: error }, 'revocations not pushed at start; retried on the next change or refresh'),
    )
  }

  /**
   * Pushes the current list and resolves when the servers took it (a push already under way is
   * followed by one more, which reads the list again).
   */
  push(): Promise<void> {
    if (this.#running !== undefined) {
      return this.#running.then(() => this.push())
    }
    this.#running = this.#pushOnce().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#running?.catch(() => undefined)
    await this.#nc?.close()
  }

  #schedule(): void {
    if (this.#stopped) return
    this.push().catch((error: unknown) =>
      this.#options.logger.error(
        { err: error },
        'revocations not pushed; retried on the next change or refresh',
      ),
    )
  }

  async #pushOnce(): Promise<void> {
    if (await this.#send()) return
    // The server had not loaded the account yet (no user of it connected since it started): it
    // would load the preloaded claims, without revocations, when one does. Try again shortly.
    if (!this.#stopped) setTimeout(() => this.#schedule(), NOT_LOADED_RETRY_MS).unref()
  }

  /** Sends the claims once; answers false when the server skipped them (account not loaded). */
  async #send(): Promise<boolean> {
    let applied = true
    const nc = this.#nc
    if (nc === undefined) throw new Error('account revocations not started')
    await this.#options.withRevocations(async (revocations) => {
      const jwt = await accountJwtWithRevocations(this.#options.signer, revocations)
      const reply = await nc.request(claimsUpdateSubject(this.#account), jwt, { timeout: 5_000 })
      const answer = reply.json<ClaimsUpdateReply>()
      if (answer.error !== undefined) {
        throw new Error(
          `NATS refused the account claims: ${answer.error.description ?? JSON.stringify(answer.error)}`,
        )
      }
      applied = !/skipped/i.test(answer.data?.message ?? '')
      this.#options.logger.debug(
        { revoked: Object.keys(revocations).length, answer: answer.data?.message },
        'account revocations pushed',
      )
    })
    return applied
  }
}
