import { ErrorKinds, isAppError } from './errors.js'

/**
 * SQLSTATE classes of Postgres failures that say nothing about the statement's data: the
 * connection (08), resources (53), the server being stopped or restarted (57), system errors (58)
 * and transaction rollbacks such as serialization failures and deadlocks (40).
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58'])

/** Names of NATS client errors about the connection or the server's reachability, not the message. */
const TRANSIENT_ERROR_NAMES = new Set([
  'ClosedConnectionError',
  'ConnectionError',
  'DrainingConnectionError',
  'NoResponders',
  'RequestError',
  'TimeoutError',
  'AbortError',
])

/** Node.js socket errors. */
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
])

const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /connection (?:is )?closed/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
]

function transientOne(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const record = error as { name?: unknown; code?: unknown; message?: unknown }
  if (isAppError(error)) {
    return error.code === ErrorKinds.UNAVAILABLE.code || error.code === ErrorKinds.TIMEOUT.code
  }
  if (typeof record.code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(record.code) && TRANSIENT_SQLSTATE_CLASSES.has(record.code.slice(0, 2)))
      return true
    if (TRANSIENT_ERRNO.has(record.code)) return true
  }
  if (typeof record.name === 'string' && TRANSIENT_ERROR_NAMES.has(record.name)) return true
  const message = typeof record.message === 'string' ? record.message : ''
  return TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))
}

/**
 * Whether a failure is about the infrastructure (a database or NATS connection, a timeout, a
 * server restarting) rather than about the item being handled. A pipeline retries such failures
 * without end, since the item will apply once the infrastructure is back; any other failure
 * counts against the item, which after a bounded number of tries is moved aside (quarantined).
 * Causes are followed, so a wrapped connection error stays transient.
 */
export function isTransientFailure(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    if (transientOne(current)) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/** A failure's message, bounded, for a log line or a quarantine record. */
export function describeFailure(error: unknown, maxLength = 2_000): string {
  let text: string
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    text = `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`
    const cause = (error as { cause?: unknown }).cause
    if (cause instanceof Error) text += ` (cause: ${cause.message})`
  } else {
    text = String(error)
  }
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text
}
