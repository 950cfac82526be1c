import { AckPolicy, type ConsumerMessages, jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { startNats } from '@taskforge/testkit'
import { wallClockMs } from '../lib/clock.js'
import { summarizeLatencies } from '../lib/stats.js'
import type { CaseResult } from '../results/model.js'
import { Series } from '../results/series.js'
import type { CaseContext } from './case.js'

const STREAM = 'BENCH'
const PAYLOAD_BYTES = 256
const PUBLISHES_IN_FLIGHT = 256

/**
 * The floor of our messaging: a bare JetStream publish (file storage, as our streams) to a durable
 * pull consumer with explicit acks, one message at a time for the round trip, then as many as the
 * client keeps in flight for the rate. Every hop of our job path is at least one of these.
 */
export async function floorJetStream(ctx: CaseContext): Promise<CaseResult> {
  const roundTrips = ctx.quick ? 300 : 2_000
  const messages = ctx.quick ? 5_000 : 40_000
  const series = new Series()
    .declare('rtt.p50', 'publish → pull-consume round trip p50', 'latency-p50')
    .declare('rtt.p99', 'publish → pull-consume round trip p99', 'latency-p99')
    .declare('rate', 'publish + consume + ack', 'rate', 'msgs/s')
  const nats = await startNats()
  const nc = await connect({ servers: nats.url, name: 'bench floor' })
  try {
    const jsm = await jetstreamManager(nc)
    const js = jetstream(nc)
    const payload = new Uint8Array(PAYLOAD_BYTES).fill(120)
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      await jsm.streams.add({ name: STREAM, subjects: ['bench.>'] })
      await jsm.consumers.add(STREAM, { durable_name: 'floor', ack_policy: AckPolicy.Explicit })
      const consumer = await js.consumers.get(STREAM, 'floor')
      const feed: ConsumerMessages = await consumer.consume({ max_messages: 1_000 })
      let received = 0
      let lastReceivedAt = 0
      let onMessage: (() => void) | undefined
      const reading = (async () => {
        for await (const msg of feed) {
          msg.ack()
          received += 1
          lastReceivedAt = wallClockMs()
          onMessage?.()
        }
      })()

      const samples: number[] = []
      for (let i = 0; i < roundTrips; i++) {
        const arrived = new Promise<void>((resolve) => {
          onMessage = resolve
        })
        const sent = wallClockMs()
        await Promise.all([js.publish('bench.rtt', payload), arrived])
        samples.push(lastReceivedAt - sent)
      }
      onMessage = undefined
      const latency = summarizeLatencies(samples)
      series.add('rtt.p50', latency.p50)
      series.add('rtt.p99', latency.p99)

      const target = received + messages
      const done = new Promise<void>((resolve) => {
        onMessage = () => {
          if (received >= target) resolve()
        }
      })
      const started = wallClockMs()
      const inFlight = new Set<Promise<unknown>>()
      for (let i = 0; i < messages; i++) {
        const publish = js.publish('bench.rate', payload).finally(() => inFlight.delete(publish))
        inFlight.add(publish)
        if (inFlight.size >= PUBLISHES_IN_FLIGHT) await Promise.race(inFlight)
      }
      await Promise.all(inFlight)
      await done
      series.add('rate', messages / ((lastReceivedAt - started) / 1000))
      await feed.close()
      await reading
      await jsm.streams.delete(STREAM)
      ctx.log(`jetstream floor ${rep + 1}/${ctx.repetitions}: p50 ${latency.p50.toFixed(2)} ms`)
    }
  } finally {
    await nc.close()
    await nats.stop()
  }
  return {
    id: 'floor.jetstream',
    title: 'Floor: bare JetStream publish → pull consume',
    group: 'floor',
    settings: {
      storage: 'file',
      payloadBytes: PAYLOAD_BYTES,
      roundTrips,
      messages,
      publishesInFlight: PUBLISHES_IN_FLIGHT,
      ack: 'explicit',
    },
    metrics: series.metrics(),
  }
}
