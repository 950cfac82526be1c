import type { BotReport } from '@taskforge/proto/bots/v1/protocol'
import { describe, expect, it } from 'vitest'
import { decideOutcome } from './execution/outcome.js'
import { JobReporter } from './job-reporter.js'

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
    reporter.output([
      { stream: 'stdout', text: 'a' },
      { stream: 'stderr', text: 'b' },
    ])
    reporter.output([{ stream: 'stdout', text: 'c' }])
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
    expect(published[2]?.report).toEqual({ $case: 'output', value: { seq: 2, stream: 'stderr', text: 'b' } })
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
