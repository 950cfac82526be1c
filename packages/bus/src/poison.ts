import { ErrorKinds, isAppError, isTransientFailure } from '@taskforge/core'
import { RedeliverLater } from './redeliver-later.js'

/** A message a consumer could not handle, as it is set aside. */
export interface PoisonMessage {
  /** `consumer:<stream>/<durable>`. */
  pipeline: string
  /** `<stream>:<sequence>`: unique within the pipeline. */
  key: string
  customer?: string
  subject: string
  streamSequence: number
  data: Uint8Array
  headers: Record<string, string>
  error: unknown
  attempts: number
}

/** A stored message handed back for a replay. */
export interface ReplayedMessage {
  subject: string
  streamSequence: number
  data: Uint8Array
  headers: Record<string, string>
}

/**
 * Where a service's consumers set aside what they cannot handle (the service's quarantine table,
 * see `Quarantine` in `@taskforge/event-store`), and through which an operator replays it.
 */
export interface MessageQuarantine {
  setAsideMessage(item: PoisonMessage): Promise<void>
  registerReplayer(
    pipeline: string,
    replayer: (item: { key: string }, message: ReplayedMessage | undefined) => Promise<void>,
  ): () => void
}

/** Deliveries of a message that keeps failing (not for a transient reason) before it is set aside. */
export const DEFAULT_MAX_DELIVERIES = 5
/**
 * Deliveries of a message that keeps asking to be redelivered later (it waits for another one), before
 * it is set aside: what it waits for may itself have been set aside, or never come.
 */
export const DEFAULT_MAX_WAITS = 300

/** What a consumer does with a handler's failure. */
export type FailureVerdict =
  /** Put it back after the delay, without an error log: it waits for another message. */
  | { action: 'wait' }
  /** Put it back after the usual back-off: it may apply later. */
  | { action: 'retry' }
  /** Set it aside now: it will never apply as it is. */
  | { action: 'set-aside' }
  /** Terminate it with a warning: the handler decided it has no effect (a stale or foreign report). */
  | { action: 'reject' }

/** Non-retryable failures that say the message itself is malformed, rather than refused. */
const MALFORMED: ReadonlySet<string> = new Set([
  ErrorKinds.BAD_REQUEST.code,
  ErrorKinds.VALIDATION_FAILED.code,
  ErrorKinds.PAYLOAD_TOO_LARGE.code,
  ErrorKinds.UNSUPPORTED_MEDIA_TYPE.code,
])

/**
 * Decides from a handler's failure and the message's delivery count whether the message goes back
 * or aside. A failure of the infrastructure (database, NATS) is retried without end: it says nothing
 * about the message. A malformed message (a non-retryable AppError such as BAD_REQUEST: undecodable)
 * is set aside at once; one the handler refused for good (another non-retryable AppError: a report
 * of a bot the job is not assigned to) is rejected; any other failure is set aside after
 * `maxDeliveries`, and a message waiting for another after `maxWaits`.
 */
export function judgeFailure(
  error: unknown,
  deliveryCount: number,
  limits: { maxDeliveries: number; maxWaits: number },
): FailureVerdict {
  if (error instanceof RedeliverLater)
    return deliveryCount >= limits.maxWaits ? { action: 'set-aside' } : { action: 'wait' }
  if (isAppError(error) && error.nonRetryable)
    return MALFORMED.has(error.code) ? { action: 'set-aside' } : { action: 'reject' }
  if (isTransientFailure(error)) return { action: 'retry' }
  return deliveryCount >= limits.maxDeliveries ? { action: 'set-aside' } : { action: 'retry' }
}
