import { int, str } from '@taskforge/core'
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
