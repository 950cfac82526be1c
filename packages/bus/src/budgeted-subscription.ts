import type { Msg, NatsConnection } from '@nats-io/transport-node'
import { TokenBuckets, type TokenRate } from '@taskforge/core'
import type { Logger } from '@taskforge/telemetry'

export interface BudgetedSubscriptionOptions {
  /** A queue group: each message goes to one subscriber of the group. */
  queue?: string
  /** The publisher of a message, from its subject; undefined: dropped (not a subject of this kind). */
  publisherOf(subject: string): string | undefined
  /** Messages of one publisher handled per second, and at once. */
  rate: TokenRate
  /** Messages admitted and not handled yet, at most (default 1,000); past it, dropped. */
  maxWaiting?: number
  /** Told of each message dropped. */
  onDropped?(): void
  /** Handles one admitted message, one at a time; a failure is logged and the next one handled. */
  handle(msg: Msg): Promise<void>
  logger: Logger
}

/**
 * A core NATS subscription that untrusted publishers (bots) write to, each held to its own rate.
 * The budget is checked as each message is parsed, in the connection's callback, before anything
 * is queued, decoded or awaited: a publisher flooding the subject costs a lookup per message, and
 * neither memory nor event-loop turns grow with its rate, so other publishers' messages are still
 * handled at once (decision 19).
 */
export function subscribeWithBudget(
  nc: NatsConnection,
  subject: string,
  options: BudgetedSubscriptionOptions,
): { stop(): Promise<void> } {
  const buckets = new TokenBuckets(options.rate)
  const maxWaiting = options.maxWaiting ?? 1_000
  const waiting: Msg[] = []
  let wake: (() => void) | undefined
  let stopped = false
  const subscription = nc.subscribe(subject, {
    ...(options.queue === undefined ? {} : { queue: options.queue }),
    callback: (error, msg) => {
      if (error !== null) {
        options.logger.warn({ err: error, subject }, 'subscription error')
        return
      }
      const publisher = options.publisherOf(msg.subject)
      if (publisher === undefined || waiting.length >= maxWaiting || !buckets.take(publisher, Date.now())) {
        options.onDropped?.()
        return
      }
      waiting.push(msg)
      wake?.()
    },
  })
  const loop = (async () => {
    while (!stopped) {
      const msg = waiting.shift()
      if (msg === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        wake = undefined
        continue
      }
      try {
        await options.handle(msg)
      } catch (error) {
        options.logger.warn({ err: error, subject: msg.subject }, 'message not handled')
      }
    }
  })()
  return {
    async stop() {
      stopped = true
      subscription.unsubscribe()
      wake?.()
      await loop
    },
  }
}
