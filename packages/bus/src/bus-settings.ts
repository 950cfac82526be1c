import { int, str } from '@taskforge/core'
import { STREAM_LIMIT_DEFAULTS } from './declare.js'
import { NATS_AUTH_ENV } from './nats-auth.js'

/**
 * The environment variables the bus reads in every service: stream replicas and the service's own NATS
 * credentials (at most one kind; none for an open server). Bots take theirs from their credentials file.
 */
export const busSettings = {
  streamReplicas: int(
    'NATS_STREAM_REPLICAS',
    'Replicas of each JetStream stream the services declare (1 to 5; 3 on a three-node cluster). Existing streams are updated to it',
    1,
  ),
  reportsMaxBytes: int(
    'NATS_REPORTS_MAX_BYTES',
    'Bytes the REPORTS stream keeps at most (the oldest go first). Existing streams are updated to it',
    STREAM_LIMIT_DEFAULTS.reportsMaxBytes,
  ),
  reportsMaxMsgsPerBot: int(
    'NATS_REPORTS_MAX_MSGS_PER_BOT',
    "Reports of one bot the REPORTS stream keeps at most (its oldest go first): one bot cannot fill the stream or queue more than this ahead of other bots' reports",
    STREAM_LIMIT_DEFAULTS.reportsMaxMsgsPerBot,
  ),
  dispatchMaxBytes: int(
    'NATS_DISPATCH_MAX_BYTES',
    'Bytes the DISPATCH stream keeps at most (the oldest go first)',
    STREAM_LIMIT_DEFAULTS.dispatchMaxBytes,
  ),
  credsFile: str(
    NATS_AUTH_ENV.credsFile,
    'Path of a NATS `.creds` file (user JWT and seed), read again on every reconnect',
    '',
  ),
  userJwt: str(NATS_AUTH_ENV.userJwt, 'A NATS user JWT; with NATS_USER_SEED', ''),
  userSeed: str(NATS_AUTH_ENV.userSeed, 'The nkey seed (SU...) of NATS_USER_JWT', ''),
  user: str(NATS_AUTH_ENV.user, 'NATS user name; with NATS_PASSWORD', ''),
  password: str(NATS_AUTH_ENV.password, 'Password of NATS_USER', ''),
  token: str(NATS_AUTH_ENV.token, 'NATS authentication token', ''),
}
