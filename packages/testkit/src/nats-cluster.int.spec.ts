import { connect, type NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type NatsCluster, startNatsCluster } from './nats-cluster.js'

/** One JetStream API call over plain NATS (the test kit does not depend on the JetStream client). */
async function jsApi(
  nc: NatsConnection,
  subject: string,
  body: unknown = {},
): Promise<Record<string, unknown>> {
  const reply = await nc.request(`$JS.API.${subject}`, JSON.stringify(body), { timeout: 10_000 })
  const answer = reply.json<Record<string, unknown>>()
  if (answer.error !== undefined) throw new Error(`${subject}: ${JSON.stringify(answer.error)}`)
  return answer
}

describe('startNatsCluster', () => {
  let cluster: NatsCluster

  beforeAll(async () => {
    cluster = await startNatsCluster({ nodes: 3 })
  }, 120_000)

  afterAll(() => cluster?.stop())

  it('runs three routed JetStream nodes that keep a replicated stream through the loss of one', async () => {
    expect(cluster.urls).toHaveLength(3)
    expect(cluster.url.split(',')).toEqual(cluster.urls)
    const nc = await connect({ servers: [...cluster.urls], maxReconnectAttempts: -1, reconnectTimeWait: 200 })
    try {
      const created = await jsApi(nc, 'STREAM.CREATE.R3', { name: 'R3', subjects: ['r3.>'], num_replicas: 3 })
      expect((created.cluster as { replicas?: unknown[] }).replicas).toHaveLength(2)
      await nc.request('r3.a', 'one', { timeout: 10_000 })

      await cluster.nodes[0]?.kill()
      await cluster.waitForMetaLeader()
      // A replicated stream still takes writes with two of three nodes (its leader may move first).
      // A refusal (no responders while the stream elects a leader) comes back at once: retry on a
      // deadline, not a count.
      let stored = false
      const deadline = Date.now() + 60_000
      while (!stored && Date.now() < deadline) {
        stored = await nc.request('r3.b', 'two', { timeout: 2_000 }).then(
          (reply) => reply.json<{ error?: unknown }>().error === undefined,
          () => false,
        )
        if (!stored) await new Promise((resolve) => setTimeout(resolve, 250))
      }
      expect(stored).toBe(true)
      await cluster.nodes[0]?.restart()
      await cluster.waitForMetaLeader()
      const info = await jsApi(nc, 'STREAM.INFO.R3')
      expect((info.state as { messages: number }).messages).toBe(2)
    } finally {
      await nc.close()
    }
  }, 120_000)
})
