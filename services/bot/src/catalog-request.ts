import { backoffDelay } from '@taskforge/core'
import type { Logger } from '@taskforge/telemetry'
import { pause, RECONNECT_BACKOFF } from './report-publisher.js'

/** What the catalog answers a bot's request: the thing asked for, an error with its code, or nothing usable. */
export type CatalogAnswer<T> =
  | { $case: 'value'; value: T }
  | { $case: 'error'; value: { code: string; message: string } }
  | undefined

export interface CatalogRequest<T> {
  /** Sends the request once and resolves to the reply's bytes. */
  send(): Promise<Uint8Array>
  decode(reply: Uint8Array): CatalogAnswer<T>
  /** What was asked for, in the messages: "the script", "the task's secret variables". */
  what: string
  /** Builds the caller's own error, for a refusal or for giving up. */
  fail(message: string): Error
  /** Why the NATS server may refuse the bot's user this subject, said when it does. */
  forbidden: string
  /** When to give up while the catalog cannot answer (an epoch time in ms)... */
  deadline: number
  /** ...and how long that was from the start, for the message. */
  giveUpAfterMs: number
  signal: AbortSignal
  logger: Logger
  /** Fields logged with each try that found the catalog unable to answer. */
  logFields: Record<string, unknown>
}

/** Names the nats.js errors of a refused publish, found anywhere in an error's chain of causes. */
function refusedByServer(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === 'PermissionViolationError') return true
  }
  return false
}

/**
 * Asks task-catalog something over NATS request/reply (decisions 15 and 18). What the catalog
 * refuses (not found, not this organization's) fails at once; while it cannot answer at all (no
 * responder, a timeout, a reply that does not decode, UNAVAILABLE) the request is tried again with
 * back-off (0.25 s doubling to 5 s) until `deadline`. The first failure and every tenth are logged
 * at WARN, the others at DEBUG.
 */
export async function askCatalog<T>(request: CatalogRequest<T>): Promise<T> {
  for (let failures = 0; ; failures++) {
    let problem: string
    let answer: CatalogAnswer<T> | 'unanswered' = 'unanswered'
    try {
      answer = request.decode(await request.send())
    } catch (error) {
      if (refusedByServer(error)) throw request.fail(request.forbidden)
      problem = (error as Error).message
    }
    if (answer !== 'unanswered') {
      if (answer?.$case === 'value') return answer.value
      if (answer?.$case !== 'error')
        throw request.fail(`the catalog answered nothing usable for ${request.what}`)
      if (answer.value.code !== 'UNAVAILABLE') {
        throw request.fail(
          `the catalog refused ${request.what} (${answer.value.code}: ${answer.value.message})`,
        )
      }
      problem = answer.value.message
    }
    if (request.signal.aborted) throw request.signal.reason
    if (Date.now() >= request.deadline) {
      throw request.fail(
        `the catalog did not give ${request.what} for ${request.giveUpAfterMs / 1000} s (${problem!})`,
      )
    }
    const delay = backoffDelay(RECONNECT_BACKOFF, failures)
    const log = failures === 0 || failures % 10 === 0 ? request.logger.warn : request.logger.debug
    log.call(
      request.logger,
      { ...request.logFields, problem: problem!, retryInMs: delay },
      `${request.what}: not yet`,
    )
    await pause(delay, request.signal)
    if (request.signal.aborted) throw request.signal.reason
  }
}
