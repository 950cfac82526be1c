import {
  abridgeSummary,
  badRequest,
  DEFAULT_MAX_PAYLOAD,
  isId,
  messageBudget,
  utf8Head,
  wellFormedText,
} from '@taskforge/core'
import type { BotReport, JobFinishedReport, JobOutputReport } from '@taskforge/proto/bots/v1/protocol'
import type { RecordFinished, RecordOutput, RecordStarted, ReportPlace } from '../domain/job-decider.js'

/**
 * What an event about output holds besides its texts and bytes, at most (lifecycle, state, seq,
 * stream, numbers and the fields' tags).
 */
const EVENT_FIELDS_BYTES = 512

export type ReportCommand = RecordStarted | RecordOutput | RecordFinished

/** The bot id in a report subject (`reports.<botId>`), or undefined for any other subject. */
export function botIdOfReportSubject(subject: string): string | undefined {
  const [prefix, botId, ...rest] = subject.split('.')
  return prefix === 'reports' && botId !== undefined && botId !== '' && rest.length === 0 ? botId : undefined
}

/**
 * The job command a bot report asks for. A report that cannot be applied whatever the state (no id, no
 * job, no case, or sent on another bot's subject) fails with a non-retryable error.
 *
 * A bot is not trusted with what it says about output: its texts are made well-formed (U+FFFD for NUL
 * and lone surrogates, which Postgres refuses), and cut to keep the event they become within
 * `maxEventBytes`, as an honest bot's reports already are (see the bot's JobReporter).
 */
export function reportToCommand(
  report: BotReport,
  subject: string,
  receivedAt: Date,
  maxEventBytes: number = messageBudget(DEFAULT_MAX_PAYLOAD),
): ReportCommand {
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
        stream: wellFormedText(report.report.value.stream),
        ...outputWithin(report.report.value, maxEventBytes - EVENT_FIELDS_BYTES),
      }
    case 'finished':
      return {
        type: 'RecordFinished',
        ...place,
        botId,
        state: report.report.value.state,
        ...summaryWithin(report.report.value, maxEventBytes - EVENT_FIELDS_BYTES),
      }
    case undefined:
      throw badRequest(`report ${report.reportId} carries nothing`)
  }
}

/** A chunk's bytes and well-formed text, the text cut short when both together would pass `maxBytes`. */
function outputWithin(chunk: JobOutputReport, maxBytes: number): Pick<RecordOutput, 'text' | 'data'> {
  const data = chunk.data?.subarray(0, maxBytes)
  return { text: utf8Head(wellFormedText(chunk.text), maxBytes - (data?.length ?? 0)), data }
}

/** A finished report's result and output, their texts well-formed and abridged to take at most `maxBytes`. */
function summaryWithin(
  finished: JobFinishedReport,
  maxBytes: number,
): Pick<RecordFinished, 'result' | 'output'> {
  const reported = finished.result
  const { abridged, output, ...texts } = abridgeSummary(
    {
      output: finished.output.map(wellFormedText),
      log: wellFormedText(reported?.log ?? ''),
      lastline: wellFormedText(reported?.lastline ?? ''),
      reason: wellFormedText(reported?.reason ?? ''),
    },
    maxBytes,
  )
  if (reported === undefined) return { result: undefined, output }
  const signal = utf8Head(wellFormedText(reported.signal), 64)
  return { result: { ...reported, ...texts, signal, abridged: reported.abridged || abridged }, output }
}
