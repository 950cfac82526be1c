import { connect, credsAuthenticator, jwtAuthenticator, type NatsConnection } from '@nats-io/transport-node'

export type { NatsConnection } from '@nats-io/transport-node'

export interface NatsClientOptions {
  /** Connection name shown by the server. */
  name?: string
  /** The text of a `.creds` file. */
  creds?: string
  /** A user JWT and its nkey seed (what a bot's credentials file holds). */
  user?: { jwt: string; seed: string }
  /** Prefix of reply inboxes, for users allowed to receive only their own. */
  inboxPrefix?: string
}

const encoder = new TextEncoder()

/**
 * A plain NATS connection for tests, as a given user, that fails at once instead of reconnecting:
 * for checking what the server lets that user do.
 *
 * @example
 * const nc = await connectNats(nats.url, { user: { jwt, seed }, inboxPrefix: `_INBOX.${botId}` })
 */
export function connectNats(url: string, options: NatsClientOptions = {}): Promise<NatsConnection> {
  const authenticator =
    options.creds !== undefined
      ? credsAuthenticator(encoder.encode(options.creds))
      : options.user !== undefined
        ? jwtAuthenticator(options.user.jwt, encoder.encode(options.user.seed))
        : undefined
  return connect({
    servers: url,
    reconnect: false,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(authenticator === undefined ? {} : { authenticator }),
    ...(options.inboxPrefix === undefined ? {} : { inboxPrefix: options.inboxPrefix }),
  })
}
