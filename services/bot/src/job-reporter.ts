import { abridgeSummary, DEFAULT_MAX_PAYLOAD, messageBudget, wellFormedText } from '@taskforge/core'
import { BotReport, type JobFinishedReport } from '@taskforge/proto/bots/v1/protocol'
import type { TraceContext } from '@taskforge/proto/events/v1/envelope'
import type { ExecutionOutcome } from './execution/outcome.js'
import type { OutputChunk } from './execution/output-capture.js'
import { outputReportId, reportId } from './report-ids.js'
import { ReportRefusedError } from './report-publisher.js'

export interface ReportSink {
  publish(report: BotReport): Promise<void>
}

/** Largest value of a uint32 field, so that an envelope measured with it is the largest one. */
const MAX_UINT32 = 0xffff_ffff
/**
 * What a report may take beyond its measured envelope and its texts: the length prefixes of its
 * nested messages, which grow with what they hold (a few bytes each).
 */
const NESTING_SLACK = 32

export interface JobIdentity {
  botId: string
  customer: string
  jobId: string
  attempt: number
  trace?: TraceContext
}

/**
 * The reports of one job, published one at a time in the order they were made (started, output
 * with increasing seq, finished), each numbered (`sequence`, from 1) by its place among them: the
 * stream then holds them in order, and the scheduler, whichever of its replicas receives one,
 * applies a report only after those before it. Each method answers when its report (and every
 * earlier one) is acknowledged.
 *
 * Every report takes at most `maxReportBytes` encoded, whatever the script printed: an output
 * report carries at most {@link maxChunkBytes} bytes of output (and their text, at most three
 * bytes per byte), and the finished report's output, log, last line and reason are abridged to fit
 * (`result.abridged`; the output reports carried everything).
 */
export class JobReporter {
  private queue: Promise<void> = Promise.resolve()
  private seq = 0
  private sequence = 0
  /** Bytes of output one output report carries at most. */
  readonly maxChunkBytes: number

  /** @param maxReportBytes bound of an encoded report; {@link messageBudget} of the connection's max_payload */
  constructor(
    private readonly sink: ReportSink,
    private readonly job: JobIdentity,
    readonly maxReportBytes: number = messageBudget(DEFAULT_MAX_PAYLOAD),
  ) {
    const envelope = this.encodedBytes({
      $case: 'output',
      value: { seq: MAX_UINT32, stream: 'stdout', text: '', data: Buffer.alloc(0) },
    })
    // A chunk's text takes at most 3 bytes per byte of it, plus the unfinished character it
    // completes (3 bytes) and a U+FFFD ending its stream (3 bytes): text + data <= 4 * bytes + 12.
    this.maxChunkBytes = Math.floor((maxReportBytes - envelope - NESTING_SLACK - 12) / 4)
    if (this.maxChunkBytes < 1)
      throw new RangeError(`a report of ${maxReportBytes} bytes cannot carry output of job ${job.jobId}`)
  }

  started(pid: number, at: Date = new Date()): Promise<void> {
    return this.enqueue(reportId(this.job.jobId, this.job.attempt, 'started'), {
      $case: 'started',
      value: { pid, startedAt: at },
    })
  }

  output(chunks: readonly OutputChunk[]): Promise<void> {
    let last: Promise<void> = this.queue
    for (const chunk of chunks) {
      this.seq += 1
      last = this.enqueue(outputReportId(this.job.jobId, this.job.attempt, this.seq), {
        $case: 'output',
        value: { seq: this.seq, stream: chunk.stream, text: chunk.text, data: chunk.data },
      })
    }
    return last
  }

  finished(outcome: ExecutionOutcome): Promise<void> {
    return this.enqueue(reportId(this.job.jobId, this.job.attempt, 'finished'), {
      $case: 'finished',
      value: this.finishedReport(outcome),
    })
  }

  /**
   * The end of a job this bot ran before it restarted. How many reports it sent then is unknown,
   * so this one is not numbered: the scheduler applies it whatever it received before.
   */
  lost(outcome: ExecutionOutcome): Promise<void> {
    return this.enqueue(
      reportId(this.job.jobId, this.job.attempt, 'finished'),
      { $case: 'finished', value: this.finishedReport(outcome) },
      false,
    )
  }

  /** The finished report of `outcome`, its texts well-formed and abridged to fit the bound. */
  private finishedReport(outcome: ExecutionOutcome): JobFinishedReport {
    const result = { ...outcome.result, signal: wellFormedText(outcome.result.signal) }
    const bare: JobFinishedReport = {
      state: outcome.state,
      result: { ...result, log: '', lastline: '', reason: '', abridged: true },
      output: [],
    }
    const budget = this.maxReportBytes - this.encodedBytes({ $case: 'finished', value: bare }) - NESTING_SLACK
    const { abridged, output, ...texts } = abridgeSummary(
      {
        output: outcome.output.map(wellFormedText),
        log: wellFormedText(result.log),
        lastline: wellFormedText(result.lastline),
        reason: wellFormedText(result.reason),
      },
      budget,
    )
    return { state: outcome.state, result: { ...result, ...texts, abridged }, output }
  }

  /** Bytes a report of this job with `report` takes, at its largest envelope. */
  private encodedBytes(report: NonNullable<BotReport['report']>): number {
    return BotReport.encode(
      this.message(outputReportId(this.job.jobId, MAX_UINT32, MAX_UINT32), report, MAX_UINT32),
    ).finish().length
  }

  /**
   * Publishes `message`; one the connection refuses (which the bound above keeps from happening) is
   * replaced by a report in its place without the output it carried, saying so, so that the reports
   * after it still go and the job still ends.
   */
  private async publish(message: BotReport): Promise<void> {
    try {
      await this.sink.publish(message)
    } catch (error) {
      if (!(error instanceof ReportRefusedError)) throw error
      await this.sink.publish({ ...message, report: withoutOutput(message.report, error.message) })
    }
  }

  private message(id: string, report: NonNullable<BotReport['report']>, sequence: number): BotReport {
    return {
      reportId: id,
      botId: this.job.botId,
      customer: this.job.customer,
      jobId: this.job.jobId,
      sentAt: new Date(),
      trace: this.job.trace,
      sequence,
      attempt: this.job.attempt,
      report,
    }
  }

  private enqueue(id: string, report: NonNullable<BotReport['report']>, numbered = true): Promise<void> {
    const message = this.message(id, report, numbered ? ++this.sequence : 0)
    const next = this.queue.then(() => this.publish(message))
    // A report that failed (only at a forced shutdown) fails every later one: none may overtake it.
    // Callers may ignore output reports' promises, so the failure is marked handled here.
    next.catch(() => {})
    this.queue = next
    return next
  }
}

/** `report` without the output it carries, saying why. */
function withoutOutput(report: BotReport['report'], why: string): BotReport['report'] {
  const note = `[output not sent: ${why}]`
  switch (report?.$case) {
    case 'output':
      return { $case: 'output', value: { ...report.value, text: note, data: Buffer.alloc(0) } }
    case 'finished': {
      const result = report.value.result
      return {
        $case: 'finished',
        value: {
          state: report.value.state,
          result: result && { ...result, log: note, lastline: '', reason: note, abridged: true },
          output: [],
        },
      }
    }
    default:
      return report
  }
}
