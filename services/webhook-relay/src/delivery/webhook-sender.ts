import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import type { AddressPolicy } from '../ssrf/address-policy.js'
import {
  type PinnedAddress,
  pinnedLookup,
  RefusedDestinationError,
  type Resolver,
  resolveDestination,
  systemResolver,
} from '../ssrf/pinned-destination.js'
import { parseRetryAfter } from './retry-policy.js'

/** The product's User-Agent on every delivery. */
export const USER_AGENT = 'Taskforge-Webhook/1.0'
/** How much of an answer an attempt keeps for the delivery log. */
export const EXCERPT_CHARS = 1024
/** An idle kept-alive connection is closed after this, before common servers' own 5 s close it under us. */
const IDLE_SOCKET_MS = 4_000
/** Destinations whose agents are kept; the least recently used one is dropped beyond. */
const MAX_DESTINATIONS = 256

/** success: 2xx; failure: anything else that reached or tried to reach the receiver; refused: the guard said no. */
export type AttemptOutcome = 'success' | 'failure' | 'refused'

export interface AttemptResult {
  outcome: AttemptOutcome
  statusCode?: number
  durationMs: number
  responseExcerpt: string
  error: string
  /** The receiver's `Retry-After`, in milliseconds. */
  retryAfterMs?: number
}

export interface WebhookSenderOptions {
  policy: AddressPolicy
  /** Deadline of one attempt, from resolving the name to the last byte read. */
  timeoutMs: number
  /** Bytes of an answer read at most; the rest is dropped with the connection. */
  maxResponseBytes: number
  resolver?: Resolver
}

interface Answer {
  status: number
  location: string | undefined
  retryAfter: string | undefined
  text: string
}

function headerText(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * Ends one attempt early (its deadline, or the relay stopping): whatever stage it is in when
 * stopped, a lookup or a request, ends at once with the reason. One per attempt; cheaper than an
 * AbortController and the listeners each stage would add to it.
 */
class AttemptStop {
  #reason: Error | undefined
  #onStop: ((reason: Error) => void) | undefined

  get stopped(): boolean {
    return this.#reason !== undefined
  }

  stop(reason: Error): void {
    if (this.#reason !== undefined) return
    this.#reason = reason
    this.#onStop?.(reason)
  }

  /** What a stop does from now on (at once when already stopped). */
  onStop(end: (reason: Error) => void): void {
    this.#onStop = end
    if (this.#reason !== undefined) end(this.#reason)
  }

  /** Rejects with the reason as soon as the attempt stops (a DNS lookup cannot be cancelled). */
  race<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.onStop(reject)
      work.then(resolve, reject)
    })
  }
}

/** A reused connection failed before any answer: the receiver had closed it meanwhile. */
class StaleConnectionError extends Error {}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    return code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message
  }
  return String(error)
}

/**
 * Kept-alive connections, one agent per checked destination: the pinned address, the URL's host
 * and port, and the scheme. A pooled socket is connected to the very address its agent is keyed by,
 * and every attempt resolves and checks the name again before picking the agent: an address the
 * name no longer resolves to, or one the policy refuses, is never reused.
 */
class DestinationAgents {
  readonly #agents = new Map<string, http.Agent>()

  for(target: URL, pinned: PinnedAddress): http.Agent {
    const key = `${target.protocol}//${target.host}@${pinned.address}`
    let agent = this.#agents.get(key)
    if (agent !== undefined) {
      // Most recently used last, so the first one is the one to drop.
      this.#agents.delete(key)
    } else {
      const options = { keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' as const }
      agent = target.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options)
      const oldest = this.#agents.size >= MAX_DESTINATIONS ? this.#agents.keys().next().value : undefined
      // Its idle sockets close by their timeout; its busy ones finish their attempt.
      if (oldest !== undefined) this.#agents.delete(oldest)
    }
    this.#agents.set(key, agent)
    return agent
  }

  close(): void {
    for (const agent of this.#agents.values()) agent.destroy()
    this.#agents.clear()
  }
}

/**
 * Sends one webhook attempt and says how it went; it never throws. The host is resolved once and
 * checked by the address policy, and the connection goes to that very address (pinned lookup), so a
 * name cannot resolve to something else between the check and the connect. TLS still verifies the
 * certificate for the name, and the Host header carries it. Redirects are never followed.
 * Connections are kept alive per checked destination ({@link DestinationAgents}).
 */
export class WebhookSender {
  readonly #options: WebhookSenderOptions
  readonly #resolver: Resolver
  readonly #agents = new DestinationAgents()

  constructor(options: WebhookSenderOptions) {
    this.#options = options
    this.#resolver = options.resolver ?? systemResolver
  }

  /** Closes the kept-alive connections (attempts still running lose theirs). */
  close(): void {
    this.#agents.close()
  }

  async send(request: {
    url: string
    body: string
    headers: Record<string, string>
    /** Abandons the attempt (service stopping); the result then says so in `error`. */
    signal?: AbortSignal
  }): Promise<AttemptResult> {
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    // Ended by the deadline or the caller; one listener on the caller's signal, removed after.
    const stop = new AttemptStop()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      stop.stop(new Error('deadline'))
    }, this.#options.timeoutMs)
    const abandon = () => stop.stop(new Error('abandoned'))
    if (request.signal?.aborted) abandon()
    request.signal?.addEventListener('abort', abandon, { once: true })
    try {
      const target = new URL(request.url)
      const pinned = await stop.race(
        resolveDestination(target.hostname, this.#options.policy, this.#resolver),
      )
      const answer = await this.#post(target, pinned, request, stop).catch((error: unknown) => {
        // A kept-alive connection the receiver closed as it was reused: once more, on a new one.
        if (error instanceof StaleConnectionError && !stop.stopped) {
          return this.#post(target, pinned, request, stop, false)
        }
        throw error
      })
      const excerpt = answer.text.slice(0, EXCERPT_CHARS)
      const retryAfterMs = parseRetryAfter(answer.retryAfter)
      const base = {
        statusCode: answer.status,
        durationMs: elapsed(),
        responseExcerpt: excerpt,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      }
      if (answer.status >= 200 && answer.status < 300) return { ...base, outcome: 'success', error: '' }
      const error =
        answer.status >= 300 && answer.status < 400
          ? `redirect to ${answer.location ?? '(no Location)'} not followed`
          : `HTTP ${answer.status}`
      return { ...base, outcome: 'failure', error }
    } catch (error) {
      const durationMs = elapsed()
      if (error instanceof RefusedDestinationError) {
        return { outcome: 'refused', durationMs, responseExcerpt: '', error: error.message }
      }
      const message = timedOut
        ? `no complete answer within ${this.#options.timeoutMs} ms`
        : request.signal?.aborted
          ? 'abandoned: the relay is stopping'
          : describeError(error)
      return { outcome: 'failure', durationMs, responseExcerpt: '', error: message }
    } finally {
      clearTimeout(timer)
      request.signal?.removeEventListener('abort', abandon)
    }
  }

  #post(
    target: URL,
    pinned: PinnedAddress,
    request: { body: string; headers: Record<string, string> },
    stop: AttemptStop,
    reuse = true,
  ): Promise<Answer> {
    const max = this.#options.maxResponseBytes
    const payload = Buffer.from(request.body, 'utf8')
    const transport = target.protocol === 'https:' ? https : http
    return new Promise<Answer>((resolve, reject) => {
      const outgoing = transport.request(
        target,
        {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(payload.length) },
          lookup: pinnedLookup(pinned),
          agent: reuse ? this.#agents.for(target, pinned) : false,
        },
        (response) => {
          const chunks: Buffer[] = []
          let size = 0
          const finish = () =>
            resolve({
              status: response.statusCode ?? 0,
              location: headerText(response, 'location'),
              retryAfter: headerText(response, 'retry-after'),
              text: Buffer.concat(chunks).subarray(0, max).toString('utf8'),
            })
          response.on('data', (chunk: Buffer) => {
            if (size >= max) return
            chunks.push(chunk)
            size += chunk.length
            if (size >= max) {
              finish()
              response.destroy()
            }
          })
          response.on('end', finish)
          // The status line arrived: a body cut short (deadline, reset) still leaves a usable answer.
          response.on('close', finish)
          response.on('error', () => finish())
        },
      )
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        const stale = outgoing.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')
        reject(stale ? new StaleConnectionError(error.message, { cause: error }) : error)
      })
      stop.onStop((reason) => outgoing.destroy(reason))
      outgoing.end(payload)
    })
  }
}
