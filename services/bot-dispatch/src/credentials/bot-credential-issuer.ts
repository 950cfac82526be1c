import { createUser, encodeUser, fromPublic, fromSeed } from '@nats-io/jwt'
import { ConfigError, Transport } from '@taskforge/core'
import { botInboxPrefix, botNatsPermissions } from './bot-permissions.js'

/** A bot's NATS user, as it goes into its credentials file. */
export interface BotNatsCredentials {
  /** The user's public key (`U…`): what a revocation names. */
  publicKey: string
  /** User JWT carrying the bot's permissions and limits, signed with the account's signing key. */
  jwt: string
  /** Seed of the user's nkey: the secret the bot proves it holds the JWT with. Never stored here. */
  seed: string
  inboxPrefix: string
}

const decoder = new TextDecoder()

function signingKeyFrom(seed: string) {
  try {
    const key = fromSeed(new TextEncoder().encode(seed))
    if (key.getPublicKey().startsWith('A')) return key
  } catch {
    // Reported below without echoing the secret.
  }
  throw new ConfigError('NATS_ACCOUNT_SIGNING_SEED must be an account seed (it starts with SA)')
}

function accountKeyFrom(publicKey: string): string {
  try {
    if (publicKey.startsWith('A')) return fromPublic(publicKey).getPublicKey()
  } catch {
    // Reported below.
  }
  throw new ConfigError(`NATS_ACCOUNT must be the public key of an account (A...), got ${publicKey}`)
}

/**
 * The limits of a bot's NATS user, enforced by the server (decision 19): `payload` per message and
 * `subs` at once (above either it closes the connection). `data` (bytes per second) is left
 * unlimited: nats-server 2.9 does not enforce it for users; per-bot bounds downstream take its
 * place (heartbeat buckets, per-subject limits of REPORTS).
 */
export const BOT_NATS_LIMITS = {
  payload: Transport.botMaxPayload,
  subs: Transport.botMaxSubscriptions,
  data: -1,
} as const

/**
 * Issues each bot its own NATS user (decentralized JWT auth): a fresh nkey and a user JWT whose
 * permissions cover only that bot's subjects ({@link botNatsPermissions}). Signing needs no call to
 * the NATS server: the server trusts any user signed with a signing key listed in the account JWT.
 */
export class BotCredentialIssuer {
  private constructor(
    private readonly signingSeed: string,
    private readonly account: string,
    private readonly signerIsAccount: boolean,
  ) {}

  /**
   * The issuer for the account `account` (its public key) holding `signingSeed`, a signing key of
   * that account or the account's own seed.
   */
  static create(options: { signingSeed: string; account: string }): BotCredentialIssuer {
    const signer = signingKeyFrom(options.signingSeed)
    const account = accountKeyFrom(options.account)
    return new BotCredentialIssuer(options.signingSeed, account, signer.getPublicKey() === account)
  }

  /**
   * A new NATS user for the bot (a new key every time); called at registration and at each rotation
   * of its credentials, since the seed is shown only once.
   */
  async issue(botId: string): Promise<BotNatsCredentials> {
    const user = createUser()
    const name = `bot ${botId}`
    // Plain client connections only: no websocket, MQTT or leafnode way around these permissions.
    const claims = {
      ...botNatsPermissions(botId),
      ...BOT_NATS_LIMITS,
      allowed_connection_types: ['STANDARD' as const],
    }
    const jwt = this.signerIsAccount
      ? await encodeUser(name, user, this.signingSeed, claims)
      : await encodeUser(name, user, this.account, claims, { signer: this.signingSeed })
    return {
      publicKey: user.getPublicKey(),
      jwt,
      seed: decoder.decode(user.getSeed()),
      inboxPrefix: botInboxPrefix(botId),
    }
  }
}
