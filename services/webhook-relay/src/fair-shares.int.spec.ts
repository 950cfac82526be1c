import { Bus } from '@taskforge/bus'
import { newId } from '@taskforge/core'
import { WebhookRelayServiceClient } from '@taskforge/proto/webhooks/v1/webhook_relay_service'
import { createClient, type RpcClient } from '@taskforge/rpc'
import { type NatsServer, startNats, testDatabase, testGrpcAuth, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WebhookRelayConfig } from './config.js'
import { type RunningWebhookRelay, startWebhookRelay } from './main.js'
import { jobQueued, publish } from './test-support/domain-events.js'
import { TestReceiver } from './test-support/receiver.js'

const auth = await testGrpcAuth()

/** Tar-pit subscriptions of one organization, each to a receiver of its own (so its own host). */
const TAR_PITS = 16
/** The relay's defaults, but an attempt deadline that outlasts the test: a tar pit never lets go. */
const LIMITS = { concurrency: 64, perOrganization: 16, perSubscription: 4, perHost: 16 }

describe('webhook-relay: fair shares between organizations', () => {
  let nats: NatsServer
  let bus: Bus
  let relay: RunningWebhookRelay
  let client: RpcClient<WebhookRelayServiceClient>
  const receivers: TestReceiver[] = []

  beforeAll(async () => {
    nats = await startNats()
    const config: WebhookRelayConfig = {
      databaseUrl: await testDatabase(),
      natsUrl: nats.url,
      grpcPort: 0,
      grpcHost: '127.0.0.1',
      healthPort: 0,
      healthHost: '127.0.0.1',
      grpcAuthFile: auth.file('webhook-relay'),
      timeoutMs: 600_000,
      allowNetworks: ['127.0.0.0/8'],
      retrySchedule: ['0', '1s'],
      concurrency: LIMITS.concurrency,
      perOrganizationConcurrency: LIMITS.perOrganization,
      perSubscriptionConcurrency: LIMITS.perSubscription,
      perHostConcurrency: LIMITS.perHost,
      maxResponseBytes: 65_536,
      pollIntervalMs: 100,
      secretOverlapMs: 86_400_000,
      maxSubscriptions: TAR_PITS + 1,
    }
    bus = await Bus.connect({ servers: nats.url, name: 'test-producer' })
    relay = await startWebhookRelay(config, { handleProcessEvents: false, telemetry: false })
    client = createClient(WebhookRelayServiceClient, `127.0.0.1:${relay.grpcPort}`, {
      credential: auth.of('gateway').credential,
    })
  })

  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()))
    client.close()
    await relay.stop()
    await bus.close()
    await nats.stop()
  })

  const receiver = async (...args: Parameters<typeof TestReceiver.start>) => {
    const started = await TestReceiver.start(...args)
    receivers.push(started)
    return started
  }
  const subscribe = async (customer: string, url: string) => {
    const { subscription } = await client.createSubscription({
      customer,
      url,
      events: [],
      description: '',
      author: 'ops',
    })
    return subscription!
  }
  const hanging = (tarPits: readonly TestReceiver[]) =>
    tarPits.reduce((sum, tarPit) => sum + tarPit.hanging, 0)

  it("delivers every event of one organization while another's tar pits hold their attempts", async () => {
    // Organization A: 16 receivers that take the request and never answer. Each subscription is
    // worth 4 attempts, 64 in all: without shares, every slot of the relay.
    const tarPits = await Promise.all(
      Array.from({ length: TAR_PITS }, () => receiver(() => ({ hang: true }))),
    )
    for (const tarPit of tarPits) await subscribe('tarpit-org', `${tarPit.origin}/hook`)
    await publish(bus, ...Array.from({ length: 8 }, () => jobQueued(newId(), newId(), 'tarpit-org')))
    await waitUntil(() => hanging(tarPits) === LIMITS.perOrganization, {
      message: "the tar pits hold the organization's whole share",
    })

    // Organization B: one receiver that answers at once, and a stream of events after A's.
    const fast = await receiver()
    await subscribe('fair-org', `${fast.origin}/hook`)
    const events = 40
    await publish(bus, ...Array.from({ length: events }, () => jobQueued(newId(), newId(), 'fair-org')))
    await waitUntil(() => fast.requests.length === events + 1, {
      message: "every delivery of the other organization arrived (its ping and each event's)",
    })

    // A's attempts are still hanging (none ended: their deadline is far away), and never took more
    // than its share, whatever waited.
    expect(hanging(tarPits)).toBe(LIMITS.perOrganization)
    expect(tarPits.reduce((sum, tarPit) => sum + tarPit.requests.length, 0)).toBe(LIMITS.perOrganization)
    expect(fast.requests.map((request) => JSON.parse(request.body).event_name)).toEqual([
      'ping',
      ...Array.from({ length: events }, () => 'job.create'),
    ])
  })

  it('refuses a subscription past the organization’s quota, 429, and keeps nothing of it', async () => {
    const hook = await receiver()
    await subscribe('quota-org', `${hook.origin}/1`)
    for (let i = 2; i <= TAR_PITS + 1; i++) await subscribe('quota-org', `${hook.origin}/${i}`)
    const refused = await subscribe('quota-org', `${hook.origin}/over`).catch((error: unknown) => error)
    expect(refused).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      details: { limit: 'subscriptions per organization', maximum: TAR_PITS + 1, retry_after_seconds: 60 },
    })
    const { subscriptions } = await client.listSubscriptions({ customer: 'quota-org' })
    expect(subscriptions).toHaveLength(TAR_PITS + 1)
    await client.deleteSubscription({
      customer: 'quota-org',
      subscriptionId: subscriptions[0]!.id,
      author: 'ops',
    })
    await subscribe('quota-org', `${hook.origin}/again`)
  })
})
