import { natsAuthFromEnv } from '@taskforge/bus'
import { ConfigError, type ConfigOf, loadConfig, str } from '@taskforge/core'
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
