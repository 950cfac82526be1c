import { readFile } from 'node:fs/promises'
import type { NatsAuth } from '@taskforge/bus'
import { Durables, Streams, subjects } from '@taskforge/protocol'

/** What a bot needs to connect and find its work: the REST answer of `POST /:customer/bot`. */
export interface BotCredentials {
  botId: string
  name: string
  customer: string
  natsUrl: string
  natsUser?: string
  natsPassword?: string
  /** The bot's own NATS user (JWT auth): a JWT allowing only this bot's subjects, and its nkey seed. */
  natsJwt?: string
  natsSeed?: string
  /** Reply inbox prefix of the connection: the only inboxes the bot's NATS user may receive on. */
  natsInboxPrefix: string
  dispatchSubject: string
  reportSubject: string
  heartbeatSubject: string
  /** Where the bot asks task-catalog for script contents by hash (request/reply). */
  scriptSubject: string
  /** Where it asks task-catalog to open a job's secret variables (decision 18). */
  secretSubject: string
  dispatchStream: string
  dispatchConsumer: string
}

export class CredentialsError extends Error {
  override name = 'CredentialsError'
}

function text(source: Record<string, unknown>, key: string): string | undefined {
  const value = source[key]
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw new CredentialsError(`credentials: ${key} must be a string`)
  return value
}

/**
 * Reads the credentials JSON (snake_case keys; the bot id as `id` or `bot_id`). Subjects, stream and
 * consumer default to the platform's naming when the file predates them.
 */
export function parseCredentials(json: string): BotCredentials {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch (error) {
    throw new CredentialsError(`credentials: not JSON (${(error as Error).message})`)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CredentialsError('credentials: expected a JSON object')
  }
  const source = raw as Record<string, unknown>
  const botId = text(source, 'id') ?? text(source, 'bot_id')
  const customer = text(source, 'customer')
  const natsUrl = text(source, 'nats_url')
  const missing = [
    ...(botId === undefined ? ['id'] : []),
    ...(customer === undefined ? ['customer'] : []),
    ...(natsUrl === undefined ? ['nats_url'] : []),
  ]
  if (botId === undefined || customer === undefined || natsUrl === undefined) {
    throw new CredentialsError(`credentials: missing ${missing.join(', ')}`)
  }
  const natsUser = text(source, 'nats_user')
  const natsPassword = text(source, 'nats_password')
  const natsJwt = text(source, 'nats_jwt')
  const natsSeed = text(source, 'nats_seed')
  if ((natsJwt === undefined) !== (natsSeed === undefined)) {
    throw new CredentialsError('credentials: nats_jwt and nats_seed go together')
  }
  return {
    botId,
    customer,
    natsUrl,
    name: text(source, 'name') ?? botId,
    ...(natsUser === undefined ? {} : { natsUser }),
    ...(natsPassword === undefined ? {} : { natsPassword }),
    ...(natsJwt === undefined ? {} : { natsJwt }),
    ...(natsSeed === undefined ? {} : { natsSeed }),
    natsInboxPrefix: text(source, 'nats_inbox_prefix') ?? `_INBOX.${botId}`,
    dispatchSubject: text(source, 'dispatch_subject') ?? subjects.dispatch(botId),
    reportSubject: text(source, 'report_subject') ?? subjects.report(botId),
    heartbeatSubject: subjects.heartbeat(botId),
    scriptSubject: subjects.scriptContent(botId),
    secretSubject: subjects.secretEnv(botId),
    dispatchStream: text(source, 'dispatch_stream') ?? Streams.DISPATCH.name,
    dispatchConsumer: text(source, 'dispatch_consumer') ?? Durables.botDispatch(botId),
  }
}

/** How the bot authenticates to NATS: its own user JWT, else a user and password, else not at all. */
export function natsAuthOf(credentials: BotCredentials): NatsAuth {
  if (credentials.natsJwt !== undefined && credentials.natsSeed !== undefined) {
    return { type: 'jwt', jwt: credentials.natsJwt, seed: credentials.natsSeed }
  }
  if (credentials.natsUser !== undefined) {
    return { type: 'user-password', user: credentials.natsUser, pass: credentials.natsPassword ?? '' }
  }
  return { type: 'none' }
}

export async function loadCredentials(file: string): Promise<BotCredentials> {
  let json: string
  try {
    json = await readFile(file, 'utf8')
  } catch (error) {
    throw new CredentialsError(
      `credentials: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error})`,
    )
  }
  return parseCredentials(json)
}
