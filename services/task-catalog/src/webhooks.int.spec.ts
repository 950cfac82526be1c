import type * as grpc from '@grpc/grpc-js'
import { Bus, type BusMessage, decodeEnvelope, type Envelope } from '@taskforge/bus'
import { isAppError, newId } from '@taskforge/core'
import { BotDispatchServiceService } from '@taskforge/proto/bots/v1/bot_service'
import { TaskCatalogServiceClient } from '@taskforge/proto/catalog/v1/catalog_service'
import { WebhookEvent } from '@taskforge/proto/catalog/v1/events'
import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import {
  addService,
  createClient,
  createGrpcServer,
  type RpcClient,
  startGrpcServer,
  stopGrpcServer,
} from '@taskforge/rpc'
import { type NatsServer, startNats, testDatabase, testGrpcAuth, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningCatalog, startCatalog } from './main.js'
import { SecretSealer } from './secrets/secret-sealer.js'
import { fakeBotDispatch } from './test-support/fake-bot-dispatch.js'

/** Every service's gRPC identity; the tests call as the gateway. */
const auth = await testGrpcAuth()
const asGateway = { credential: auth.of('gateway').credential }

const acme = 'acme'
const acmeBot = newId()

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (error) {
    if (isAppError(error)) return error.code
    throw error
  }
  return undefined
}

describe('incoming webhooks in the catalog', () => {
  let nats: NatsServer
  let dispatch: grpc.Server
  let catalog: RunningCatalog
  let client: RpcClient<TaskCatalogServiceClient>
  let bus: Bus
  const fired: Envelope[] = []
  let consumer: { stop(): Promise<void> } | undefined

  beforeAll(async () => {
    nats = await startNats()
    dispatch = createGrpcServer({ auth: auth.of('bot-dispatch'), callers: ['task-catalog'] })
    addService(dispatch, BotDispatchServiceService, fakeBotDispatch(new Map([[acmeBot, acme]])))
    const dispatchPort = await startGrpcServer(dispatch, 0, '127.0.0.1')
    catalog = await startCatalog({
      databaseUrl: await testDatabase(),
      natsUrl: nats.url,
      grpcPort: 0,
      grpcHost: '127.0.0.1',
      healthPort: 0,
      healthHost: '127.0.0.1',
      grpcAuthFile: auth.file('task-catalog'),
      dispatchGrpcUrl: `127.0.0.1:${dispatchPort}`,
      secretsKeys: [SecretSealer.newKey()],
    })
    client = createClient(TaskCatalogServiceClient, `127.0.0.1:${catalog.grpcPort}`, asGateway)
    bus = await Bus.connect({ servers: nats.url, name: 'webhooks-test' })
    await bus.ensureConsumer('EVENTS', {
      durable: 'webhooks-test-fired',
      filterSubjects: ['events.webhook.fired'],
    })
    consumer = await bus.consume('EVENTS', 'webhooks-test-fired', async (message: BusMessage) => {
      fired.push(decodeEnvelope(message.data))
    })
  })

  afterAll(async () => {
    await consumer?.stop()
    await bus?.close()
    client?.close()
    await catalog?.stop()
    if (dispatch) await stopGrpcServer(dispatch)
    await nats?.stop()
  })

  it('creates, lists, fires and deletes a webhook; a fire carries its payload to JetStream', async () => {
    const { webhook } = await client.createWebhook({ customer: acme, name: ' deploys ', author: 'admin' })
    expect(webhook).toMatchObject({ customer: acme, name: 'deploys', firedCount: 0 })
    expect(webhook?.secret).toMatch(/^[0-9a-f]{64}$/)
    const id = webhook!.id
    expect((await client.listWebhooks({ customer: acme })).webhooks.map((w) => w.id)).toContain(id)
    expect(await codeOf(client.getWebhook({ customer: 'globex', webhookId: id }))).toBe('NOT_FOUND')

    const { script } = await client.createScript({
      customer: acme,
      filename: 'deploy.sh',
      description: '',
      content: Buffer.from('echo "$@"'),
      author: 'admin',
    })
    const { task } = await client.createTask({
      customer: acme,
      definition: TaskDefinition.create({
        name: 'deploy',
        hostId: acmeBot,
        scriptId: script!.id,
        triggers: [{ taskId: '', event: '', webhookId: id }],
      }),
      author: 'admin',
      secretEnv: {},
    })

    const wrong = { customer: acme, webhookId: id, payloadJson: '{}' }
    expect(await codeOf(client.fireWebhook({ ...wrong, secret: 'f'.repeat(64) }))).toBe('UNAUTHORIZED')
    expect(await codeOf(client.fireWebhook({ ...wrong, customer: 'globex', secret: webhook!.secret }))).toBe(
      'UNAUTHORIZED',
    )
    expect(await codeOf(client.fireWebhook({ ...wrong, webhookId: newId(), secret: webhook!.secret }))).toBe(
      'UNAUTHORIZED',
    )

    const answer = await client.fireWebhook({
      customer: acme,
      webhookId: id,
      secret: webhook!.secret,
      payloadJson: '{"ref": "main"}',
    })
    expect(answer).toMatchObject({
      webhookId: id,
      name: 'deploys',
      payloadJson: '{"ref":"main"}',
      taskIds: [task!.id],
    })
    const envelope = await waitUntil(() => fired.find((e) => e.streamId === id) ?? false, {
      timeoutMs: 20_000,
      message: 'the fire to reach JetStream',
    })
    expect(envelope).toMatchObject({
      customer: acme,
      streamType: 'webhook',
      type: 'fired',
      author: 'webhook',
    })
    expect(WebhookEvent.decode(envelope.data).event).toMatchObject({
      $case: 'fired',
      value: { fireId: answer.fireId, payloadJson: '{"ref":"main"}' },
    })
    expect((await client.getWebhook({ customer: acme, webhookId: id })).webhook?.firedCount).toBe(1)

    await client.deleteWebhook({ customer: acme, webhookId: id, author: 'admin' })
    expect(await codeOf(client.getWebhook({ customer: acme, webhookId: id }))).toBe('NOT_FOUND')
    expect(await codeOf(client.fireWebhook({ ...wrong, secret: webhook!.secret }))).toBe('UNAUTHORIZED')
  })
})
