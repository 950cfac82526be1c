import type { NatsConnection } from '@nats-io/transport-node'
import { SCRIPT_REQUESTS_PER_BOT } from '@taskforge/bus'
import { ScriptContentReply, ScriptContentRequest } from '@taskforge/proto/bots/v1/protocol'
import type { Logger } from '@taskforge/telemetry'
import { askCatalog } from '../catalog-request.js'
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
    return askCatalog({
      send: async () => (await request(encoded)).data,
      decode: (data) => {
        const result = ScriptContentReply.decode(data).result
        return result?.$case === 'part' ? { $case: 'value', value: result.value } : result
      },
      what: 'the script',
      fail: (message) => new ScriptUnavailableError(message),
      forbidden: `this bot's NATS user may not ask for scripts on ${options.subject}: its credentials predate jobs that carry their script by reference; register the bot anew`,
      deadline,
      giveUpAfterMs,
      signal,
      logger: options.logger,
      logFields: { sha256: ref.sha256, offset },
    })
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
