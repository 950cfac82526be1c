import type { BotReport } from '@taskforge/proto/bots/v1/protocol'
import type { TraceContext } from '@taskforge/proto/events/v1/envelope'
import type { ExecutionOutcome } from './execution/outcome.js'
import type { OutputChunk } from './execution/output-batcher.js'
import { outputReportId, reportId } from './report-ids.js'

export interface ReportSink {
  publish(report: BotReport): Promise<void>
}

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
 */
export class JobReporter {
  private queue: Promise<void> = Promise.resolve()
  private seq = 0
  private sequence = 0

  constructor(
    private readonly sink: ReportSink,
    private readonly job: JobIdentity,
  ) {}

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
        value: { seq: this.seq, stream: chunk.stream, text: chunk.text },
      })
    }
    return last
  }

  finished(outcome: ExecutionOutcome): Promise<void> {
    return this.enqueue(reportId(this.job.jobId, this.job.attempt, 'finished'), {
      $case: 'finished',
      value: { state: outcome.state, result: outcome.result, output: outcome.output },
    })
  }

  /**
   * The end of a job this bot ran before it restarted. How many reports it sent then is unknown,
   * so this one is not numbered: the scheduler applies it whatever it received before.
   */
  lost(outcome: ExecutionOutcome): Promise<void> {
    return this.enqueue(
      reportId(this.job.jobId, this.job.attempt, 'finished'),
      { $case: 'finished', value: { state: outcome.state, result: outcome.result, output: outcome.output } },
      false,
    )
  }

  private enqueue(id: string, report: NonNullable<BotReport['report']>, numbered = true): Promise<void> {
    const message: BotReport = {
      reportId: id,
      botId: this.job.botId,
      customer: this.job.customer,
      jobId: this.job.jobId,
      sentAt: new Date(),
      trace: this.job.trace,
      sequence: numbered ? ++this.sequence : 0,
      attempt: this.job.attempt,
      report,
    }
    const next = this.queue.then(() => this.sink.publish(message))
    // A report that failed (only at a forced shutdown) fails every later one: none may overtake it.
    // Callers may ignore output reports' promises, so the failure is marked handled here.
    next.catch(() => {})
    this.queue = next
    return next
  }
}
