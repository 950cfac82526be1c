import { backoffDelay } from '@taskforge/core'
import type { Logger } from '@taskforge/telemetry'

const BACKOFF = { initialMs: 250, maxMs: 4_000, jitter: 0.2 } as const
/** Long enough for a JetStream cluster to elect a meta leader again. */
const DEFAULT_DEADLINE_MS = 60_000

const TRANSIENT =
  /timeout|timed out|no responders|temporarily unavailable|jetstream not (?:enabled|ready)|no suitable peers|leader/i

/**
 * Whether a JetStream API failure may pass by itself: the request timed out, no server answered yet,
 * or the cluster is between leaders. A refused configuration is not transient.
 */
export function isTransientJetStreamError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  return error.name === 'TimeoutError' || error.name === 'NoRespondersError' || TRANSIENT.test(error.message)
}

/**
 * Runs a declaration again while it fails transiently (backoff up to 4s, for at most `deadlineMs`):
 * replicas starting together on a busy cluster otherwise crash on a timed-out API call.
 */
export async function retryTransient<T>(
  what: string,
  fn: () => Promise<T>,
  logger: Logger,
  deadlineMs = DEFAULT_DEADLINE_MS,
): Promise<T> {
  const deadline = Date.now() + deadlineMs
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      const delay = backoffDelay(BACKOFF, attempt)
      if (!isTransientJetStreamError(error) || Date.now() + delay > deadline) throw error
      logger.warn({ err: error, what, retryInMs: delay }, 'JetStream declaration failed; retrying')
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}
