import { randomUUID } from 'node:crypto'
import { Streams, subjects } from '@taskforge/protocol'
import { createLogger } from '@taskforge/telemetry'
import { type NatsServer, startNats, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Bus } from './bus.js'

const logger = createLogger('bus-reconnect-test', {}, { level: 'silent' })
let nats: NatsServer
let bus: Bus

beforeAll(async () => {
  nats = await startNats()
  bus = await Bus.connect({ servers: nats.url, name: 'bus-reconnect-test', logger })
  await bus.ensureStream(Streams.REPORTS)
})

afterAll(async () => {
  await bus?.close()
  await nats?.stop()
})

describe('a server restart', () => {
  it('is survived by the connection and a running consumer, and told to connection listeners', async (context) => {
    if (nats.source !== 'local') context.skip()
    const changes: boolean[] = []
    const stopListening = bus.onConnectionChange((connected) => changes.push(connected))
    const subject = subjects.report(`restart-${randomUUID().slice(0, 8)}`)
    await bus.ensureConsumer('REPORTS', { durable: 'restart', filterSubjects: [subject] })
    const seen: string[] = []
    const sub = await bus.consume('REPORTS', 'restart', async (msg) => {
      seen.push(new TextDecoder().decode(msg.data))
    })
    await bus.publish(subject, new TextEncoder().encode('before'), { msgId: randomUUID() })
    await waitUntil(() => seen.includes('before'))
    await waitUntil(async () => (await bus.jsm.consumers.info('REPORTS', 'restart')).num_ack_pending === 0)

    await nats.kill()
    await waitUntil(() => !bus.connected)
    await nats.restart()
    await waitUntil(() => bus.connected, { timeoutMs: 30_000 })
    stopListening()
    expect(changes).toEqual([false, true])

    await waitUntil(
      async () => {
        await bus.publish(subject, new TextEncoder().encode('after'), { msgId: 'after-restart' })
        return true
      },
      { timeoutMs: 30_000 },
    )
    await waitUntil(() => seen.includes('after'), { timeoutMs: 60_000 })
    await sub.stop()
    expect(seen).toEqual(['before', 'after'])
  })
})
