import { BotReport } from '@taskforge/proto/bots/v1/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decideOutcome } from './execution/outcome.js'
import { OutputBatcher } from './execution/output-batcher.js'
import { OutputCapture, type OutputChunk, type OutputStream } from './execution/output-capture.js'
import { JobReporter } from './job-reporter.js'
import { ReportRefusedError } from './report-publisher.js'

const chunk = (stream: OutputStream, text: string): OutputChunk => ({ stream, data: Buffer.from(text), text })
const identity = { botId: 'b', customer: 'demo', jobId: 'j', attempt: 2 }

describe('JobReporter', () => {
  it('publishes one report at a time, in order, with deterministic ids', async () => {
    const published: BotReport[] = []
    let inFlight = 0
    const sink = {
      async publish(report: BotReport) {
        inFlight += 1
        expect(inFlight).toBe(1)
        await new Promise((resolve) => setImmediate(resolve))
        published.push(report)
        inFlight -= 1
      },
    }
    const reporter = new JobReporter(sink, { botId: 'b', customer: 'demo', jobId: 'j', attempt: 2 })
    const started = reporter.started(42)
    reporter.output([chunk('stdout', 'a'), chunk('stderr', 'b')])
    reporter.output([chunk('stdout', 'c')])
    await reporter.finished(decideOutcome({ kind: 'exited', code: 0, signal: null }, 'a', 0))
    await started
    expect(published.map((report) => report.reportId)).toEqual([
      'j.2.started',
      'j.2.output.1',
      'j.2.output.2',
      'j.2.output.3',
      'j.2.finished',
    ])
    expect(published.map((report) => report.report?.$case)).toEqual([
      'started',
      'output',
      'output',
      'output',
      'finished',
    ])
    expect(published.map((report) => report.sequence)).toEqual([1, 2, 3, 4, 5])
    expect(published.every((report) => report.attempt === 2)).toBe(true)
    expect(published[2]?.report).toEqual({
      $case: 'output',
      value: { seq: 2, stream: 'stderr', text: 'b', data: Buffer.from('b') },
    })
    expect(
      published.every((report) => report.botId === 'b' && report.customer === 'demo' && report.jobId === 'j'),
    ).toBe(true)
  })

  it("leaves the report of a job lost in a restart unnumbered, with the finished report's id", async () => {
    const published: BotReport[] = []
    const reporter = new JobReporter(
      { publish: async (report: BotReport) => void published.push(report) },
      { botId: 'b', customer: 'demo', jobId: 'j', attempt: 1 },
    )
    await reporter.lost(decideOutcome({ kind: 'not-started', reason: 'bot restarted' }, '', 0))
    expect(published).toHaveLength(1)
    expect(published[0]).toMatchObject({ reportId: 'j.1.finished', sequence: 0, attempt: 1 })
    expect(published[0]?.report?.$case).toBe('finished')
  })
})

describe('JobReporter bounds', () => {
  // Any bytes, and the worst for size: bytes that each become a U+FFFD of 3 bytes (NUL, 0x80-0xff).
  const anyBytes = fc.oneof(
    fc.uint8Array({ maxLength: 1000, size: 'max' }),
    fc.uint8Array({ min: 0x80, max: 0xff, maxLength: 1000, size: 'max' }),
    fc.uint8Array({ max: 0, maxLength: 1000, size: 'max' }),
  )
  const collect = (reports: BotReport[]) => ({
    publish: async (report: BotReport) => void reports.push(report),
  })
  const encodedBytes = (report: BotReport) => BotReport.encode(report).finish().length

  it('keeps every report under its bound, whatever bytes a script printed, and loses none of them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ stderr: fc.boolean(), bytes: anyBytes }), { maxLength: 12 }),
        fc.integer({ min: 600, max: 3000 }),
        async (writes, bound) => {
          const reports: BotReport[] = []
          const reporter = new JobReporter(collect(reports), identity, bound)
          const capture = new OutputCapture(1024 * 1024, reporter.maxChunkBytes)
          const batcher = new OutputBatcher({
            maxBytes: reporter.maxChunkBytes,
            emit: (chunks) => void reporter.output(chunks),
          })
          for (const { stderr, bytes } of writes)
            for (const piece of capture.write(stderr ? 'stderr' : 'stdout', Buffer.from(bytes)))
              batcher.push(piece)
          for (const piece of capture.end()) batcher.push(piece)
          batcher.flush()
          await reporter.finished(
            decideOutcome({ kind: 'exited', code: 0, signal: null }, capture.text, capture.truncatedBytes),
          )

          for (const report of reports) expect(encodedBytes(report)).toBeLessThanOrEqual(bound)
          const outputs = reports.flatMap((report) =>
            report.report?.$case === 'output' ? [report.report.value] : [],
          )
          for (const stream of ['stdout', 'stderr']) {
            const written = writes.filter((write) => write.stderr === (stream === 'stderr'))
            const sent = outputs.filter((output) => output.stream === stream)
            expect(Buffer.concat(sent.map((output) => output.data ?? Buffer.alloc(0)))).toEqual(
              Buffer.concat(written.map((write) => write.bytes)),
            )
            const text = sent.map((output) => output.text).join('')
            expect(text.isWellFormed() && !text.includes('\0')).toBe(true)
          }
          const finished = reports.at(-1)?.report
          if (finished?.$case !== 'finished') throw new Error('no finished report last')
          const { result, output } = finished.value
          for (const text of [result!.log, result!.lastline, ...output])
            expect(text.isWellFormed() && !text.includes('\0')).toBe(true)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('abridges a finished report that would not fit: the start of the output, the end of the log', async () => {
    const reports: BotReport[] = []
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(100)}`)
    const log = `${lines.join('\n')}\n`
    await new JobReporter(collect(reports), identity, 64 * 1024).finished(
      decideOutcome({ kind: 'exited', code: 0, signal: null }, log, 0),
    )
    const report = reports[0]!
    expect(encodedBytes(report)).toBeLessThanOrEqual(64 * 1024)
    if (report.report?.$case !== 'finished') throw new Error('not a finished report')
    const { result, output } = report.report.value
    expect(result?.abridged).toBe(true)
    expect(log.endsWith(result!.log)).toBe(true)
    expect(result!.log.length).toBeGreaterThan(10_000)
    expect(output.slice(0, 10)).toEqual(lines.slice(0, 10))
    expect(result?.lastline).toBe(lines.at(-1))
  })

  it('leaves a finished report that fits whole', async () => {
    const reports: BotReport[] = []
    await new JobReporter(collect(reports), identity).finished(
      decideOutcome({ kind: 'exited', code: 0, signal: null }, 'a\u0000b\n', 0),
    )
    expect(reports[0]?.report).toMatchObject({
      $case: 'finished',
      value: { output: ['a\u0000b'.replace('\u0000', '\ufffd')], result: { abridged: false } },
    })
  })

  it('sends a report in place of one the connection refuses, so the job still ends', async () => {
    const reports: BotReport[] = []
    const sink = {
      async publish(report: BotReport) {
        if (report.report?.$case === 'output' && (report.report.value.data?.length ?? 0) > 0)
          throw new ReportRefusedError('too large')
        reports.push(report)
      },
    }
    const reporter = new JobReporter(sink, identity)
    void reporter.output([chunk('stdout', 'lost')])
    await reporter.finished(decideOutcome({ kind: 'exited', code: 0, signal: null }, 'lost', 0))
    expect(reports.map((report) => report.sequence)).toEqual([1, 2])
    expect(reports[0]?.report).toMatchObject({
      $case: 'output',
      value: { seq: 1, text: '[output not sent: too large]', data: Buffer.alloc(0) },
    })
    expect(reports[1]?.report?.$case).toBe('finished')
  })
})
