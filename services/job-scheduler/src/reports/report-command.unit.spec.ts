import { isAppError, utf8Length } from '@taskforge/core'
import { BotReport, type DeepPartial } from '@taskforge/proto/bots/v1/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { botIdOfReportSubject, reportToCommand } from './report-command.js'

const jobId = '01900000-0000-7000-8000-0000000000a1'
const received = new Date('2025-01-01T00:00:05Z')
const report = (partial: DeepPartial<BotReport>) =>
  BotReport.fromPartial({ reportId: 'r1', botId: 'bot-1', customer: 'acme', jobId, ...partial })

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (isAppError(error)) return error.code
    throw error
  }
  return 'none'
}

describe('botIdOfReportSubject', () => {
  it('reads the bot of reports.<bot> only', () => {
    expect(botIdOfReportSubject('reports.bot-1')).toBe('bot-1')
    expect(botIdOfReportSubject('reports.bot-1.x')).toBeUndefined()
    expect(botIdOfReportSubject('dispatch.bot-1')).toBeUndefined()
    expect(botIdOfReportSubject('reports.')).toBeUndefined()
  })
})

describe('reportToCommand', () => {
  it('maps each kind of report to its command', () => {
    const startedAt = new Date('2025-01-01T00:00:01Z')
    expect(
      reportToCommand(
        report({ report: { $case: 'started', value: { pid: 7, startedAt } } }),
        'reports.bot-1',
        received,
      ),
    ).toEqual({ type: 'RecordStarted', botId: 'bot-1', pid: 7, startedAt })
    expect(
      reportToCommand(
        report({ report: { $case: 'output', value: { seq: 3, stream: 'stderr', text: 'oops' } } }),
        'reports.bot-1',
        received,
      ),
    ).toEqual({ type: 'RecordOutput', botId: 'bot-1', seq: 3, stream: 'stderr', text: 'oops' })
    expect(
      reportToCommand(
        report({ report: { $case: 'finished', value: { state: 'failure', output: ['x'] } } }),
        'reports.bot-1',
        received,
      ),
    ).toMatchObject({ type: 'RecordFinished', botId: 'bot-1', state: 'failure', output: ['x'] })
  })
  it("carries the report's place among its attempt's reports, when the bot numbered it", () => {
    const output = { $case: 'output' as const, value: { seq: 1, stream: 'stdout', text: 'x' } }
    expect(
      reportToCommand(report({ report: output, sequence: 2, attempt: 1 }), 'reports.bot-1', received),
    ).toMatchObject({ type: 'RecordOutput', sequence: 2, attempt: 1 })
    const unnumbered = reportToCommand(report({ report: output }), 'reports.bot-1', received)
    expect(unnumbered).not.toHaveProperty('sequence')
    expect(unnumbered).not.toHaveProperty('attempt')
  })
  it('falls back to the send time, then the arrival time, for a start without a time', () => {
    const started = { $case: 'started' as const, value: { pid: 1 } }
    const sentAt = new Date('2025-01-01T00:00:02Z')
    expect(reportToCommand(report({ report: started, sentAt }), 'reports.bot-1', received)).toMatchObject({
      startedAt: sentAt,
    })
    expect(reportToCommand(report({ report: started }), 'reports.bot-1', received)).toMatchObject({
      startedAt: received,
    })
  })
  it('refuses a report sent on another bot subject', () => {
    const started = { $case: 'started' as const, value: { pid: 1 } }
    expect(code(() => reportToCommand(report({ report: started }), 'reports.bot-2', received))).toBe(
      'BAD_REQUEST',
    )
  })
  it('refuses a report without id, job or content', () => {
    const started = { $case: 'started' as const, value: { pid: 1 } }
    expect(
      code(() => reportToCommand(report({ report: started, reportId: '' }), 'reports.bot-1', received)),
    ).toBe('BAD_REQUEST')
    expect(
      code(() => reportToCommand(report({ report: started, jobId: 'nope' }), 'reports.bot-1', received)),
    ).toBe('BAD_REQUEST')
    expect(code(() => reportToCommand(report({}), 'reports.bot-1', received))).toBe('BAD_REQUEST')
  })
  it('keeps the bytes of an output report and makes its text well-formed', () => {
    const data = Buffer.from([0x61, 0x00, 0xff])
    expect(
      reportToCommand(
        report({
          report: { $case: 'output', value: { seq: 1, stream: 'stdout', text: 'a\u0000\ud800', data } },
        }),
        'reports.bot-1',
        received,
      ),
    ).toEqual({ type: 'RecordOutput', botId: 'bot-1', seq: 1, stream: 'stdout', text: 'a\ufffd\ufffd', data })
  })
  it('makes the texts of a finished report well-formed', () => {
    const command = reportToCommand(
      report({
        report: {
          $case: 'finished',
          value: {
            state: 'success',
            result: { log: 'a\u0000', lastline: '\udc00', reason: 'x\u0000' },
            output: ['\u0000'],
          },
        },
      }),
      'reports.bot-1',
      received,
    )
    expect(command).toMatchObject({
      output: ['\ufffd'],
      result: { log: 'a\ufffd', lastline: '\ufffd', reason: 'x\ufffd', abridged: false },
    })
  })
  it('keeps whatever a bot reports within the bound of the event it becomes', () => {
    const text = fc.string({ unit: 'binary', maxLength: 3000 })
    fc.assert(
      fc.property(
        fc.array(text, { maxLength: 20 }),
        text,
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 1024, max: 8192 }),
        (lines, log, data, bound) => {
          const output = reportToCommand(
            report({
              report: {
                $case: 'output',
                value: { seq: 1, stream: 'stdout', text: log, data: Buffer.from(data) },
              },
            }),
            'reports.bot-1',
            received,
            bound,
          )
          if (output.type !== 'RecordOutput') throw new Error(output.type)
          expect(utf8Length(output.text) + (output.data?.length ?? 0)).toBeLessThanOrEqual(bound - 512)
          const finished = reportToCommand(
            report({
              report: {
                $case: 'finished',
                value: { state: 'success', result: { log, lastline: log }, output: lines },
              },
            }),
            'reports.bot-1',
            received,
            bound,
          )
          if (finished.type !== 'RecordFinished') throw new Error(finished.type)
          const texts = [finished.result!.log, finished.result!.lastline, ...finished.output]
          expect(texts.reduce((sum, item) => sum + utf8Length(item) + 6, 18)).toBeLessThanOrEqual(bound)
          for (const item of texts) expect(item.isWellFormed() && !item.includes('\0')).toBe(true)
        },
      ),
    )
  })
})
