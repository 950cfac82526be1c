import { randomUUID } from 'node:crypto'
import { nanos } from '@nats-io/transport-node'
import { trace } from '@opentelemetry/api'
import { badRequest, notFound } from '@taskforge/core'
import { Envelope } from '@taskforge/proto/events/v1/envelope'
import { Streams, subjects } from '@taskforge/protocol'
import { collectSpans, createLogger, withSpan } from '@taskforge/telemetry'
import { type NatsServer, startNats, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Bus } from './bus.js'
import type { BusMessage } from './consume.js'
import { consumerConfig, ensureConsumer, ensureStream, streamConfig } from './declare.js'
import { decodeEnvelope, type StoredEventLike } from './envelope.js'
import type { MessageQuarantine, PoisonMessage, ReplayedMessage } from './poison.js'
import { RedeliverLater } from './redeliver-later.js'

const logger = createLogger('bus-test', {}, { level: 'silent' })
const collector = collectSpans('bus-test')
let nats: NatsServer
let bus: Bus

beforeAll(async () => {
  nats = await startNats()
  bus = await Bus.connect({ servers: nats.url, name: 'bus-test', logger })
  for (const stream of Object.values(Streams)) await bus.ensureStream(stream)
})

afterAll(async () => {
  await bus?.close()
  await nats?.stop()
  await collector.stop()
})

function storedEvent(
  streamType: string,
  type: string,
  overrides: Partial<StoredEventLike> = {},
): StoredEventLike {
  return {
    eventId: randomUUID(),
    streamType,
    streamId: randomUUID(),
    streamVersion: 3n,
    type,
    data: new TextEncoder().encode(`${type} payload`),
    metadata: { customer: 'acme', correlationId: 'corr-1', author: 'admin' },
    occurredAt: new Date('2024-05-06T07:08:09.010Z'),
    transactionId: 9_007_199_254_740_993n,
    position: 42n,
    ...overrides,
  }
}

/** A fresh durable on `stream` filtered to `filter`, and a handler recording what it saw. */
async function durableOn(stream: string, filter: string): Promise<string> {
  const durable = `test-${randomUUID().slice(0, 8)}`
  await bus.ensureConsumer(stream, { durable, filterSubjects: [filter] })
  return durable
}

describe('declaring streams and consumers', () => {
  it('creates once, then leaves both unchanged', async () => {
    const spec = {
      name: `DECL_${randomUUID().slice(0, 8)}`,
      subjects: [`decl-${randomUUID().slice(0, 8)}.>`],
    }
    expect(await ensureStream(bus.jsm, streamConfig(spec), logger)).toBe('created')
    expect(await ensureStream(bus.jsm, streamConfig(spec), logger)).toBe('unchanged')
    await bus.ensureStream(spec)
    const info = await bus.jsm.streams.info(spec.name)
    expect(info.config).toMatchObject({
      storage: 'file',
      retention: 'limits',
      duplicate_window: nanos(120_000),
      max_age: nanos(7 * 24 * 3_600_000),
      num_replicas: 1,
    })

    const consumer = { durable: 'decl', filterSubjects: [`${spec.subjects[0]?.replace('>', 'a')}`] }
    const config = { ...consumerConfig(consumer), durable_name: consumer.durable }
    expect(await ensureConsumer(bus.jsm, spec.name, config, logger)).toBe('created')
    expect(await ensureConsumer(bus.jsm, spec.name, config, logger)).toBe('unchanged')
    await bus.ensureConsumer(spec.name, consumer)
    const consumerInfo = await bus.jsm.consumers.info(spec.name, 'decl')
    expect(consumerInfo.config).toMatchObject({
      ack_policy: 'explicit',
      deliver_policy: 'all',
      ack_wait: nanos(30_000),
      max_deliver: -1,
    })

    const longer = { ...consumerConfig({ ...consumer, ackWaitMs: 60_000 }), durable_name: 'decl' }
    expect(await ensureConsumer(bus.jsm, spec.name, longer, logger)).toBe('updated')
    expect(await ensureStream(bus.jsm, streamConfig(spec, { max_age: nanos(3_600_000) }), logger)).toBe(
      'updated',
    )
    expect((await bus.jsm.streams.info(spec.name)).config.max_age).toBe(nanos(3_600_000))
  })
})

describe('publishing and consuming', () => {
  it('delivers published events as typed envelopes', async () => {
    const durable = await durableOn('EVENTS', 'events.typed.>')
    const events = [
      storedEvent('typed', 'queued'),
      storedEvent('typed', 'assigned'),
      storedEvent('typed', 'started'),
    ]
    await bus.publishEvents(events)

    const seen: { subject: string; msgId?: string; envelope: Envelope }[] = []
    const sub = await bus.consume('EVENTS', durable, async (msg) => {
      seen.push({
        subject: msg.subject,
        ...(msg.msgId ? { msgId: msg.msgId } : {}),
        envelope: decodeEnvelope(msg.data),
      })
    })
    await waitUntil(() => seen.length === 3)
    await sub.stop()

    expect(seen.map((m) => m.subject)).toEqual([
      'events.typed.queued',
      'events.typed.assigned',
      'events.typed.started',
    ])
    expect(seen.map((m) => m.msgId)).toEqual(events.map((e) => e.eventId))
    const [first] = events
    expect(seen[0]?.envelope).toEqual({
      eventId: first?.eventId,
      type: 'queued',
      occurredAt: new Date('2024-05-06T07:08:09.010Z'),
      customer: 'acme',
      streamType: 'typed',
      streamId: first?.streamId,
      streamVersion: 3n,
      correlationId: 'corr-1',
      causationId: '',
      trace: undefined,
      author: 'admin',
      data: Buffer.from('queued payload'),
      transactionId: 9_007_199_254_740_993n,
      globalPosition: 42n,
    })
  })

  it('lets the server drop a second message with the same msgId', async () => {
    const subject = subjects.dispatch(`dup-${randomUUID().slice(0, 8)}`)
    const msgId = randomUUID()
    await bus.publish(subject, new TextEncoder().encode('one'), { msgId })
    await bus.publish(subject, new TextEncoder().encode('two'), { msgId })
    await bus.publish(subject, new TextEncoder().encode('three'), { msgId: randomUUID() })
    const info = await bus.jsm.streams.info('DISPATCH', { subjects_filter: subject })
    expect(info.state.subjects?.[subject]).toBe(2)
    await bus.publishEvents([storedEvent('dup', 'again', { eventId: msgId })])
    await bus.publishEvents([storedEvent('dup', 'again', { eventId: msgId })])
    const events = await bus.jsm.streams.info('EVENTS', { subjects_filter: 'events.dup.again' })
    expect(events.state.subjects?.['events.dup.again']).toBe(1)
  })

  it('redelivers a message whose handler threw', async () => {
    const subject = subjects.report(`retry-${randomUUID().slice(0, 8)}`)
    const durable = await durableOn('REPORTS', subject)
    await bus.publish(subject, new TextEncoder().encode('flaky'), { msgId: randomUUID() })
    const deliveries: number[] = []
    const sub = await bus.consume('REPORTS', durable, async (msg) => {
      deliveries.push(msg.deliveryCount)
      if (msg.deliveryCount === 1) throw new Error('transient failure')
    })
    await waitUntil(() => deliveries.length === 2)
    await sub.stop()
    expect(deliveries).toEqual([1, 2])
    await waitUntil(async () => (await bus.jsm.consumers.info('REPORTS', durable)).num_ack_pending === 0)
  })

  it('terminates a message rejected with a non-retryable AppError', async () => {
    const subject = subjects.report(`term-${randomUUID().slice(0, 8)}`)
    const durable = await durableOn('REPORTS', subject)
    await bus.publish(subject, new TextEncoder().encode('poison'), { msgId: randomUUID() })
    await bus.publish(subject, new TextEncoder().encode('fine'), { msgId: randomUUID() })
    const seen: string[] = []
    const sub = await bus.consume('REPORTS', durable, async (msg) => {
      const body = new TextDecoder().decode(msg.data)
      seen.push(`${body}#${msg.deliveryCount}`)
      if (body === 'poison') throw notFound('job', 'gone')
    })
    await waitUntil(() => seen.includes('fine#1'))
    const info = await waitUntil(async () => {
      const current = await bus.jsm.consumers.info('REPORTS', durable)
      return current.num_ack_pending === 0 && current.num_pending === 0 ? current : undefined
    })
    await sub.stop()
    expect(info.num_redelivered).toBe(0)
    expect(seen).toEqual(['poison#1', 'fine#1'])
  })

  it("keeps a flooding publisher to its budget: its bad messages stop being read, another's are all handled", async () => {
    const run = randomUUID().slice(0, 8)
    const flooder = `flooder-${run}`
    const honest = `honest-${run}`
    // Every report subject (earlier tests' messages too, read and acked as any honest publisher's).
    const durable = await durableOn('REPORTS', subjects.report('>'))
    for (let i = 0; i < 300; i++)
      await bus.publish(subjects.report(flooder), new Uint8Array([0xff]), { msgId: randomUUID() })
    for (let i = 0; i < 20; i++)
      await bus.publish(subjects.report(honest), new TextEncoder().encode(`fine ${i}`), {
        msgId: randomUUID(),
      })
    const read = { flooder: 0, honest: 0 }
    const dropped: string[] = []
    const sub = await bus.consume(
      'REPORTS',
      durable,
      async (msg) => {
        if (msg.subject === subjects.report(flooder)) {
          read.flooder += 1
          throw notFound('job', 'not this bot’s')
        }
        if (msg.subject === subjects.report(honest)) read.honest += 1
      },
      {
        concurrency: 16,
        publisherBudget: {
          publisherOf: (subject) => subject.split('.')[1],
          messages: { perSecond: 1_000, burst: 1_000 },
          failures: { perSecond: 0.001, burst: 10 },
          onDropped: (reason) => dropped.push(reason),
        },
      },
    )
    const info = await waitUntil(async () => {
      const current = await bus.jsm.consumers.info('REPORTS', durable)
      return current.num_ack_pending === 0 && current.num_pending === 0 ? current : undefined
    })
    await sub.stop()
    expect(read.honest).toBe(20)
    // Those already handed to handlers when the budget ran out are read too: at most the concurrency.
    expect(read.flooder).toBeGreaterThanOrEqual(10)
    expect(read.flooder).toBeLessThanOrEqual(10 + 16)
    expect(dropped.length).toBe(300 - read.flooder)
    expect(new Set(dropped)).toEqual(new Set(['failures']))
    expect(info.num_redelivered).toBe(0)
  })

  it('carries the trace from publisher to handler through headers', async () => {
    const subject = subjects.dispatch(`trace-${randomUUID().slice(0, 8)}`)
    const durable = await durableOn('DISPATCH', subject)
    const producerTrace = await withSpan('assign job', {}, async (span) => {
      await bus.publish(subject, new TextEncoder().encode('work'), { msgId: randomUUID() })
      return span.spanContext().traceId
    })
    const seen: { traceId?: string; headers: Record<string, string> }[] = []
    const sub = await bus.consume('DISPATCH', durable, async (msg: BusMessage) => {
      const traceId = trace.getActiveSpan()?.spanContext().traceId
      seen.push({ ...(traceId ? { traceId } : {}), headers: msg.headers })
    })
    await waitUntil(() => seen.length === 1)
    await sub.stop()
    expect(seen[0]?.traceId).toBe(producerTrace)
    expect(seen[0]?.headers.traceparent).toContain(producerTrace)
    const consumerSpan = collector
      .spans()
      .find((span) => span.spanContext().traceId === producerTrace && span.name === 'process DISPATCH')
    expect(consumerSpan?.attributes['messaging.consumer.group.name']).toBe(durable)
  })

  it('continues the trace stored with an event, from headers or from the envelope', async () => {
    const durable = await durableOn('EVENTS', 'events.traced.>')
    const stored = '0af7651916cd43dd8448eb211c80319c'
    await bus.publishEvents([
      storedEvent('traced', 'viaheaders', {
        metadata: { customer: 'acme', traceparent: `00-${stored}-b7ad6b7169203331-01`, tracestate: '' },
      }),
    ])
    const fromEnvelope = 'a3ce929d0e0e47364bf92f3577b34da6'
    const envelope = Envelope.fromPartial({
      eventId: randomUUID(),
      type: 'viaenvelope',
      streamType: 'traced',
      trace: { traceparent: `00-${fromEnvelope}-00f067aa0ba902b7-01`, tracestate: '' },
    })
    await bus.js.publish('events.traced.viaenvelope', Envelope.encode(envelope).finish(), {
      msgID: envelope.eventId,
    })

    const traceIds: (string | undefined)[] = []
    const sub = await bus.consume('EVENTS', durable, async () => {
      traceIds.push(trace.getActiveSpan()?.spanContext().traceId)
    })
    await waitUntil(() => traceIds.length === 2)
    await sub.stop()
    expect(traceIds).toEqual([stored, fromEnvelope])
  })

  it('runs up to `concurrency` handlers at once and waits for them on stop', async () => {
    const subject = subjects.report(`conc-${randomUUID().slice(0, 8)}`)
    const durable = await durableOn('REPORTS', subject)
    for (let i = 0; i < 3; i++)
      await bus.publish(subject, new TextEncoder().encode(`m${i}`), { msgId: randomUUID() })
    let release: () => void = () => {}
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    const log: string[] = []
    let running = 0
    const sub = await bus.consume(
      'REPORTS',
      durable,
      async () => {
        running += 1
        await released
        log.push('handler done')
      },
      { concurrency: 3 },
    )
    await waitUntil(() => running === 3)
    const stopped = sub.stop().then(() => log.push('stopped'))
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(log).toEqual([])
    release()
    await stopped
    expect(log).toEqual(['handler done', 'handler done', 'handler done', 'stopped'])
    await waitUntil(async () => (await bus.jsm.consumers.info('REPORTS', durable)).num_ack_pending === 0)
  })

  it('with messages pulled ahead, still handles them one at a time in stream order and acks each once', async () => {
    const subject = subjects.report(`prefetch-${randomUUID().slice(0, 8)}`)
    const durable = await durableOn('REPORTS', subject)
    const sent = Array.from({ length: 40 }, (_, i) => `m${i}`)
    await Promise.all(
      sent.map((text) => bus.publish(subject, new TextEncoder().encode(text), { msgId: randomUUID() })),
    )
    const published = (await bus.jsm.streams.info('REPORTS')).state.last_seq
    const seen: { seq: number; delivery: number }[] = []
    let running = 0
    let overlapped = false
    const sub = await bus.consume(
      'REPORTS',
      durable,
      async (msg) => {
        running += 1
        if (running > 1) overlapped = true
        await new Promise((resolve) => setImmediate(resolve))
        seen.push({ seq: msg.streamSequence, delivery: msg.deliveryCount })
        running -= 1
      },
      { prefetch: 16 },
    )
    await waitUntil(() => seen.length === sent.length)
    await sub.stop()
    expect(overlapped).toBe(false)
    const sequences = seen.map((entry) => entry.seq)
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b))
    expect(sequences.at(-1)).toBe(published)
    expect(seen.every((entry) => entry.delivery === 1)).toBe(true)
    // Every ack went out, the last ones when the consumer stopped.
    const info = await bus.jsm.consumers.info('REPORTS', durable)
    expect(info.num_ack_pending).toBe(0)
    expect(info.num_redelivered).toBe(0)
    expect(info.ack_floor.stream_seq).toBe(published)
  })

  it('refuses a prefetch below the concurrency', async () => {
    const durable = await durableOn('REPORTS', subjects.report(`few-${randomUUID().slice(0, 8)}`))
    await expect(
      bus.consume('REPORTS', durable, async () => {}, { concurrency: 4, prefetch: 2 }),
    ).rejects.toThrow(/prefetch/)
  })

  it('puts back a message that cannot be handled yet, for redelivery after the delay asked', async () => {
    const subject = subjects.report(`later-${randomUUID().slice(0, 8)}`)
    const durable = await durableOn('REPORTS', subject)
    await bus.publish(subject, new TextEncoder().encode('early'), { msgId: randomUUID() })
    const deliveries: number[] = []
    const sub = await bus.consume('REPORTS', durable, async (msg) => {
      deliveries.push(msg.deliveryCount)
      if (msg.deliveryCount === 1) throw new RedeliverLater('not yet', 50)
    })
    await waitUntil(() => deliveries.length === 2)
    await sub.stop()
    expect(deliveries).toEqual([1, 2])
    await waitUntil(async () => (await bus.jsm.consumers.info('REPORTS', durable)).num_ack_pending === 0)
  })
})

/** The quarantine as the bus sees it, kept in memory: what it was handed, and the replayers registered. */
function memoryQuarantine(options: { failing?: () => boolean } = {}) {
  const items: PoisonMessage[] = []
  const replayers = new Map<
    string,
    (item: { key: string }, message: ReplayedMessage | undefined) => Promise<void>
  >()
  const quarantine: MessageQuarantine = {
    async setAsideMessage(item) {
      if (options.failing?.()) throw Object.assign(new Error('database down'), { code: 'ECONNREFUSED' })
      items.push(item)
    },
    registerReplayer(pipeline, replayer) {
      replayers.set(pipeline, replayer)
      return () => replayers.delete(pipeline)
    },
  }
  const replay = (item: PoisonMessage) =>
    replayers.get(item.pipeline)!(
      { key: item.key },
      {
        subject: item.subject,
        streamSequence: item.streamSequence,
        data: item.data,
        headers: item.headers,
      },
    )
  return { quarantine, items, replay }
}

describe('a message that cannot be handled', () => {
  let poisonBus: Bus
  beforeAll(async () => {
    poisonBus = await Bus.connect({ servers: nats.url, name: 'bus-poison-test', logger })
  })
  afterAll(async () => {
    await poisonBus?.close()
  })

  const text = (msg: BusMessage) => new TextDecoder().decode(msg.data)

  async function settled(durable: string) {
    return waitUntil(async () => {
      const info = await poisonBus.jsm.consumers.info('REPORTS', durable)
      return info.num_ack_pending === 0 && info.num_pending === 0 ? info : undefined
    })
  }

  it('is set aside after its last allowed delivery, and the messages behind it are handled', async () => {
    const { quarantine, items, replay } = memoryQuarantine()
    poisonBus.useQuarantine(quarantine)
    const subject = subjects.report(`poison-${randomUUID().slice(0, 8)}`)
    const durable = await durableOn('REPORTS', subject)
    for (const body of ['first', 'poison', 'last'])
      await poisonBus.publish(subject, new TextEncoder().encode(body), { msgId: randomUUID() })
    let broken = true
    const handled: string[] = []
    const sub = await poisonBus.consume(
      'REPORTS',
      durable,
      async (msg) => {
        if (text(msg) === 'poison' && broken) throw new Error('cannot apply')
        handled.push(`${text(msg)}#${msg.deliveryCount}`)
      },
      { maxDeliveries: 2 },
    )
    await waitUntil(() => handled.includes('last#1'))
    await settled(durable)
    expect(handled).toEqual(['first#1', 'last#1'])
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({
      pipeline: `consumer:REPORTS/${durable}`,
      subject,
      attempts: 2,
    })
    expect(text({ data: items[0]!.data } as BusMessage)).toBe('poison')
    expect(items[0]!.key).toBe(`REPORTS:${items[0]!.streamSequence}`)

    broken = false
    await replay(items[0]!)
    expect(handled).toEqual(['first#1', 'last#1', 'poison#1'])
    await sub.stop()
  })

  it('is set aside at its first delivery when it is malformed', async () => {
    const { quarantine, items } = memoryQuarantine()
    poisonBus.useQuarantine(quarantine)
    const subject = subjects.report(`garbage-${randomUUID().slice(0, 8)}`)
    const durable = await durableOn('REPORTS', subject)
    await poisonBus.publish(subject, new Uint8Array([0xff, 0x00, 0x13]), { msgId: randomUUID() })
    const sub = await poisonBus.consume('REPORTS', durable, async () => {
      throw badRequest('undecodable bot report')
    })
    await waitUntil(() => items.length === 1)
    const info = await settled(durable)
    await sub.stop()
    expect(info.num_redelivered).toBe(0)
    expect(items[0]).toMatchObject({ attempts: 1 })
    expect([...items[0]!.data]).toEqual([0xff, 0x00, 0x13])
  })

  it('is never set aside for a failure of the infrastructure, nor lost when the quarantine cannot record it', async () => {
    let quarantineDown = true
    const { quarantine, items } = memoryQuarantine({ failing: () => quarantineDown })
    poisonBus.useQuarantine(quarantine)
    const subject = subjects.report(`flaky-${randomUUID().slice(0, 8)}`)
    const durable = await durableOn('REPORTS', subject)
    await poisonBus.publish(subject, new TextEncoder().encode('db away'), { msgId: randomUUID() })
    await poisonBus.publish(subject, new TextEncoder().encode('bad'), { msgId: randomUUID() })
    const deliveries: string[] = []
    const sub = await poisonBus.consume(
      'REPORTS',
      durable,
      async (msg) => {
        deliveries.push(`${text(msg)}#${msg.deliveryCount}`)
        if (text(msg) === 'db away' && msg.deliveryCount < 3)
          throw Object.assign(new Error('connection terminated'), { code: '57P01' })
        if (text(msg) === 'bad') {
          if (msg.deliveryCount >= 2) quarantineDown = false
          throw badRequest('malformed')
        }
      },
      { maxDeliveries: 2, concurrency: 2 },
    )
    await waitUntil(() => items.length === 1 && deliveries.includes('db away#3'), { timeoutMs: 30_000 })
    await settled(durable)
    await sub.stop()
    expect(items.map((item) => text({ data: item.data } as BusMessage))).toEqual(['bad'])
    expect(deliveries.filter((entry) => entry.startsWith('bad'))).toEqual(['bad#1', 'bad#2'])
  })
})
