import { badRequest, isId } from '@taskforge/core'
import type { BotReport } from '@taskforge/proto/bots/v1/protocol'
import type { RecordFinished, RecordOutput, RecordStarted, ReportPlace } from '../domain/job-decider.js'

export type ReportCommand = RecordStarted | RecordOutput | RecordFinished

/** The bot id in a report subject (`reports.<botId>`), or undefined for any other subject. */
export function botIdOfReportSubject(subject: string): string | undefined {
  const [prefix, botId, ...rest] = subject.split('.')
  return prefix === 'reports' && botId !== undefined && botId !== '' && rest.length === 0 ? botId : undefined
}

/**
 * The job command a bot report asks for. A report that cannot be applied whatever the state (no id, no
 * job, no case, or sent on another bot's subject) fails with a non-retryable error.
 */
export function reportToCommand(report: BotReport, subject: string, receivedAt: Date): ReportCommand {
  const subjectBot = botIdOfReportSubject(subject)
  if (subjectBot === undefined || report.botId !== subjectBot) {
    throw badRequest(`report of bot ${JSON.stringify(report.botId)} arrived on ${subject}`, {
      subject,
      botId: report.botId,
    })
  }
  if (report.reportId === '') throw badRequest('report without report_id', { field: 'report_id' })
  if (!isId(report.jobId)) throw badRequest(`report for an invalid job id ${JSON.stringify(report.jobId)}`)
  const botId = report.botId
  // Absent (0) when the bot did not number the report or name the attempt.
  const place: ReportPlace = {
    ...(report.sequence === 0 ? {} : { sequence: report.sequence }),
    ...(report.attempt === 0 ? {} : { attempt: report.attempt }),
  }
  switch (report.report?.$case) {
    case 'started':
      return {
        type: 'RecordStarted',
        ...place,
        botId,
        pid: report.report.value.pid,
        startedAt: report.report.value.startedAt ?? report.sentAt ?? receivedAt,
      }
    case 'output':
      return {
        type: 'RecordOutput',
        ...place,
        botId,
        seq: report.report.value.seq,
        stream: report.report.value.stream,
        text: report.report.value.text,
      }
    case 'finished':
      return {
        type: 'RecordFinished',
        ...place,
        botId,
        state: report.report.value.state,
        result: report.report.value.result,
        output: report.report.value.output,
      }
    case undefined:
      throw badRequest(`report ${report.reportId} carries nothing`)
  }
}
