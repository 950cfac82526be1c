import type { NatsConnection } from '@nats-io/transport-node'
import { SecretEnvReply, SecretEnvRequest } from '@taskforge/proto/bots/v1/protocol'
import type { Logger } from '@taskforge/telemetry'
import { askCatalog } from '../catalog-request.js'

/** Opens a job's secret variables: the sealed values of its spec in, their clear values out. */
export interface SecretEnvSource {
  open(
    job: { taskId: string; sealed: Readonly<Record<string, Uint8Array>> },
    signal: AbortSignal,
  ): Promise<Record<string, string>>
}

/** The catalog would not open a job's secret variables: the job cannot run as its task says. */
export class SecretEnvUnavailableError extends Error {
  override name = 'SecretEnvUnavailableError'
}

export interface CatalogSecretEnvOptions {
  /** The bot's own request subject, `secrets.<bot>`: the only one its NATS user may ask on for them. */
  subject: string
  customer: string
  logger: Logger
  /** How long one request may take to come back. */
  requestTimeoutMs?: number
  /** How long an opening keeps trying while the catalog cannot answer (down, restarting, busy). */
  giveUpAfterMs?: number
}

/**
 * Asks task-catalog to open a job's secret variables over NATS request/reply (decision 18). The
 * values exist in clear only in the reply, this process and the script's environment: no stream
 * ever holds them. A refusal (not this organization's, not this task's) fails the job at once; while
 * the catalog cannot answer, the request is tried again with back-off, up to `giveUpAfterMs`.
 */
export function catalogSecretEnv(nc: NatsConnection, options: CatalogSecretEnvOptions): SecretEnvSource {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000
  const giveUpAfterMs = options.giveUpAfterMs ?? 120_000
  return {
    async open(job, signal) {
      if (Object.keys(job.sealed).length === 0) return {}
      const encoded = SecretEnvRequest.encode({
        customer: options.customer,
        taskId: job.taskId,
        sealed: Object.fromEntries(
          Object.entries(job.sealed).map(([name, value]) => [name, Buffer.from(value)]),
        ),
      }).finish()
      return askCatalog({
        send: async () => (await nc.request(options.subject, encoded, { timeout: requestTimeoutMs })).data,
        decode: (data) => {
          const result = SecretEnvReply.decode(data).result
          return result?.$case === 'values' ? { $case: 'value', value: result.value.values } : result
        },
        what: "the task's secret variables",
        fail: (message) => new SecretEnvUnavailableError(message),
        forbidden: `this bot's NATS user may not ask for secret variables on ${options.subject}: its credentials predate them; register the bot anew`,
        deadline: Date.now() + giveUpAfterMs,
        giveUpAfterMs,
        signal,
        logger: options.logger,
        logFields: { taskId: job.taskId },
      })
    },
  }
}
