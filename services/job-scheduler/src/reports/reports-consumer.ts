import { type Bus, type BusMessage, Streams, type Subscription } from '@taskforge/bus'
import { badRequest } from '@taskforge/core'
import type { EventStore } from '@taskforge/event-store'
import { BotReport } from '@taskforge/proto/bots/v1/protocol'
import { contextFromTrace, SpanKind, withSpan } from '@taskforge/telemetry'
import { executeJobCommand, type JobCommandDeps } from '../app/job-command-handler.js'
import type { JobTimings } from '../metrics/job-timings.js'
import { reportToCommand } from './report-command.js'

/** The scheduler's durable on REPORTS; also the inbox consumer name. */
export const REPORTS_DURABLE = 'job-scheduler-reports'

export interface ReportsDeps extends JobCommandDeps {
  bus: Bus
  store: EventStore
  /** Told what each applied report appended (dispatch latency and run time metrics). */
  timings?: JobTimings
}

function decodeReport(data: Uint8Array): BotReport {
  try {
    return BotReport.decode(data)
  } catch (error) {
    throw badRequest('undecodable bot report', { cause: String(error) })
  }
}

/**
 * Applies one bot report: the inbox claim of its report id and the events it causes commit together, so
 * a redelivered report changes nothing. A report that can never apply (undecodable, on another bot's
 * subject, from a bot the job is not assigned to) throws a non-retryable error: the bus terminates the
 * message and logs why.
 */
export async function handleReport(deps: ReportsDeps, msg: BusMessage): Promise<void> {
  const { store } = deps
  const report = decodeReport(msg.data)
  const command = reportToCommand(report, msg.subject, new Date())
  // The consumer span already continues a trace the headers carry; the report's own is for those without.
  const headerTrace = Object.keys(msg.headers).some((key) => key.toLowerCase() === 'traceparent')
  const parent = !headerTrace && report.trace?.traceparent ? contextFromTrace(report.trace) : undefined
  const appended = await withSpan(
    `job report ${command.type}`,
    {
      kind: SpanKind.CONSUMER,
      ...(parent === undefined ? {} : { parent }),
      attributes: { 'taskforge.job_id': report.jobId, 'taskforge.bot_id': report.botId },
    },
    () =>
      store.transaction(async (trx) => {
        if (!(await store.claimInbox(trx, REPORTS_DURABLE, report.reportId))) return []
        const result = await executeJobCommand(deps, report.jobId, command, {
          author: report.botId,
          causationId: report.reportId,
          trx,
        })
        return result.appended
      }),
  )
  deps.timings?.observe(report.jobId, appended)
}

/** Starts consuming REPORTS in stream order (reports of one job must apply in the order sent). */
export function consumeReports(deps: ReportsDeps): Promise<Subscription> {
  return deps.bus.consume(Streams.REPORTS.name, REPORTS_DURABLE, (msg) => handleReport(deps, msg))
}
