import type { JetStreamClient } from '@nats-io/jetstream'
import { headers as natsHeaders } from '@nats-io/transport-node'
import { type BackoffPolicy, backoffDelay } from '@taskforge/core'
import { BotReport } from '@taskforge/proto/bots/v1/protocol'
import type { Logger } from '@taskforge/telemetry'

export class PublishAbortedError extends Error {
  override name = 'PublishAbortedError'
}

/**
 * A report the connection can never carry (the client refuses it before sending, as larger than
 * the server's max_payload): retrying it would hold every later report of its job forever.
 */
export class ReportRefusedError extends Error {
  override name = 'ReportRefusedError'
}

/**
 * How the bot retries what it needs from the server (pulls, report acks, catalog answers): from a
 * quarter second to five, with jitter so that the bots of a restarted server do not all come back
 * in the same instant.
 */
export const RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5_000, jitter: 0.2 }

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * Publishes a bot's reports on its report subject through JetStream, each with its report id as
 * `Nats-Msg-Id`. A report is retried until the stream acknowledges it: across disconnections,
 * a missing stream or a restarting server; only the bot's final shutdown gives up (`abort`). A
 * report the client refuses to send (too large) fails at once with {@link ReportRefusedError}.
 */
export class ReportPublisher {
  private readonly aborter = new AbortController()

  constructor(
    private readonly js: JetStreamClient,
    private readonly subject: string,
    private readonly logger: Logger,
    private readonly options: { ackTimeoutMs?: number; maxBackoffMs?: number } = {},
  ) {}

  async publish(report: BotReport): Promise<void> {
    const data = BotReport.encode(report).finish()
    const hdrs = natsHeaders()
    if (report.trace?.traceparent) {
      hdrs.set('traceparent', report.trace.traceparent)
      if (report.trace.tracestate) hdrs.set('tracestate', report.trace.tracestate)
    }
    for (let failures = 0; ; failures++) {
      if (this.aborter.signal.aborted)
        throw new PublishAbortedError(`report ${report.reportId} not published`)
      try {
        await this.js.publish(this.subject, data, {
          msgID: report.reportId,
          headers: hdrs,
          timeout: this.options.ackTimeoutMs ?? 5000,
        })
        return
      } catch (error) {
        // The client's own check of what it may send (max_payload): no retry can pass it.
        if ((error as Error).name === 'InvalidArgumentError') {
          this.logger.error(
            { err: error, reportId: report.reportId, bytes: data.length },
            'report refused by the connection',
          )
          throw new ReportRefusedError(`report ${report.reportId} (${data.length} bytes) refused`, {
            cause: error,
          })
        }
        const delay = backoffDelay(
          {
            ...RECONNECT_BACKOFF,
            initialMs: 200,
            maxMs: this.options.maxBackoffMs ?? RECONNECT_BACKOFF.maxMs,
          },
          failures,
        )
        const log = failures === 0 || failures % 10 === 0 ? this.logger.warn : this.logger.debug
        log.call(
          this.logger,
          { err: error, reportId: report.reportId, retryInMs: delay },
          'report not acknowledged yet',
        )
        await pause(delay, this.aborter.signal)
      }
    }
  }

  /** Stops every retry in progress (they reject with PublishAbortedError). */
  abort(): void {
    this.aborter.abort()
  }
}
