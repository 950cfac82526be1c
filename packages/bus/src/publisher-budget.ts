import { TokenBuckets, type TokenRate } from '@taskforge/core'
import type { Logger } from '@taskforge/telemetry'

/**
 * What one publisher may cost a consumer of a stream that untrusted publishers write to (bots on
 * REPORTS, decision 19). Messages of a publisher past its budget are terminated unread, before any
 * decoding or database work, so one publisher's flood costs the consumer almost nothing and other
 * publishers' messages behind it are handled at once.
 */
export interface PublisherBudget {
  /** The publisher of a message, from its subject (`reports.<bot>`: the bot); undefined: no budget applies. */
  publisherOf(subject: string): string | undefined
  /** Messages of one publisher handled per second (past it, dropped). */
  messages: TokenRate
  /**
   * Messages of one publisher that failed for good (malformed, refused, set aside) per second. A
   * publisher out of this budget has every message dropped until it earns a token back: an honest
   * publisher's messages do not fail, and each failure may have cost a read or a quarantine row.
   */
  failures: TokenRate
  /** Told of each message dropped, and why. */
  onDropped?(reason: PublisherDropReason): void
}

/** Why a message was dropped: its publisher sent too many, or too many of its messages failed. */
export type PublisherDropReason = 'rate' | 'failures'

/** How often a publisher's drops are logged, at most (at WARN, with the count since the last log). */
const LOG_EVERY_MS = 60_000

/** The budgets of every publisher of one consumer, in memory (per replica). */
export class PublisherBudgets {
  readonly #budget: PublisherBudget
  readonly #messages: TokenBuckets
  readonly #failures: TokenBuckets
  readonly #logger: Logger
  readonly #where: Record<string, unknown>
  /** Per publisher with drops not logged yet: how many, and when the last log was. */
  readonly #drops = new Map<string, { count: number; loggedAtMs: number }>()

  constructor(budget: PublisherBudget, logger: Logger, where: Record<string, unknown>) {
    this.#budget = budget
    this.#messages = new TokenBuckets(budget.messages)
    this.#failures = new TokenBuckets(budget.failures)
    this.#logger = logger
    this.#where = where
  }

  /** Whether a message on `subject` may be handled now; counts it against its publisher's rate. */
  admit(subject: string, nowMs: number = Date.now()): boolean {
    const publisher = this.#budget.publisherOf(subject)
    if (publisher === undefined) return true
    const reason: PublisherDropReason | undefined = !this.#failures.has(publisher, nowMs)
      ? 'failures'
      : !this.#messages.take(publisher, nowMs)
        ? 'rate'
        : undefined
    if (reason === undefined) return true
    this.#budget.onDropped?.(reason)
    this.#noteDrop(publisher, reason, nowMs)
    return false
  }

  /** A message on `subject` failed for good: one token of its publisher's failure budget. */
  failed(subject: string, nowMs: number = Date.now()): void {
    const publisher = this.#budget.publisherOf(subject)
    if (publisher !== undefined) this.#failures.take(publisher, nowMs)
  }

  #noteDrop(publisher: string, reason: PublisherDropReason, nowMs: number): void {
    const drops = this.#drops.get(publisher) ?? { count: 0, loggedAtMs: Number.NEGATIVE_INFINITY }
    drops.count += 1
    if (nowMs - drops.loggedAtMs >= LOG_EVERY_MS) {
      this.#logger.warn(
        { ...this.#where, publisher, reason, dropped: drops.count },
        reason === 'rate'
          ? 'messages dropped: their publisher sends more than its share'
          : 'messages dropped: too many of their publisher’s messages failed',
      )
      drops.count = 0
      drops.loggedAtMs = nowMs
    }
    this.#drops.set(publisher, drops)
    // Bounded whatever publishers are seen: forget the oldest-logged when there are too many.
    if (this.#drops.size > 10_000) {
      const oldest = this.#drops.keys().next().value
      if (oldest !== undefined) this.#drops.delete(oldest)
    }
  }
}
