import type { Envelope } from '@taskforge/bus'
import { newId, newSecret } from '@taskforge/core'
import { createDb, EventStore } from '@taskforge/event-store'
import { SecretEnvReply, SecretEnvRequest } from '@taskforge/proto/bots/v1/protocol'
import { TaskEvent, WebhookEvent } from '@taskforge/proto/catalog/v1/events'
import { TaskDefinition, WorkflowDefinition } from '@taskforge/proto/catalog/v1/model'
import { waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeTaskEvent, TASK_STREAM } from './events/task-codec.js'
import { encodeWebhookEvent, WEBHOOK_STREAM } from './events/webhook-codec.js'
import {
  type CatalogUnderTest,
  recordPublished,
  startCatalogUnderTest,
} from './test-support/catalog-under-test.js'

const acme = 'acme'
const globex = 'globex'
const acmeBot = newId()
const globexBot = newId()

// Decision 18: the catalog's secrets are sealed in its store and on the EVENTS stream, secret
// variables are write-only, and only a bot of the task's organization has them opened.
describe('task catalog secrets', () => {
  let under: CatalogUnderTest
  let client: CatalogUnderTest['client']
  let bus: CatalogUnderTest['bus']
  let recorded: Awaited<ReturnType<typeof recordPublished>>
  /** Every catalog event published on EVENTS, as received. */
  let published: Envelope[]

  beforeAll(async () => {
    under = await startCatalogUnderTest(
      new Map([
        [acmeBot, acme],
        [globexBot, globex],
      ]),
    )
    ;({ client, bus } = under)
    recorded = await recordPublished(bus, 'catalog-secrets-test', ['events.>'])
    published = recorded.received
  })

  afterAll(async () => {
    await recorded?.stop()
    await under?.stop()
  })

  const createTask = async (secretEnv: Record<string, string>, env: Record<string, string> = {}) => {
    const { script } = await client.createScript({
      customer: acme,
      filename: 'deploy.sh',
      description: '',
      content: Buffer.from('#!/bin/sh\nenv\n'),
      author: 'admin',
    })
    const { task } = await client.createTask({
      customer: acme,
      definition: TaskDefinition.create({ name: 'deploy', hostId: acmeBot, scriptId: script!.id, env }),
      author: 'admin',
      secretEnv: Object.fromEntries(
        Object.entries(secretEnv).map(([name, value]) => [name, { change: { $case: 'value', value } }]),
      ),
    })
    return task!
  }

  const openFor = async (botId: string, request: Partial<SecretEnvRequest>) => {
    const reply = await bus.nc.request(
      `secrets.${botId}`,
      SecretEnvRequest.encode(SecretEnvRequest.fromPartial(request)).finish(),
      { timeout: 10_000 },
    )
    return SecretEnvReply.decode(reply.data).result
  }

  const errorOf = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    )

  const publishedOf = (streamId: string) => published.filter((envelope) => envelope.streamId === streamId)

  it('keeps secret variables write-only: names answered, values sealed, kept unless named', async () => {
    const task = await createTask({ DB_PASSWORD: 'correct horse battery' }, { REGION: 'eu' })
    expect(Object.keys(task.definition!.secretEnv)).toEqual(['DB_PASSWORD'])
    expect(Buffer.from(task.definition!.secretEnv.DB_PASSWORD!).includes('correct horse')).toBe(false)
    expect(task.definition!.env).toEqual({ REGION: 'eu' })

    // A replace that does not name the secret keeps it; a keep of a value never set is refused.
    const { task: replaced } = await client.updateTask({
      customer: acme,
      taskId: task.id,
      definition: TaskDefinition.create({ ...task.definition, secretEnv: {}, description: 'now' }),
      fields: [],
      author: 'admin',
      expectedVersion: 0,
      secretEnv: {},
    })
    expect(replaced!.definition!.secretEnv.DB_PASSWORD).toEqual(task.definition!.secretEnv.DB_PASSWORD)
    expect(
      await errorOf(
        client.updateTask({
          customer: acme,
          taskId: task.id,
          definition: TaskDefinition.create(),
          fields: ['secret_env'],
          author: 'admin',
          expectedVersion: 0,
          secretEnv: { NEVER_SET: { change: { $case: 'keep', value: true } } },
        }),
      ),
    ).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'secret_env' } })

    const { task: removed, changedFields } = await client.updateTask({
      customer: acme,
      taskId: task.id,
      definition: TaskDefinition.create(),
      fields: ['secret_env'],
      author: 'admin',
      expectedVersion: 0,
      secretEnv: { DB_PASSWORD: { change: { $case: 'remove', value: true } } },
    })
    expect(changedFields).toEqual(['secret_env'])
    expect(removed!.definition!.secretEnv).toEqual({})
  })

  it('opens a job’s secret variables for a bot of the organization, and for no one else', async () => {
    const task = await createTask({ API_TOKEN: 'tok-123456' })
    const sealed = task.definition!.secretEnv
    expect(await openFor(acmeBot, { customer: acme, taskId: task.id, sealed })).toEqual({
      $case: 'values',
      value: { values: { API_TOKEN: 'tok-123456' } },
    })
    // Another organization's bot, even claiming this organization, or claiming its own.
    expect(await openFor(globexBot, { customer: acme, taskId: task.id, sealed })).toMatchObject({
      $case: 'error',
      value: { code: 'FORBIDDEN' },
    })
    expect(await openFor(globexBot, { customer: globex, taskId: task.id, sealed })).toMatchObject({
      $case: 'error',
      value: { code: 'FORBIDDEN' },
    })
    // A value passed off as another variable's, or another task's.
    expect(
      await openFor(acmeBot, { customer: acme, taskId: task.id, sealed: { OTHER: sealed.API_TOKEN! } }),
    ).toMatchObject({ $case: 'error', value: { code: 'FORBIDDEN' } })
    expect(await openFor(acmeBot, { customer: acme, taskId: newId(), sealed })).toMatchObject({
      $case: 'error',
      value: { code: 'FORBIDDEN' },
    })
    expect(await openFor(acmeBot, { customer: acme, taskId: 'not-an-id', sealed })).toMatchObject({
      $case: 'error',
      value: { code: 'INVALID_ARGUMENT' },
    })
  })

  it('answers a workflow to run with its secret key only, by id alone, in the one read', async () => {
    const task = await createTask({})
    const { workflow } = await client.createWorkflow({
      customer: acme,
      definition: WorkflowDefinition.fromPartial({
        name: 'release',
        nodes: [{ key: 'a', step: { $case: 'taskId', value: task.id } }],
        start: 'a',
      }),
      author: 'admin',
    })
    const workflowId = workflow!.id
    const { secret } = await client.getWorkflowCredentials({ customer: acme, workflowId })
    const toRun = (request: { customer: string; workflowId: string; secret: string }) =>
      client.getWorkflow({ ...request, version: 0 })
    // The organization may be left out: the workflow's own is answered.
    expect((await toRun({ customer: '', workflowId, secret })).workflow).toMatchObject({
      id: workflowId,
      customer: acme,
      version: 1,
    })
    expect((await toRun({ customer: acme, workflowId, secret })).workflow?.definition?.name).toBe('release')
    const refused = [
      toRun({ customer: acme, workflowId, secret: '00'.repeat(32) }),
      toRun({ customer: globex, workflowId, secret }),
      toRun({ customer: acme, workflowId: newId(), secret }),
      toRun({ customer: acme, workflowId: 'not-an-id', secret }),
    ]
    for (const error of await Promise.all(refused.map(errorOf)))
      expect(error).toMatchObject({ code: 'UNAUTHORIZED' })
    await client.rotateWorkflowSecret({ customer: acme, workflowId, author: 'admin' })
    expect(await errorOf(toRun({ customer: acme, workflowId, secret }))).toMatchObject({
      code: 'UNAUTHORIZED',
    })
  })

  it('publishes task and webhook events without a secret in clear', async () => {
    const task = await createTask({ DB_PASSWORD: 'published-password' })
    const { secret } = await client.getTaskCredentials({ customer: acme, taskId: task.id })
    const rotated = await client.rotateTaskSecret({ customer: acme, taskId: task.id, author: 'admin' })
    const { webhook } = await client.createWebhook({ customer: acme, name: 'deploys', author: 'admin' })
    const events = await waitUntil(
      () => {
        const found = [...publishedOf(task.id), ...publishedOf(webhook!.id)]
        return found.length >= 3 ? found : undefined
      },
      { message: 'the task and webhook events on EVENTS' },
    )
    for (const envelope of events) {
      const bytes = Buffer.from(envelope.data)
      for (const clear of [secret, rotated.secret, webhook!.secret, 'published-password']) {
        expect(bytes.includes(clear), `${envelope.type} carries a secret in clear`).toBe(false)
      }
    }
    const created = TaskEvent.decode(events.find((e) => e.type === 'created' && e.streamId === task.id)!.data)
    expect(created.event?.$case === 'created' && created.event.value.sealedSecret.length).toBeGreaterThan(64)
    // What is published sealed still works: the new secret runs, the webhook's secret fires it.
    const { task: authorized } = await client.authorizeSecretRun({
      customer: acme,
      taskId: task.id,
      secret: rotated.secret,
    })
    expect(authorized?.id).toBe(task.id)
    const fire = await client.fireWebhook({
      customer: acme,
      webhookId: webhook!.id,
      secret: webhook!.secret,
      payloadJson: '{}',
    })
    expect(fire.webhookId).toBe(webhook!.id)
  })

  it('reads events recorded with clear secrets before decision 18, and publishes them blanked', async () => {
    const db = createDb(under.databaseUrl)
    const store = new EventStore(db)
    const taskId = newId()
    const webhookId = newId()
    const taskSecret = newSecret()
    const webhookSecret = newSecret()
    const ctx = { customer: acme, author: 'admin' }
    await store.appendToStream(
      TASK_STREAM,
      taskId,
      [
        encodeTaskEvent(
          {
            $case: 'created',
            value: {
              taskId,
              customer: acme,
              definition: TaskDefinition.create({ name: 'old', hostId: acmeBot, scriptId: newId() }),
              secret: taskSecret,
              sealedSecret: Buffer.alloc(0),
            },
          },
          ctx,
        ),
      ],
      { expectedVersion: 'no_stream' },
    )
    await store.appendToStream(
      WEBHOOK_STREAM,
      webhookId,
      [
        encodeWebhookEvent(
          {
            $case: 'created',
            value: {
              webhookId,
              customer: acme,
              name: 'old',
              secret: webhookSecret,
              sealedSecret: Buffer.alloc(0),
            },
          },
          ctx,
        ),
      ],
      { expectedVersion: 'no_stream' },
    )
    const credentials = await waitUntil(
      () =>
        client.getTaskCredentials({ customer: acme, taskId }).then(
          (answer) => answer,
          () => undefined,
        ),
      { message: 'the old task in the read model' },
    )
    expect(credentials.secret).toBe(taskSecret)
    const { webhook } = await waitUntil(
      () =>
        client.getWebhook({ customer: acme, webhookId }).then(
          (answer) => answer,
          () => undefined,
        ),
      { message: 'the old webhook in the read model' },
    )
    expect(webhook?.secret).toBe(webhookSecret)

    const [taskEnvelope, webhookEnvelope] = await waitUntil(
      () => {
        const task = publishedOf(taskId)[0]
        const hook = publishedOf(webhookId)[0]
        return task && hook ? [task, hook] : undefined
      },
      { message: 'the old events on EVENTS' },
    )
    const oldTask = TaskEvent.decode(taskEnvelope!.data).event
    expect(oldTask?.$case === 'created' && oldTask.value.secret).toBe('')
    const oldWebhook = WebhookEvent.decode(webhookEnvelope!.data).event
    expect(oldWebhook?.$case === 'created' && oldWebhook.value.secret).toBe('')
    await db.destroy()
  })
})
