import type { NatsConnection } from '@nats-io/transport-node'
import { SCRIPT_REQUESTS_PER_BOT } from '@taskforge/bus'
import { ScriptContentReply, ScriptContentRequest } from '@taskforge/proto/bots/v1/protocol'
import type { Logger } from '@taskforge/telemetry'
import { pause } from '../report-publisher.js'
import { type ScriptRef, type ScriptSource, ScriptUnavailableError } from './script-cache.js'

export interface CatalogScriptSourceOptions {
  /** The bot's own request subject, `scripts.<bot>`: the only one its NATS user may ask on. */
  subject: string
  customer: string
  logger: Logger
  /** How long one part may take to come back. */
  requestTimeoutMs?: number
  /** How long a download keeps trying while the catalog cannot answer (down, restarting, busy). */
  giveUpAfterMs?: number
}

/** Names the nats.js errors of a refused publish, found anywhere in an error's chain of causes. */
function refusedByServer(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === 'PermissionViolationError') return true
  }
  return false
}

/**
 * Fetches script contents from task-catalog over NATS request/reply (decision 15), part after part
 * (each reply stays far under max_payload). What the catalog refuses (not found, not this
 * organization's) fails the download at once; while it cannot answer at all (no responder, a
 * timeout, UNAVAILABLE) the download tries again with back-off, up to `giveUpAfterMs`.
 */
export function catalogScriptSource(nc: NatsConnection, options: CatalogScriptSourceOptions): ScriptSource {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000
  const giveUpAfterMs = options.giveUpAfterMs ?? 120_000
  // Never more requests at once than the catalog answers for one bot (downloads past it queue here).
  let inFlight = 0
  const waiting: (() => void)[] = []
  async function request(data: Uint8Array) {
    while (inFlight >= SCRIPT_REQUESTS_PER_BOT) await new Promise<void>((resolve) => waiting.push(resolve))
    inFlight += 1
    try {
      return await nc.request(options.subject, data, { timeout: requestTimeoutMs })
    } finally {
      inFlight -= 1
      waiting.shift()?.()
    }
  }

  async function part(ref: ScriptRef, offset: number, signal: AbortSignal, deadline: number) {
    const encoded = ScriptContentRequest.encode({
      customer: options.customer,
      sha256: ref.sha256,
      offset,
    }).finish()
    for (let failures = 0; ; failures++) {
      let problem: string
      try {
        const reply = ScriptContentReply.decode((await request(encoded)).data)
        const result = reply.result
        if (result?.$case === 'part') return result.value
        if (result?.$case !== 'error') throw new ScriptUnavailableError('the catalog answered nothing usable')
        if (result.value.code !== 'UNAVAILABLE') {
          throw new ScriptUnavailableError(
            `the catalog refused it (${result.value.code}: ${result.value.message})`,
          )
        }
        problem = result.value.message
      } catch (error) {
        if (error instanceof ScriptUnavailableError) throw error
        if (refusedByServer(error)) {
          throw new ScriptUnavailableError(
            `this bot's NATS user may not ask for scripts on ${options.subject}: its credentials predate jobs that carry their script by reference; register the bot anew`,
          )
        }
        problem = (error as Error).message
      }
      if (signal.aborted) throw signal.reason
      if (Date.now() >= deadline) {
        throw new ScriptUnavailableError(
          `the catalog did not answer for ${giveUpAfterMs / 1000} s (${problem})`,
        )
      }
      const delay = Math.min(250 * 2 ** failures, 5000)
      const log = failures === 0 || failures % 10 === 0 ? options.logger.warn : options.logger.debug
      log.call(
        options.logger,
        { sha256: ref.sha256, offset, problem, retryInMs: delay },
        'script not fetched yet',
      )
      await pause(delay, signal)
      if (signal.aborted) throw signal.reason
    }
  }

  return {
    async fetch(ref, signal) {
      const deadline = Date.now() + giveUpAfterMs
      const parts: Uint8Array[] = []
      let offset = 0
      do {
        const { size, data } = await part(ref, offset, signal, deadline)
        if (size !== ref.size || (data.length === 0 && offset < size) || offset + data.length > size) {
          throw new ScriptUnavailableError(
            `the catalog holds ${size} bytes under the hash and answered ${data.length} from ${offset}; the job names ${ref.size}`,
          )
        }
        parts.push(data)
        offset += data.length
      } while (offset < ref.size)
      return Buffer.concat(parts)
    },
  }
}
