import type { NatsConnection } from '@nats-io/transport-node'
import { SecretEnvReply, SecretEnvRequest } from '@taskforge/proto/bots/v1/protocol'
import type { Logger } from '@taskforge/telemetry'
import { pause } from '../report-publisher.js'

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

function refusedByServer(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === 'PermissionViolationError') return true
  }
  return false
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
      const deadline = Date.now() + giveUpAfterMs
      for (let failures = 0; ; failures++) {
        let problem: string
        try {
          const reply = SecretEnvReply.decode(
            (await nc.request(options.subject, encoded, { timeout: requestTimeoutMs })).data,
          )
          const result = reply.result
          if (result?.$case === 'values') return result.value.values
          if (result?.$case !== 'error')
            throw new SecretEnvUnavailableError('the catalog answered nothing usable')
          if (result.value.code !== 'UNAVAILABLE') {
            throw new SecretEnvUnavailableError(
              `the catalog would not open the task's secret variables (${result.value.code}: ${result.value.message})`,
            )
          }
          problem = result.value.message
        } catch (error) {
          if (error instanceof SecretEnvUnavailableError) throw error
          if (refusedByServer(error)) {
            throw new SecretEnvUnavailableError(
              `this bot's NATS user may not ask for secret variables on ${options.subject}: its credentials predate them; register the bot anew`,
            )
          }
          problem = (error as Error).message
        }
        if (signal.aborted) throw signal.reason
        if (Date.now() >= deadline) {
          throw new SecretEnvUnavailableError(
            `the catalog did not open the task's secret variables for ${giveUpAfterMs / 1000} s (${problem})`,
          )
        }
        const delay = Math.min(250 * 2 ** failures, 5000)
        const log = failures === 0 || failures % 10 === 0 ? options.logger.warn : options.logger.debug
        log.call(
          options.logger,
          { taskId: job.taskId, problem, retryInMs: delay },
          'secret variables not opened yet',
        )
        await pause(delay, signal)
        if (signal.aborted) throw signal.reason
      }
    },
  }
}
