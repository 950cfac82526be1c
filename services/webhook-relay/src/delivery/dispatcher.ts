import { setMaxListeners } from 'node:events'
import type { Logger } from '@taskforge/telemetry'
import { type SubscriptionRow, signingSecrets } from '../projection/subscription-queries.js'
import { AttemptRecorder } from './attempt-recorder.js'
import type { AttemptVerdict, DeliveryRow, DeliveryStore } from './delivery-store.js'
import { nextDelayMs, type RetryPolicy } from './retry-policy.js'
import { signatureHeaders } from './signature.js'
import { withToken } from './target-url.js'
import { type AttemptResult, USER_AGENT, type WebhookSender } from './webhook-sender.js'

/**
 * How many attempts run at once (in one replica): in all, per organization, per subscription, per
 * receiving host.
 */
export interface DispatchLimits {
  concurrency: number
  perOrganization: number
  perSubscription: number
  perHost: number
}

export interface DispatcherDeps {
  deliveries: DeliveryStore
  sender: WebhookSender
  retry: RetryPolicy
  limits: DispatchLimits
  /** Look for due deliveries at least this often (other replicas' work, retries coming due). */
  pollIntervalMs: number
  /** How long a taken delivery stays with its worker before another may take it. */
  leaseMs: number
  logger: Logger
  /** Turns a subscription's deliveries off and says why (410 Gone, failing for days). */
  disable(subscription: SubscriptionRow, reason: string): Promise<void>
  /** Told about every attempt once recorded (metrics by outcome). */
  onAttempt?(result: AttemptResult): void
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

function increment(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by
  if (next <= 0) counts.delete(key)
  else counts.set(key, next)
}

/**
 * Sends due deliveries. Each attempt runs on its own within the limits, so a slow or dead receiver
 * holds at most its own subscription's, host's and organization's slots, never the others', and
 * never the API (which only writes rows). Woken when deliveries are created or an attempt ends, and
 * by a timer.
 *
 * Organizations take turns: a round takes every organization's oldest due delivery before anyone's
 * second, starting after the organization served last, and an organization never holds more than
 * `perOrganization` attempts. So receivers that never answer (a tar pit holding each attempt until
 * its deadline) cost their organization its own share, and every other organization keeps the rest.
 *
 * A round takes due deliveries together (one query for the candidates, one that claims them and
 * returns their subscriptions), and finished attempts are written together ({@link AttemptRecorder}).
 * The subscription's and host's slots are given back as soon as the receiver answered; the attempt
 * keeps its place among `concurrency` until it is recorded.
 */
export class Dispatcher {
  readonly #deps: DispatcherDeps
  readonly #inFlight = new Set<Promise<void>>()
  readonly #perOrganization = new Map<string, number>()
  readonly #perSubscription = new Map<string, number>()
  readonly #perHost = new Map<string, number>()
  /** The organization whose delivery a round took last: the next round starts after it. */
  #lastServed = ''
  readonly #abort = new AbortController()
  readonly #recorder: AttemptRecorder
  #running: Promise<void> | undefined
  #stopped = false
  #wakeUp: (() => void) | undefined
  #woken = false

  constructor(deps: DispatcherDeps) {
    this.#deps = deps
    this.#recorder = new AttemptRecorder((attempts) => deps.deliveries.record(attempts))
    // Every attempt in flight listens for the stop: as many listeners as attempts, by design.
    setMaxListeners(deps.limits.concurrency + 1, this.#abort.signal)
  }

  start(): void {
    this.#running ??= this.#loop()
  }

  /** Look for due deliveries now. */
  wake(): void {
    this.#woken = true
    this.#wakeUp?.()
  }

  /** Stops taking deliveries and abandons running attempts; theirs go back to the queue, due now. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#abort.abort()
    this.wake()
    await this.#running
    await Promise.allSettled([...this.#inFlight])
    this.#deps.sender.close()
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      // Answers that arrived in this turn of the event loop free their slots first: one round then
      // takes deliveries for all of them instead of a round (two statements) per answer.
      await new Promise<void>((resolve) => setImmediate(resolve))
      this.#woken = false
      try {
        await this.#fill()
      } catch (error) {
        this.#deps.logger.error({ err: error }, 'cannot take due deliveries; will retry')
      }
      if (this.#woken || this.#stopped) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#deps.pollIntervalMs)
        this.#wakeUp = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.#wakeUp = undefined
    }
  }

  /** Takes as many due deliveries as the limits allow and starts them. */
  async #fill(): Promise<void> {
    const { deliveries, limits, leaseMs } = this.#deps
    while (!this.#stopped) {
      const free = limits.concurrency - this.#inFlight.size
      if (free <= 0) return
      // Organizations whose share is taken are left out by the query; room is left for the rows of
      // subscriptions already at their limit here, which are skipped below.
      const asked = free + this.#perSubscription.size * limits.perSubscription
      const full = [...this.#perOrganization].filter(([, count]) => count >= limits.perOrganization)
      const candidates = await deliveries.candidates({
        limit: asked,
        perSubscription: limits.perSubscription,
        perOrganization: Math.min(limits.perOrganization, free),
        skipOrganizations: full.map(([customer]) => customer),
        after: this.#lastServed,
      })
      const organizations = new Map(this.#perOrganization)
      const subscriptions = new Map(this.#perSubscription)
      const hosts = new Map(this.#perHost)
      const chosen = new Map<string, string>()
      for (const candidate of candidates) {
        if (chosen.size >= free) break
        const host = hostOf(candidate.url)
        if ((organizations.get(candidate.customer) ?? 0) >= limits.perOrganization) continue
        if ((subscriptions.get(candidate.subscriptionId) ?? 0) >= limits.perSubscription) continue
        if ((hosts.get(host) ?? 0) >= limits.perHost) continue
        increment(organizations, candidate.customer, 1)
        increment(subscriptions, candidate.subscriptionId, 1)
        increment(hosts, host, 1)
        chosen.set(candidate.id, host)
        this.#lastServed = candidate.customer
      }
      if (chosen.size === 0) return
      const claimed = await deliveries.claim([...chosen.keys()], leaseMs)
      for (const { delivery, subscription } of claimed) {
        this.#launch(delivery, chosen.get(delivery.id) ?? '', subscription)
      }
      if (claimed.length === 0 || candidates.length < asked) return
    }
  }

  #launch(delivery: DeliveryRow, host: string, subscription: SubscriptionRow): void {
    increment(this.#perOrganization, delivery.customer, 1)
    increment(this.#perSubscription, delivery.subscription_id, 1)
    increment(this.#perHost, host, 1)
    let receiverHeld = true
    const receiverDone = () => {
      if (!receiverHeld) return
      receiverHeld = false
      increment(this.#perOrganization, delivery.customer, -1)
      increment(this.#perSubscription, delivery.subscription_id, -1)
      increment(this.#perHost, host, -1)
      if (!this.#stopped) this.wake()
    }
    const task = this.#attempt(delivery, subscription, receiverDone)
      .catch((error: unknown) =>
        this.#deps.logger.error(
          { err: error, delivery_id: delivery.id },
          'delivery attempt not recorded; it comes back when its lease ends',
        ),
      )
      .finally(() => {
        // The receiver's slots woke the loop already; this place matters only when all were taken.
        const wasFull = this.#inFlight.size >= this.#deps.limits.concurrency
        this.#inFlight.delete(task)
        receiverDone()
        if (wasFull && !this.#stopped) this.wake()
      })
    this.#inFlight.add(task)
  }

  async #attempt(
    delivery: DeliveryRow,
    subscription: SubscriptionRow,
    receiverDone: () => void,
  ): Promise<void> {
    const { deliveries, logger } = this.#deps
    const number = delivery.attempt_count + 1
    const startedAt = new Date()
    const timestamp = Math.floor(startedAt.getTime() / 1000)
    const result = await this.#deps.sender.send({
      url: withToken(subscription.url, subscription.token),
      body: delivery.payload,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        ...signatureHeaders(
          signingSecrets(subscription, startedAt),
          delivery.id,
          timestamp,
          delivery.payload,
        ),
      },
      signal: this.#abort.signal,
    })
    receiverDone()
    if (this.#abort.signal.aborted && result.outcome !== 'success') {
      await deliveries.release(delivery)
      return
    }
    const verdict = this.#verdict(delivery, number, result)
    await this.#recorder.record({ delivery, attempt: { ...result, number, startedAt }, verdict })
    this.#deps.onAttempt?.(result)
    logger.debug(
      { delivery_id: delivery.id, attempt: number, outcome: result.outcome, status: result.statusCode },
      'delivery attempt',
    )
    try {
      if (result.statusCode === 410) {
        await this.#deps.disable(subscription, `the receiver answered 410 Gone at ${startedAt.toISOString()}`)
      } else if (verdict.status === 'failed' && !delivery.manual) {
        await this.#disableIfFailingSince(subscription, delivery, result)
      }
    } catch (error) {
      // Deleted meanwhile, or the store is unreachable: the next failing delivery tries again.
      logger.warn({ err: error, subscription_id: subscription.id }, 'cannot disable the subscription')
    }
  }

  #verdict(delivery: DeliveryRow, number: number, result: AttemptResult): AttemptVerdict {
    if (result.outcome === 'success') return { status: 'succeeded' }
    if (result.statusCode === 410 || delivery.manual) return { status: 'failed' }
    const delayMs = nextDelayMs(this.#deps.retry, number, result.retryAfterMs)
    return delayMs === undefined ? { status: 'failed' } : { status: 'pending', delayMs }
  }

  /**
   * A delivery used its whole schedule (about three days with the standard one). If nothing reached
   * the receiver since that delivery was created, the receiver has been failing all that time: the
   * subscription is disabled rather than retried forever, and says why.
   */
  async #disableIfFailingSince(
    subscription: SubscriptionRow,
    delivery: DeliveryRow,
    result: AttemptResult,
  ): Promise<void> {
    const lastSuccess = await this.#deps.deliveries.lastSuccessAt(subscription.id)
    if (lastSuccess !== undefined && lastSuccess.getTime() >= delivery.created_at.getTime()) return
    await this.#deps.disable(
      subscription,
      `every attempt failed since ${delivery.created_at.toISOString()} (delivery ${delivery.id}, ` +
        `${delivery.attempt_count + 1} attempts; last error: ${result.error || 'none'})`,
    )
  }
}
