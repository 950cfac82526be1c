import { waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parsePrometheusText } from '../../packages/metrics/src/index.js'
import {
  collectSpans,
  type ReadableSpan,
  type SpanCollector,
  SpanKind,
} from '../../packages/telemetry/src/index.js'
import { expectStatus, idOf, jobEnded } from './support/fixtures.js'
import { type InProcessPlatform, startInProcessPlatform } from './support/in-process-platform.js'

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId
const idOfSpan = (span: ReadableSpan) => span.spanContext().spanId

/** The spans of one trace, with lookups by relation. */
class Trace {
  readonly byId: Map<string, ReadableSpan>
  constructor(readonly spans: ReadableSpan[]) {
    this.byId = new Map(spans.map((span) => [idOfSpan(span), span]))
  }

  /** The one span that matches, failing with the trace's outline otherwise. */
  one(what: string, match: (span: ReadableSpan) => boolean): ReadableSpan {
    const found = this.spans.filter(match)
    expect(found, `${what} in:\n${this.outline()}`).toHaveLength(1)
    return found[0] as ReadableSpan
  }

  some(what: string, match: (span: ReadableSpan) => boolean): ReadableSpan[] {
    const found = this.spans.filter(match)
    expect(found.length, `${what} in:\n${this.outline()}`).toBeGreaterThan(0)
    return found
  }

  /** The chain of parents from `span` up to the root, nearest first. */
  ancestors(span: ReadableSpan): ReadableSpan[] {
    const chain: ReadableSpan[] = []
    for (let parent = parentOf(span); parent !== undefined; ) {
      const next = this.byId.get(parent)
      if (next === undefined) break
      chain.push(next)
      parent = parentOf(next)
    }
    return chain
  }

  outline(): string {
    return this.spans
      .map((span) => `${idOfSpan(span)} <- ${parentOf(span) ?? 'root'}: ${span.name}`)
      .join('\n')
  }
}

const attribute = (span: ReadableSpan, key: string) => span.attributes[key]

// One job through every hop, every service in this process, real Postgres and NATS: the spans it
// leaves must form one trace rooted at the gateway's request.
describe('one trace per job', () => {
  let collector: SpanCollector
  let platform: InProcessPlatform
  let jobId: string
  let runPath: string

  beforeAll(async () => {
    collector = collectSpans('taskforge')
    platform = await startInProcessPlatform()
    const { call, customer, adminToken, botId } = platform
    const script = await expectStatus(call, 201, 'POST', `/${customer}/script`, {
      token: adminToken,
      json: { filename: 'traced.sh', content: '#!/bin/sh\necho "traced $1"\n' },
    })
    const task = await expectStatus(call, 201, 'POST', `/${customer}/task`, {
      token: adminToken,
      json: {
        name: 'traced',
        host_id: botId,
        script_id: idOf(script),
        task_arguments: [{ order: 0, type: 'input', label: 'who' }],
      },
    })
    runPath = `/${customer}/task/${idOf(task)}/job`
    const run = await expectStatus(call, 201, 'POST', runPath, {
      token: adminToken,
      json: { task_arguments: ['everyone'] },
    })
    jobId = idOf(run)
    const job = await jobEnded(call, customer, adminToken, jobId)
    expect(job).toMatchObject({ lifecycle: 'finished', state: 'success', output: ['traced everyone'] })
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    await collector?.stop()
  })

  it('goes from the gateway request through gRPC, the relay, NATS, bot-dispatch and the bot back to the read model', async () => {
    const isRoot = (span: ReadableSpan) =>
      span.kind === SpanKind.SERVER &&
      attribute(span, 'http.request.method') === 'POST' &&
      attribute(span, 'url.path') === runPath
    await waitUntil(() => collector.spans().some(isRoot), { timeoutMs: 10_000, message: 'gateway span' })
    const traceId = collector.spans().find(isRoot)?.spanContext().traceId
    const inTrace = () => collector.spans().filter((span) => span.spanContext().traceId === traceId)
    // The finished event reaches the read model in the projector's batch: wait for that span.
    const projectedFinished = (span: ReadableSpan) =>
      span.name === 'project jobs' &&
      (attribute(span, 'taskforge.event_types') as string[] | undefined)?.includes('job.finished') === true
    await waitUntil(() => inTrace().some(projectedFinished), {
      timeoutMs: 15_000,
      message: 'the finished job projected in the trace',
    })
    const trace = new Trace(inTrace())

    const root = trace.one('the gateway server span', isRoot)
    expect(root.name).toBe('POST /:customer/task/:id/job')
    expect(parentOf(root)).toBeUndefined()
    // Connected: every span's parent is a span of this trace, up to the root.
    for (const span of trace.spans) {
      if (span !== root) expect(trace.ancestors(span).at(-1), span.name).toBe(root)
    }

    const runClient = trace.one(
      'RunTask client span',
      (s) => s.kind === SpanKind.CLIENT && s.name.endsWith('JobSchedulerService/RunTask'),
    )
    expect(trace.ancestors(runClient)).toContain(root)
    const runServer = trace.one(
      'RunTask server span',
      (s) => s.kind === SpanKind.SERVER && s.name.endsWith('JobSchedulerService/RunTask'),
    )
    expect(parentOf(runServer)).toBe(idOfSpan(runClient))
    const getTaskToRun = trace.one(
      'GetTaskToRun server span',
      (s) => s.kind === SpanKind.SERVER && s.name.endsWith('TaskCatalogService/GetTaskToRun'),
    )
    expect(trace.ancestors(getTaskToRun)).toContain(runServer)

    // The relay publishes each event as a child of the span that appended it (its stored traceparent).
    const published = (subject: string) =>
      trace.one(
        `relay publish of ${subject}`,
        (s) => s.kind === SpanKind.PRODUCER && attribute(s, 'messaging.destination.name') === subject,
      )
    const publishAssigned = published('events.job.assigned')
    expect(parentOf(publishAssigned)).toBe(idOfSpan(runServer))
    expect(parentOf(published('events.job.queued'))).toBe(idOfSpan(runServer))

    const carry = trace.one(
      'bot-dispatch consuming the assignment',
      (s) =>
        s.kind === SpanKind.CONSUMER &&
        attribute(s, 'messaging.consumer.group.name') === 'bot-dispatch-assignments',
    )
    expect(parentOf(carry)).toBe(idOfSpan(publishAssigned))
    const dispatched = trace.one(
      'publish on the bot dispatch subject',
      (s) =>
        s.kind === SpanKind.PRODUCER &&
        attribute(s, 'messaging.destination.name') === `dispatch.${platform.botId}`,
    )
    expect(parentOf(dispatched)).toBe(idOfSpan(carry))

    const execution = trace.one('the bot execution span', (s) => s.name === 'bot run job')
    expect(attribute(execution, 'taskforge.job_id')).toBe(jobId)
    expect(trace.ancestors(execution)).toContain(carry)

    const reports = trace.some(
      'the scheduler consuming the reports',
      (s) =>
        s.kind === SpanKind.CONSUMER &&
        attribute(s, 'messaging.consumer.group.name') === 'job-scheduler-reports',
    )
    for (const report of reports) expect(parentOf(report)).toBe(idOfSpan(execution))
    const finishedReport = trace.one(
      'the finished report applied',
      (s) => s.name === 'job report RecordFinished',
    )
    expect(reports.map(idOfSpan)).toContain(parentOf(finishedReport))

    const projection = trace.one('the finished job projected', projectedFinished)
    expect(parentOf(projection)).toBe(idOfSpan(finishedReport))
    expect(attribute(projection, 'taskforge.stream_ids')).toContain(jobId)
    expect(trace.ancestors(projection)).toEqual(
      expect.arrayContaining([finishedReport, execution, carry, publishAssigned, runServer, runClient, root]),
    )
  })

  it('serves Prometheus text with the platform instruments on every health port', async () => {
    const scrape = async (service: string) => {
      const port = platform.healthPorts.get(service)
      const response = await fetch(`http://127.0.0.1:${port}/metrics`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
      return parsePrometheusText(await response.text())
    }
    const everywhere = [
      'taskforge_event_store_append_duration_seconds',
      'taskforge_process_cpu_seconds_total',
    ]
    const own: Record<string, string[]> = {
      gateway: [],
      'task-catalog': [],
      'job-scheduler': [
        'taskforge_jobs',
        'taskforge_bot_queue_depth',
        'taskforge_bot_queue_oldest_wait_seconds',
        'taskforge_job_dispatch_latency_seconds',
        'taskforge_job_run_duration_seconds',
        'taskforge_consumer_pending_messages',
        'taskforge_consumer_ack_pending_messages',
      ],
      'bot-dispatch': ['taskforge_consumer_pending_messages', 'taskforge_consumer_ack_pending_messages'],
      'webhook-relay': [
        'taskforge_consumer_pending_messages',
        'taskforge_webhook_attempts_total',
        'taskforge_webhook_attempt_duration_seconds',
      ],
    }
    for (const [service, names] of Object.entries(own)) {
      const { samples, types } = await scrape(service)
      for (const name of [...everywhere, ...names]) expect(types.has(name), `${service}: ${name}`).toBe(true)
      expect(samples.every((sample) => sample.labels.service === service)).toBe(true)
    }

    const value = (
      samples: { name: string; labels: Record<string, string>; value: number }[],
      name: string,
      labels: Record<string, string>,
    ) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value
    const scheduler = (await scrape('job-scheduler')).samples
    expect(value(scheduler, 'taskforge_jobs', { lifecycle: 'finished', state: 'success' })).toBe(1)
    expect(value(scheduler, 'taskforge_job_dispatch_latency_seconds_count', {})).toBe(1)
    expect(value(scheduler, 'taskforge_job_run_duration_seconds_count', { state: 'success' })).toBe(1)
    expect(
      value(scheduler, 'taskforge_consumer_pending_messages', { durable: 'job-scheduler-reports' }),
    ).toBe(0)
    expect(
      value(scheduler, 'taskforge_event_store_append_duration_seconds_count', {
        stream_type: 'job',
        outcome: 'ok',
      }),
    ).toBeGreaterThan(0)
    const dispatch = (await scrape('bot-dispatch')).samples
    expect(
      value(dispatch, 'taskforge_consumer_pending_messages', { durable: 'bot-dispatch-assignments' }),
    ).toBe(0)
    expect(value(dispatch, 'taskforge_consumer_pending_messages', { durable: `bot-${platform.botId}` })).toBe(
      0,
    )
  })
})
