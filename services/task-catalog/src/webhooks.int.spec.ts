import type { Envelope } from '@taskforge/bus'
import { isAppError, newId } from '@taskforge/core'
import { WebhookEvent } from '@taskforge/proto/catalog/v1/events'
import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CatalogUnderTest,
  recordPublished,
  startCatalogUnderTest,
} from './test-support/catalog-under-test.js'

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
  let under: CatalogUnderTest
  let client: CatalogUnderTest['client']
  let recorded: Awaited<ReturnType<typeof recordPublished>>
  let fired: Envelope[]

  beforeAll(async () => {
    under = await startCatalogUnderTest(new Map([[acmeBot, acme]]))
    client = under.client
    recorded = await recordPublished(under.bus, 'webhooks-test-fired', ['events.webhook.fired'])
    fired = recorded.received
  })

  afterAll(async () => {
    await recorded?.stop()
    await under?.stop()
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
