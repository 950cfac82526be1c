import {
  type Bus,
  type BusMessage,
  type PublisherDropReason,
  RedeliverLater,
  Streams,
  type Subscription,
} from '@taskforge/bus'
import { backoffDelay, badRequest, DEFAULT_MAX_PAYLOAD, messageBudget, type TokenRate } from '@taskforge/core'
import type { EventStore } from '@taskforge/event-store'
import { BotReport } from '@taskforge/proto/bots/v1/protocol'
import { Durables } from '@taskforge/protocol'
import { contextFromTrace, currentTraceContext, SpanKind, withSpan } from '@taskforge/telemetry'
import { JobCommandBatches } from '../app/job-command-batches.js'
import type { JobCommandDeps } from '../app/job-command-handler.js'
import { ReportTooEarly } from '../domain/job-decider.js'
import type { JobTimings } from '../metrics/job-timings.js'
import { PerKeyQueue } from './per-key-queue.js'
import { botIdOfReportSubject, reportToCommand } from './report-command.js'

/**
 * Reports a replica holds at once (of different jobs: those of one job apply one at a time). They
 * apply in batches ({@link JobCommandBatches}), so more at hand makes fewer, larger transactions.
 */
export const REPORTS_CONCURRENCY = 64
/**
 * Unacknowledged reports the server lets out at once, across replicas. Early reports waiting for
 * redelivery count too, so it is well above every replica's concurrency together.
 */
export const REPORTS_MAX_ACK_PENDING = 1024

/**
 * Reports of one bot handled per second by default (`REPORTS_PER_BOT_PER_SECOND`), ten times that
 * at once. An honest bot sends about three a job (started, output, finished) and four a second per
 * running job that prints: this lets one bot run some 300 short jobs a second, above what one bot
 * does today (about 120 in the bench), while a flood of valid-looking reports stays bounded.
 */
export const REPORTS_PER_BOT_PER_SECOND = 1_000

/**
 * Reports of one bot that may fail for good (undecodable, forged, refused): 50 at once, then one a
 * second. An honest bot's reports do not fail; a bot past this has all its reports dropped unread
 * until it earns a token back, so a flood of bad reports costs no reads and few quarantine rows.
 */
export const REPORT_FAILURES_PER_BOT: TokenRate = { perSecond: 1, burst: 50 }

export interface ReportsDeps extends JobCommandDeps {
  bus: Bus
  store: EventStore
  /** Told what each applied report appended (dispatch latency and run time metrics). */
  timings?: JobTimings
  /** Reports of one bot handled per second (default {@link REPORTS_PER_BOT_PER_SECOND}). */
  reportsPerBot?: number
  /** Told of each report dropped because its bot was past its budget. */
  onDropped?: (reason: PublisherDropReason) => void
}

function decodeReport(data: Uint8Array): BotReport {
  try {
    return BotReport.decode(data)
  } catch (error) {
    throw badRequest('undecodable bot report', { cause: String(error) })
  }
}

/**
 * How long an early report waits before it is offered again: its predecessor is being applied by
 * another replica (a few milliseconds) or waits for its own redelivery, so start short and back off.
 */
export function earlyReportDelayMs(deliveryCount: number): number {
  return backoffDelay({ initialMs: 20, maxMs: 2_000 }, deliveryCount - 1)
}

/**
 * Applies one bot report, in a transaction with the other reports at hand ({@link JobCommandBatches}).
 * Reports are facts a bot may send twice: the job's
 * decider drops one already applied (by its sequence number, or by what it reports), so a
 * redelivered report changes nothing. A numbered report that came before one of its predecessors
 * is put back for redelivery ({@link earlyReportDelayMs}). A report that can never apply
 * (undecodable, on another bot's subject, from a bot the job is not assigned to) throws a
 * non-retryable error: the bus terminates the message and logs why.
 */
export async function handleReport(
  deps: ReportsDeps,
  batches: JobCommandBatches,
  msg: BusMessage,
  report: BotReport = decodeReport(msg.data),
): Promise<void> {
  // The events a report becomes go out on this connection: they must fit what its server allows.
  const maxEventBytes = messageBudget(deps.bus.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD)
  const command = reportToCommand(report, msg.subject, new Date(), maxEventBytes)
  // The consumer span already continues a trace the headers carry; the report's own is for those without.
  const headerTrace = Object.keys(msg.headers).some((key) => key.toLowerCase() === 'traceparent')
  const parent = !headerTrace && report.trace?.traceparent ? contextFromTrace(report.trace) : undefined
  const result = await withSpan(
    `job report ${command.type}`,
    {
      kind: SpanKind.CONSUMER,
      ...(parent === undefined ? {} : { parent }),
      attributes: { 'taskforge.job_id': report.jobId, 'taskforge.bot_id': report.botId },
    },
    () => {
      const trace = currentTraceContext()
      return batches.apply({
        jobId: report.jobId,
        command,
        author: report.botId,
        causationId: report.reportId,
        ...(trace === undefined ? {} : { trace }),
      })
    },
  ).catch((error: unknown) => {
    if (error instanceof ReportTooEarly)
      throw new RedeliverLater(error.message, earlyReportDelayMs(msg.deliveryCount))
    throw error
  })
  deps.timings?.observe(report.jobId, result.history, result.appended)
}

/**
 * Consumes REPORTS, many jobs' reports at once, applied in batches ({@link JobCommandBatches}). Reports
 * of one job apply in the order sent: one at a time and in arrival order within a replica
 * ({@link PerKeyQueue}), and across replicas by their sequence numbers (an early one is redelivered
 * later, see {@link handleReport}). Each bot has a budget of reports and of failed reports: past
 * either, its reports are dropped before they are read, so a bot flooding REPORTS with its own
 * credentials delays no other bot's reports (decision 19).
 */
export function consumeReports(deps: ReportsDeps): Promise<Subscription> {
  const queue = new PerKeyQueue()
  const batches = new JobCommandBatches(deps)
  const perBot = deps.reportsPerBot ?? REPORTS_PER_BOT_PER_SECOND
  return deps.bus.consume(
    Streams.REPORTS.name,
    Durables.reports,
    (msg) => {
      const report = decodeReport(msg.data)
      return queue.run(report.jobId, () => handleReport(deps, batches, msg, report))
    },
    {
      concurrency: REPORTS_CONCURRENCY,
      publisherBudget: {
        publisherOf: botIdOfReportSubject,
        messages: { perSecond: perBot, burst: perBot * 10 },
        failures: REPORT_FAILURES_PER_BOT,
        ...(deps.onDropped === undefined ? {} : { onDropped: deps.onDropped }),
      },
    },
  )
}
