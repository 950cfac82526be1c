import { describe, expect, it } from 'vitest'
import { trackConsumerLag } from './consumer-lag.js'
import { appendObserver } from './event-store-metrics.js'
import { jobMetrics } from './job-metrics.js'
import { parsePrometheusText } from './prometheus-text.js'
import { quarantineMetrics } from './quarantine-metrics.js'
import { createServiceMetrics } from './service-metrics.js'
import { webhookMetrics } from './webhook-metrics.js'

describe('service metrics', () => {
  it('expose every instrument as valid Prometheus text, labelled with the service', async () => {
    const metrics = createServiceMetrics('job-scheduler')
    appendObserver(metrics)({ streamType: 'job', events: 2, seconds: 0.004, outcome: 'ok' })
    const jobs = jobMetrics(metrics, {
      jobCounts: async () => [{ lifecycle: 'finished', state: 'success', count: 3 }],
      botQueues: async () => [{ botId: 'b1', depth: 2, oldestWaitSeconds: 7.5 }],
    })
    jobs.dispatched(0.3)
    jobs.ran(1.2, 'success')
    webhookMetrics(metrics).attempt('success', 0.05)
    const lists = {
      DISPATCH: [
        { name: 'bot-a', num_pending: 4, num_ack_pending: 1 },
        { name: 'other', num_pending: 9, num_ack_pending: 0 },
      ],
    }
    trackConsumerLag(
      metrics,
      {
        consumers: {
          info: async (_stream, durable) => ({ name: durable, num_pending: 5, num_ack_pending: 2 }),
          async *list(stream) {
            yield* lists[stream as 'DISPATCH'] ?? []
          },
        },
      },
      [
        { stream: 'REPORTS', durable: 'job-scheduler-reports' },
        { stream: 'DISPATCH', prefix: 'bot-' },
      ],
    )

    const { samples, types } = parsePrometheusText(await metrics.text())
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([key, v]) => s.labels[key] === v))
        ?.value
    expect(types.get('taskforge_event_store_append_duration_seconds')).toBe('histogram')
    expect(value('taskforge_event_store_append_duration_seconds_count', { stream_type: 'job' })).toBe(1)
    expect(value('taskforge_jobs', { lifecycle: 'finished', state: 'success' })).toBe(3)
    expect(value('taskforge_bot_queue_depth', { bot: 'b1' })).toBe(2)
    expect(value('taskforge_bot_queue_oldest_wait_seconds', { bot: 'b1' })).toBe(7.5)
    expect(value('taskforge_job_dispatch_latency_seconds_count')).toBe(1)
    expect(value('taskforge_job_run_duration_seconds_count', { state: 'success' })).toBe(1)
    expect(value('taskforge_webhook_attempts_total', { outcome: 'success' })).toBe(1)
    expect(value('taskforge_consumer_pending_messages', { durable: 'job-scheduler-reports' })).toBe(5)
    expect(value('taskforge_consumer_pending_messages', { stream: 'DISPATCH', durable: 'bot-a' })).toBe(4)
    expect(value('taskforge_consumer_pending_messages', { durable: 'other' })).toBeUndefined()
    expect(value('taskforge_consumer_ack_pending_messages', { durable: 'bot-a' })).toBe(1)
    expect(samples.every((s) => s.labels.service === 'job-scheduler')).toBe(true)
    expect(samples.some((s) => s.name.startsWith('taskforge_process_'))).toBe(true)
  })

  it('give the same instrument when asked twice, and keep services apart', async () => {
    const a = createServiceMetrics('a', { processMetrics: false })
    const b = createServiceMetrics('b', { processMetrics: false })
    webhookMetrics(a).attempt('failure')
    webhookMetrics(a).attempt('failure')
    webhookMetrics(b).attempt('refused')
    const samplesOf = async (m: typeof a) => parsePrometheusText(await m.text()).samples
    expect((await samplesOf(a)).find((s) => s.name === 'taskforge_webhook_attempts_total')).toMatchObject({
      labels: { outcome: 'failure', service: 'a' },
      value: 2,
    })
    expect((await samplesOf(b)).filter((s) => s.name === 'taskforge_webhook_attempts_total')).toHaveLength(1)
  })

  it('count what the quarantine set aside, and read what still waits at each scrape', async () => {
    const metrics = createServiceMetrics('job-scheduler', { processMetrics: false })
    let waiting = new Map([['projection:jobs', 2]])
    let databaseDown = false
    const quarantined = quarantineMetrics(metrics, async () => {
      if (databaseDown) throw new Error('connection refused')
      return waiting
    })
    quarantined('projection:jobs')
    quarantined('projection:jobs')
    quarantined('outbox:job-scheduler')
    const samples = async () => parsePrometheusText(await metrics.text()).samples
    const value = (all: Awaited<ReturnType<typeof samples>>, name: string, pipeline: string) =>
      all.find((s) => s.name === name && s.labels.pipeline === pipeline)?.value
    const first = await samples()
    expect(value(first, 'taskforge_quarantined_total', 'projection:jobs')).toBe(2)
    expect(value(first, 'taskforge_quarantined_total', 'outbox:job-scheduler')).toBe(1)
    expect(value(first, 'taskforge_quarantine_items', 'projection:jobs')).toBe(2)

    waiting = new Map()
    expect(value(await samples(), 'taskforge_quarantine_items', 'projection:jobs')).toBeUndefined()
    databaseDown = true
    expect(value(await samples(), 'taskforge_quarantined_total', 'projection:jobs')).toBe(2)
  })

  it('rejects text that is not the exposition format', () => {
    expect(() => parsePrometheusText('metric{a="1" 2')).toThrow()
    expect(() => parsePrometheusText('# TYPE x nonsense')).toThrow()
    expect(parsePrometheusText('x_total{a="q\\"b"} 1.5e3\n').samples[0]).toEqual({
      name: 'x_total',
      labels: { a: 'q"b' },
      value: 1500,
    })
  })
})
