import { natsAuthFromEnv } from '@taskforge/bus'
import { ConfigError, type ConfigOf, loadConfig, str } from '@taskforge/core'
import type { RevocationSigner } from './account-revocations.js'
import { BotCredentialIssuer } from './bot-credential-issuer.js'

/** The environment variables that let bot-dispatch issue bots their NATS users. */
export const natsAccountSettings = {
  signingSeed: str(
    'NATS_ACCOUNT_SIGNING_SEED',
    "Seed (SA...) of a signing key of the platform's NATS account, to sign each bot's user JWT; unset: bots get no NATS credentials (open server)",
    '',
  ),
  account: str(
    'NATS_ACCOUNT',
    "Public key (A...) of the platform's NATS account the bots' users belong to",
    '',
  ),
  accountJwt: str(
    'NATS_ACCOUNT_JWT',
    "The platform account's JWT as the NATS servers preload it; bot-dispatch pushes it again with the revoked bot users (decision 19)",
    '',
  ),
  operatorSigningSeed: str(
    'NATS_OPERATOR_SIGNING_SEED',
    "Seed (SO...) of the operator's signing key that signs the account's claims with revocations; required with NATS_ACCOUNT_SIGNING_SEED",
    '',
  ),
  systemUserJwt: str(
    'NATS_SYSTEM_USER_JWT',
    "A system account user allowed to publish only the platform account's claims update",
    '',
  ),
  systemUserSeed: str('NATS_SYSTEM_USER_SEED', 'The nkey seed (SU...) of NATS_SYSTEM_USER_JWT', ''),
}
export type NatsAccountConfig = ConfigOf<typeof natsAccountSettings>

/**
 * The bot credential issuer the environment asks for, or undefined when no signing seed is set. A
 * service that itself connects with a user JWT (the server requires JWT auth) but has no signing
 * seed is refused: the bots it registers could never connect.
 */
export function loadBotCredentialIssuer(
  env: NodeJS.ProcessEnv = process.env,
): BotCredentialIssuer | undefined {
  const config = loadConfig(natsAccountSettings, env)
  if (config.signingSeed === '') {
    const own = natsAuthFromEnv(env).type
    if (own === 'creds-file' || own === 'jwt') {
      throw new ConfigError(
        'NATS_ACCOUNT_SIGNING_SEED is required when bot-dispatch connects with a NATS user JWT: bots need users of the same account',
      )
    }
    return undefined
  }
  if (config.account === '') throw new ConfigError('NATS_ACCOUNT is required with NATS_ACCOUNT_SIGNING_SEED')
  return BotCredentialIssuer.create(config)
}

/** What bot-dispatch needs to revoke the NATS users of its bots. */
export interface RevocationConfig {
  signer: RevocationSigner
  systemUser: { jwt: string; seed: string }
}

/**
 * How bot-dispatch revokes bot users, or undefined when it issues none (no signing seed: an open
 * server). Issuing users it could not revoke is refused: a deleted bot would keep its access.
 */
export function loadRevocationConfig(env: NodeJS.ProcessEnv = process.env): RevocationConfig | undefined {
  const config = loadConfig(natsAccountSettings, env)
  if (config.signingSeed === '') return undefined
  const missing = (
    [
      ['NATS_ACCOUNT_JWT', config.accountJwt],
      ['NATS_OPERATOR_SIGNING_SEED', config.operatorSigningSeed],
      ['NATS_SYSTEM_USER_JWT', config.systemUserJwt],
      ['NATS_SYSTEM_USER_SEED', config.systemUserSeed],
    ] as const
  ).filter(([, value]) => value === '')
  if (missing.length > 0) {
    throw new ConfigError(
      `${missing.map(([name]) => name).join(', ')} required with NATS_ACCOUNT_SIGNING_SEED: bot users must be revocable (run nats-auth-init again)`,
    )
  }
  return {
    signer: { accountJwt: config.accountJwt, operatorSigningSeed: config.operatorSigningSeed },
    systemUser: { jwt: config.systemUserJwt, seed: config.systemUserSeed },
  }
}
