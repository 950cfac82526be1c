import { Bus, encodeEnvelope, subjects } from '@taskforge/bus'
import { newId } from '@taskforge/core'
import { createDb } from '@taskforge/event-store'
import {
  type Delivery,
  type Subscription,
  WebhookRelayServiceClient,
} from '@taskforge/proto/webhooks/v1/webhook_relay_service'
import { createClient, type RpcClient } from '@taskforge/rpc'
import { type NatsServer, startNats, testDatabase, testGrpcAuth, waitUntil } from '@taskforge/testkit'
import type { Kysely } from 'kysely'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WebhookRelayConfig } from './config.js'
import type { RelayTables } from './delivery/delivery-tables.js'
import { type RunningWebhookRelay, startWebhookRelay } from './main.js'
import { jobQueued, publish, taskCreated, taskUpdated } from './test-support/domain-events.js'
import { kanboardReceiver } from './test-support/kanboard-receiver.js'
import { TestReceiver } from './test-support/receiver.js'

/** Every service's gRPC identity; the tests call as the gateway. */
const auth = await testGrpcAuth()
const asGateway = { credential: auth.of('gateway').credential }

type Client = RpcClient<WebhookRelayServiceClient>

async function relayWith(overrides: Partial<WebhookRelayConfig>): Promise<{
  nats: NatsServer
  bus: Bus
  config: WebhookRelayConfig
}> {
  const nats = await startNats()
  const config: WebhookRelayConfig = {
    databaseUrl: await testDatabase(),
    natsUrl: nats.url,
    grpcPort: 0,
    grpcHost: '127.0.0.1',
    healthPort: 0,
    healthHost: '127.0.0.1',
    grpcAuthFile: auth.file('webhook-relay'),
    timeoutMs: 3_000,
    allowNetworks: ['127.0.0.0/8'],
    retrySchedule: ['0', '200ms', '500ms', '1s', '1s', '2s', '2s', '5s', '5s', '10s', '10s'],
    concurrency: 32,
    perOrganizationConcurrency: 16,
    perSubscriptionConcurrency: 4,
    perHostConcurrency: 16,
    maxResponseBytes: 65_536,
    pollIntervalMs: 100,
    secretOverlapMs: 86_400_000,
    maxSubscriptions: 100,
    ...overrides,
  }
  const bus = await Bus.connect({ servers: nats.url, name: 'test-producer' })
  return { nats, bus, config }
}

const deliveriesOf = async (client: Client, subscription: Subscription, status = '') =>
  (
    await client.listDeliveries({
      customer: 'acme',
      subscriptionId: subscription.id,
      limit: 200,
      before: '',
      status,
    })
  ).deliveries

const eventNames = (receiver: TestReceiver) =>
  receiver.bodies<{ event_name: string }>().map((body) => body.event_name)

describe('webhook-relay', () => {
  let nats: NatsServer
  let bus: Bus
  let config: WebhookRelayConfig
  let relay: RunningWebhookRelay
  let client: Client
  const receivers: TestReceiver[] = []

  const start = async () => {
    relay = await startWebhookRelay(config, { handleProcessEvents: false, telemetry: false })
    client = createClient(WebhookRelayServiceClient, `127.0.0.1:${relay.grpcPort}`, asGateway)
  }
  const stop = async () => {
    client.close()
    await relay.stop()
  }
  const receiver = async (...args: Parameters<typeof TestReceiver.start>) => {
    const started = await TestReceiver.start(...args)
    receivers.push(started)
    return started
  }
  const subscribe = async (url: string, events: string[] = [], customer = 'acme') => {
    const { subscription } = await client.createSubscription({
      customer,
      url,
      events,
      description: '',
      author: 'ops',
    })
    return subscription!
  }

  beforeAll(async () => {
    ;({ nats, bus, config } = await relayWith({}))
    await start()
  })

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()))
    await stop()
    await bus.close()
    await nats.stop()
  })

  it('creates a subscription with a token and whsec_ secret, and pings it with signed headers', async () => {
    const hook = await receiver()
    const subscription = await subscribe(`${hook.origin}/hook`, ['task.*'])
    expect(subscription).toMatchObject({ customer: 'acme', events: ['task.*'], enabled: true })
    expect(subscription.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(subscription.token).toMatch(/^[0-9a-f]{64}$/)
    await waitUntil(() => hook.requests.length === 1)
    const ping = hook.requests[0]!
    expect(ping.query.get('token')).toBe(subscription.token)
    expect(ping.headers['user-agent']).toBe('Taskforge-Webhook/1.0')
    expect(ping.headers['content-type']).toBe('application/json')
    const verified = new Webhook(subscription.secret).verify(ping.body, ping.headers) as Record<
      string,
      unknown
    >
    expect(verified).toMatchObject({
      event_name: 'ping',
      event_data: { subscription_id: subscription.id, url: `${hook.origin}/hook`, events: ['task.*'] },
      event_author: 'ops',
    })
    const [delivery] = await waitUntil(async () => {
      const list = await deliveriesOf(client, subscription)
      return list[0]?.status === 'succeeded' && list
    })
    expect(ping.headers['webhook-id']).toBe(delivery!.id)
    expect(delivery!.attempts).toMatchObject([{ number: 1, statusCode: 200, outcome: 'success', error: '' }])
  })

  it('sends each matching event once, in the Kanboard format a seed-only receiver accepts', async () => {
    let tokenKnown: (token: string) => void = () => {}
    const token = new Promise<string>((resolve) => {
      tokenKnown = resolve
    })
    const rejections: string[] = []
    const kanboard = await receiver(kanboardReceiver(token, rejections))
    const jobsOnly = await receiver()
    const all = await subscribe(`${kanboard.origin}/kanboard?source=taskforge`)
    tokenKnown(all.token)
    await subscribe(`${jobsOnly.origin}/jobs`, ['job.*'])
    const otherCustomer = await receiver()
    await subscribe(otherCustomer.origin, [], 'globex')

    const taskId = newId()
    const created = taskCreated(taskId, 'backup')
    await publish(bus, created, taskUpdated(taskId, 2, 'nightly'), jobQueued(newId(), taskId))
    // The same event again under another message id: JetStream keeps it, the inbox does not.
    await bus.publish(subjects.event('task', 'created'), encodeEnvelope(created), { msgId: newId() })
    // Events are taken in order: once this one arrived, the duplicate was handled.
    const marker = taskCreated(newId(), 'marker')
    await publish(bus, marker)

    await waitUntil(() => kanboard.requests.length >= 5 && jobsOnly.requests.length >= 2, {
      message: 'every event delivered',
    })
    expect(rejections).toEqual([])
    expect(eventNames(kanboard).sort()).toEqual([
      'job.create',
      'ping',
      'task.create',
      'task.create',
      'task.update',
    ])
    const createdTasks = kanboard
      .bodies<{ event_name: string; event_data: { task_id: string } }>()
      .filter((body) => body.event_name === 'task.create')
      .map((body) => body.event_data.task_id)
    expect(createdTasks.sort()).toEqual([taskId, marker.streamId].sort())
    expect(eventNames(jobsOnly)).toEqual(['ping', 'job.create'])
    expect(kanboard.requests[1]!.query.get('source')).toBe('taskforge')
    const update = kanboard
      .bodies<{ event_name: string; event_data: Record<string, unknown> }>()
      .find((body) => body.event_name === 'task.update')
    expect(update?.event_data).toMatchObject({ task_id: taskId, changes: { description: 'nightly' } })
    expect(JSON.stringify(kanboard.bodies())).not.toContain('a'.repeat(64))
    await waitUntil(async () => (await deliveriesOf(client, all, 'succeeded')).length === 5)
    expect(eventNames(otherCustomer)).toEqual(['ping'])
  })

  it('waits for the first event of a stream that arrives after a later one, and sends both', async () => {
    const hook = await receiver()
    await subscribe(hook.origin, ['task.*'])
    const taskId = newId()
    // As after a failed first attempt: JetStream redelivers the first event after the second one.
    await publish(bus, taskUpdated(taskId, 2, 'late'), taskCreated(taskId, 'early'))
    await waitUntil(() => eventNames(hook).length >= 3, { message: 'both events delivered' })
    expect(eventNames(hook)).toEqual(['ping', 'task.create', 'task.update'])
  })

  it('starts a stream made before its organization was followed at the first event it sees', async () => {
    const hook = await receiver()
    const subscription = await subscribe(hook.origin, ['task.*'])
    const olderTask = newId(Date.now() - 600_000)
    // Events 1 to 4 of that task went by while nobody followed the organization: none is coming.
    await publish(bus, taskUpdated(olderTask, 5, 'older'), taskCreated(newId(), 'marker'))
    const sent = async () =>
      (await deliveriesOf(client, subscription)).filter((delivery) => delivery.eventName !== 'ping')
    await waitUntil(async () => (await sent()).length >= 2, { message: 'both events delivered' })
    // Events are taken in order: the update made its delivery first unless it was put back to wait.
    const inOrder = (await sent()).sort((a, b) => a.id.localeCompare(b.id))
    expect(inOrder.map((delivery) => delivery.eventName)).toEqual(['task.update', 'task.create'])
  })

  it('skips the events of organizations without subscriptions, and serves one from its first subscription on', async () => {
    const db = createDb(config.databaseUrl) as unknown as Kysely<RelayTables>
    const objectsOf = (customer: string) =>
      db.selectFrom('webhook_objects').select('stream_id').where('customer', '=', customer).execute()
    try {
      const hook = await receiver()
      await subscribe(hook.origin, ['task.create'])
      await waitUntil(() => hook.requests.length === 1)
      // Events are taken in order: once the marker arrived, the other organization's event was handled.
      await publish(bus, taskCreated(newId(), 'nobody listens', 'initech'), taskCreated(newId(), 'marker'))
      await waitUntil(() => hook.requests.length === 2)
      expect(await objectsOf('initech')).toEqual([])

      const initech = await receiver()
      let flowing = true
      let created = false
      const afterCreation: string[] = []
      const flow = (async () => {
        for (let i = 0; flowing; i++) {
          const answered = created
          const event = taskCreated(newId(), `flow ${i}`, 'initech')
          await publish(bus, event)
          if (answered) afterCreation.push(event.streamId)
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
      })()
      const subscription = await subscribe(initech.origin, ['task.create'], 'initech')
      created = true
      await waitUntil(() => afterCreation.length >= 20)
      flowing = false
      await flow
      await waitUntil(
        () => {
          const got = new Set(
            initech.bodies<{ event_data: { task_id?: string } }>().map((body) => body.event_data.task_id),
          )
          return afterCreation.every((id) => got.has(id))
        },
        { message: 'every event after the subscription was created' },
      )
      expect((await objectsOf('initech')).length).toBeGreaterThanOrEqual(afterCreation.length)

      await client.deleteSubscription({ customer: 'initech', subscriptionId: subscription.id, author: 'ops' })
      expect(await objectsOf('initech')).toEqual([])
      expect(
        await db.selectFrom('webhook_customers').selectAll().where('customer', '=', 'initech').execute(),
      ).toEqual([])
    } finally {
      await db.destroy()
    }
  })

  it('signs with the old and the new secret for a while after a rotation', async () => {
    const hook = await receiver()
    const subscription = await subscribe(hook.origin, ['task.create'])
    await waitUntil(() => hook.requests.length === 1)
    const { subscription: rotated } = await client.rotateSubscriptionSecret({
      customer: 'acme',
      subscriptionId: subscription.id,
      author: 'ops',
    })
    expect(rotated!.secret).not.toBe(subscription.secret)
    expect(rotated!.previousSecretExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 86_000_000)
    await publish(bus, taskCreated(newId(), 'after rotation'))
    await waitUntil(() => hook.requests.length === 2)
    const request = hook.requests[1]!
    expect(request.headers['webhook-signature']!.split(' ')).toHaveLength(2)
    for (const secret of [subscription.secret, rotated!.secret]) {
      expect(() => new Webhook(secret).verify(request.body, request.headers)).not.toThrow()
    }
  })

  it('retries while the receiver is down, across a relay restart, and loses nothing', async () => {
    const hook = await receiver()
    const subscription = await subscribe(hook.origin, ['task.create'])
    await waitUntil(() => hook.requests.length === 1)
    await hook.down()
    const before = Array.from({ length: 5 }, (_, i) => taskCreated(newId(), `before ${i}`))
    await publish(bus, ...before)
    await waitUntil(async () => {
      const pending = await deliveriesOf(client, subscription, 'pending')
      return pending.length === 5 && pending.every((delivery) => delivery.attempts.length >= 1)
    })
    await stop()
    const during = Array.from({ length: 5 }, (_, i) => taskCreated(newId(), `during ${i}`))
    await publish(bus, ...during)
    await start()
    await hook.up()
    await waitUntil(() => hook.requests.length >= 11, {
      timeoutMs: 45_000,
      message: 'every event after the outage',
    })
    const names = hook
      .bodies<{ event_data: { task: { name: string } } }>()
      .slice(1)
      .map((body) => body.event_data.task.name)
    expect(new Set(names)).toEqual(
      new Set([...before, ...during].map((_, i) => (i < 5 ? `before ${i}` : `during ${i - 5}`))),
    )
    const deliveries = await waitUntil(async () => {
      const list = await deliveriesOf(client, subscription)
      return list.every((delivery) => delivery.status === 'succeeded') && list
    })
    const retried = deliveries.filter((delivery) => delivery.attempts.length > 1)
    expect(retried.length).toBeGreaterThanOrEqual(5)
    for (const delivery of retried) {
      expect(delivery.attempts.at(-1)!.outcome).toBe('success')
      expect(delivery.attempts[0]).toMatchObject({
        outcome: 'failure',
        error: expect.stringMatching(/ECONNREFUSED/),
      })
    }
  })

  it('keeps delivering to a fast receiver while a slow one holds its requests', async () => {
    const slow = await receiver(() => ({ hang: true }))
    const fast = await receiver()
    const slowSubscription = await subscribe(slow.origin, ['job.create'])
    await subscribe(fast.origin, ['job.create'])
    await waitUntil(() => fast.requests.length === 1 && slow.requests.length === 1)
    await publish(bus, ...Array.from({ length: 10 }, () => jobQueued(newId(), newId())))
    await waitUntil(() => fast.requests.length === 11, { message: 'the fast receiver got every event' })
    expect(slow.hanging).toBeGreaterThan(0)
    const timedOut = await waitUntil(async () => {
      const list = await deliveriesOf(client, slowSubscription)
      return list.find((delivery) => delivery.attempts.length > 0)?.attempts[0]
    })
    expect(timedOut).toMatchObject({ outcome: 'failure', error: 'no complete answer within 3000 ms' })
  })

  it('disables a subscription whose receiver answers 410 Gone, and says why', async () => {
    const gone = await receiver(() => ({ status: 410, body: 'no such hook' }))
    const subscription = await subscribe(gone.origin)
    const disabled = await waitUntil(async () => {
      const { subscription: current } = await client.getSubscription({
        customer: 'acme',
        subscriptionId: subscription.id,
      })
      return current!.enabled === false && current!
    })
    expect(disabled.disabledReason).toMatch(/410 Gone/)
    const [ping] = await deliveriesOf(client, subscription)
    expect(ping).toMatchObject({ status: 'failed', attemptCount: 1 })
    expect(ping!.attempts[0]).toMatchObject({ statusCode: 410, responseExcerpt: 'no such hook' })
    await expect(
      client.retryDelivery({
        customer: 'acme',
        subscriptionId: subscription.id,
        deliveryId: ping!.id,
        author: 'ops',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_STATE' })
    gone.behave(() => ({ status: 200 }))
    const { subscription: enabled } = await client.updateSubscription({
      customer: 'acme',
      subscriptionId: subscription.id,
      enabled: true,
      events: undefined,
      author: 'ops',
    })
    expect(enabled).toMatchObject({ enabled: true, disabledReason: '' })
    const { delivery } = await client.retryDelivery({
      customer: 'acme',
      subscriptionId: subscription.id,
      deliveryId: ping!.id,
      author: 'ops',
    })
    expect(delivery!.status).toBe('pending')
    const retried = await waitUntil(async () => {
      const [current] = await deliveriesOf(client, subscription)
      return current?.status === 'succeeded' && current
    })
    expect(retried.attempts.map((attempt) => attempt.statusCode)).toEqual([410, 200])
    expect(retried.id).toBe(ping!.id)
    expect(gone.requests.map((request) => request.headers['webhook-id'])).toEqual([ping!.id, ping!.id])
  })

  it('manages subscriptions: list, patch, validation, isolation, delete', async () => {
    const hook = await receiver()
    const subscription = await subscribe(hook.origin, ['bot.online'])
    const { subscription: patched } = await client.updateSubscription({
      customer: 'acme',
      subscriptionId: subscription.id,
      url: `${hook.origin}/v2`,
      events: { names: [] },
      description: 'everything',
      author: 'ops',
    })
    expect(patched).toMatchObject({ url: `${hook.origin}/v2`, events: [], description: 'everything' })
    const { subscriptions } = await client.listSubscriptions({ customer: 'acme' })
    expect(subscriptions.map((s) => s.id)).toContain(subscription.id)
    await expect(
      client.getSubscription({ customer: 'globex', subscriptionId: subscription.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(
      client.createSubscription({
        customer: 'acme',
        url: 'ftp://x',
        events: [],
        description: '',
        author: 'ops',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    await expect(
      client.createSubscription({
        customer: 'acme',
        url: hook.origin,
        events: ['task.created'],
        description: '',
        author: 'ops',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    await client.deleteSubscription({ customer: 'acme', subscriptionId: subscription.id, author: 'ops' })
    await expect(
      client.getSubscription({ customer: 'acme', subscriptionId: subscription.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(client.getSubscription({ customer: 'acme', subscriptionId: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })
})

describe('webhook-relay with a short retry schedule', () => {
  let nats: NatsServer
  let bus: Bus
  let relay: RunningWebhookRelay
  let client: Client
  let hook: TestReceiver

  beforeAll(async () => {
    const setup = await relayWith({ retrySchedule: ['0', '100ms', '100ms'] })
    ;({ nats, bus } = setup)
    relay = await startWebhookRelay(setup.config, { handleProcessEvents: false, telemetry: false })
    client = createClient(WebhookRelayServiceClient, `127.0.0.1:${relay.grpcPort}`, asGateway)
    hook = await TestReceiver.start(() => ({ status: 500, body: 'x'.repeat(200_000) }))
  })

  afterAll(async () => {
    await hook.close()
    client.close()
    await relay.stop()
    await bus.close()
    await nats.stop()
  })

  it('disables a subscription when a delivery used its whole schedule with nothing getting through', async () => {
    const { subscription } = await client.createSubscription({
      customer: 'acme',
      url: hook.origin,
      events: [],
      description: '',
      author: 'ops',
    })
    const disabled = await waitUntil(async () => {
      const { subscription: current } = await client.getSubscription({
        customer: 'acme',
        subscriptionId: subscription!.id,
      })
      return current!.enabled === false && current!
    })
    expect(disabled.disabledReason).toMatch(
      /^every attempt failed since .* \(delivery .*, 3 attempts; last error: HTTP 500\)$/,
    )
    const { deliveries } = await client.listDeliveries({
      customer: 'acme',
      subscriptionId: subscription!.id,
      limit: 0,
      before: '',
      status: '',
    })
    const [ping] = deliveries as Delivery[]
    expect(ping).toMatchObject({ status: 'failed', attemptCount: 3 })
    expect(ping!.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500])
    expect(ping!.attempts[0]!.responseExcerpt).toHaveLength(1024)
    expect(ping!.attempts.every((attempt) => attempt.durationMs >= 0)).toBe(true)
  })
})
