import type { Envelope } from '@taskforge/bus'
import { contentSha256, newId } from '@taskforge/core'
import { ScriptContentReply, ScriptContentRequest } from '@taskforge/proto/bots/v1/protocol'
import { TaskEvent } from '@taskforge/proto/catalog/v1/events'
import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCRIPT_PART_BYTES } from './script-content/script-content-server.js'
import {
  type CatalogUnderTest,
  recordPublished,
  startCatalogUnderTest,
} from './test-support/catalog-under-test.js'

const acme = 'acme'
const globex = 'globex'
const acmeBot = newId()
const globexBot = newId()
const initech = 'initech'
const initechBot = newId()
const botCustomers = new Map([
  [acmeBot, acme],
  [globexBot, globex],
  [initechBot, initech],
])

describe('task catalog over gRPC', () => {
  let under: CatalogUnderTest
  let catalog: CatalogUnderTest['catalog']
  let client: CatalogUnderTest['client']
  let bus: CatalogUnderTest['bus']
  let created: Awaited<ReturnType<typeof recordPublished>>
  let createdEnvelopes: Envelope[]

  beforeAll(async () => {
    under = await startCatalogUnderTest(botCustomers)
    ;({ catalog, client, bus } = under)
    created = await recordPublished(bus, 'catalog-test-task-created', ['events.task.created'])
    createdEnvelopes = created.received
  })

  afterAll(async () => {
    await created?.stop()
    await under?.stop()
  })

  const createScript = async (customer = acme, filename = 'backup.sh') => {
    const { script } = await client.createScript({
      customer,
      filename,
      description: 'nightly backup',
      content: Buffer.from('#!/bin/sh\necho done\n'),
      author: 'admin-token',
    })
    return script!
  }

  const definition = (changes: Partial<TaskDefinition>) =>
    TaskDefinition.create({ name: 'backup', hostId: acmeBot, runAs: 'sh %script%', ...changes })

  const errorOf = async (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    )

  it('creates a script and a task and reads them back at once', async () => {
    const script = await createScript()
    expect(script).toMatchObject({ customer: acme, filename: 'backup.sh', description: 'nightly backup' })
    expect(Buffer.from(script.content).toString()).toBe('#!/bin/sh\necho done\n')
    expect(script).toMatchObject({ contentSha256: contentSha256(script.content), contentSize: 20 })
    expect(await client.getScript({ customer: acme, scriptId: script.id })).toEqual({ script })

    const { task } = await client.createTask({
      customer: acme,
      definition: definition({
        scriptId: script.id,
        tags: ['nightly'],
        taskArguments: [{ order: 0, type: 'input', label: 'target', value: '', required: true, options: [] }],
        timeout: 0,
      }),
      author: 'admin-token',
      secretEnv: {},
    })
    expect(task?.customer).toBe(acme)
    expect(task?.definition).toMatchObject({
      name: 'backup',
      scriptId: script.id,
      hostId: acmeBot,
      timeout: 600,
    })
    expect(await client.getTask({ customer: acme, taskId: task!.id })).toEqual({ task })
    // A run names the script by its content's hash: the content stays here.
    expect(await client.getTaskToRun({ customer: acme, taskId: task!.id, secret: '' })).toEqual({
      task,
      script: { ...script, content: Buffer.alloc(0) },
    })
    expect(await catalog.readiness.db()).toBe(true)
    expect(await catalog.readiness.nats()).toBe(true)
    expect(await catalog.readiness.projector()).toBe(true)
  })

  it('reads several tasks to run at once, each in its own organization, in the order asked', async () => {
    const acmeScript = await createScript(acme, 'many.sh')
    const initechScript = await createScript(initech, 'many.sh')
    const make = async (customer: string, scriptId: string, hostId: string) =>
      (
        await client.createTask({
          customer,
          definition: definition({ name: 'many', scriptId, hostId }),
          author: '',
          secretEnv: {},
        })
      ).task!
    const ofAcme = await make(acme, acmeScript.id, acmeBot)
    const ofInitech = await make(initech, initechScript.id, initechBot)
    const { tasks } = await client.getTasksToRun({
      tasks: [
        { customer: initech, taskId: ofInitech.id },
        // Another organization's task, an unknown id, and no id at all are not there.
        { customer: initech, taskId: ofAcme.id },
        { customer: acme, taskId: newId() },
        { customer: acme, taskId: 'nope' },
        { customer: acme, taskId: ofAcme.id },
      ],
    })
    expect(tasks).toEqual([
      { task: ofInitech, script: { ...initechScript, content: Buffer.alloc(0) } },
      { task: undefined, script: undefined },
      { task: undefined, script: undefined },
      { task: undefined, script: undefined },
      { task: ofAcme, script: { ...acmeScript, content: Buffer.alloc(0) } },
    ])
    expect(await client.getTasksToRun({ tasks: [] })).toEqual({ tasks: [] })
    const tooMany = Array.from({ length: 1001 }, () => ({ customer: acme, taskId: ofAcme.id }))
    expect(await errorOf(client.getTasksToRun({ tasks: tooMany }))).toMatchObject({
      code: 'VALIDATION_FAILED',
    })
    expect(
      await errorOf(client.getTasksToRun({ tasks: [{ customer: '', taskId: ofAcme.id }] })),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
    })
  })

  it('lists tasks of one customer in creation order, filtered by tag and host', async () => {
    const script = await createScript(acme, 'list.sh')
    const make = async (name: string, tags: string[]) =>
      (
        await client.createTask({
          customer: acme,
          definition: definition({ name, tags, scriptId: script.id }),
          author: '',
          secretEnv: {},
        })
      ).task!
    const first = await make('first', ['reports', 'daily'])
    const second = await make('second', ['daily'])
    const third = await make('third', [])

    const ids = (tasks: { id: string }[]) => tasks.map((t) => t.id)
    const all = await client.listTasks({ customer: acme, tag: '', hostId: '' })
    expect(ids(all.tasks)).toEqual(expect.arrayContaining([first.id, second.id, third.id]))
    expect(ids(all.tasks).filter((id) => [first.id, second.id, third.id].includes(id))).toEqual([
      first.id,
      second.id,
      third.id,
    ])
    expect(ids((await client.listTasks({ customer: acme, tag: 'daily', hostId: '' })).tasks)).toEqual([
      first.id,
      second.id,
    ])
    expect(ids((await client.listTasks({ customer: acme, tag: 'reports', hostId: acmeBot })).tasks)).toEqual([
      first.id,
    ])
    expect((await client.listTasks({ customer: acme, tag: '', hostId: globexBot })).tasks).toEqual([])
    const scripts = await client.listScripts({ customer: acme })
    expect(scripts.scripts.map((s) => s.id)).toContain(script.id)
  })

  it("answers NOT_FOUND for another customer's script or task and lists none of them", async () => {
    const script = await createScript()
    const { task } = await client.createTask({
      customer: acme,
      definition: definition({ scriptId: script.id }),
      author: '',
      secretEnv: {},
    })
    expect(await errorOf(client.getTask({ customer: globex, taskId: task!.id }))).toMatchObject({
      code: 'NOT_FOUND',
    })
    expect(await errorOf(client.getScript({ customer: globex, scriptId: script.id }))).toMatchObject({
      code: 'NOT_FOUND',
    })
    expect(await errorOf(client.getTask({ customer: acme, taskId: 'nope' }))).toMatchObject({
      code: 'NOT_FOUND',
    })
    expect(
      await errorOf(client.getTaskToRun({ customer: globex, taskId: task!.id, secret: '' })),
    ).toMatchObject({
      code: 'NOT_FOUND',
    })
    expect((await client.listTasks({ customer: globex, tag: '', hostId: '' })).tasks).toEqual([])
    expect((await client.listScripts({ customer: globex })).scripts).toEqual([])
  })

  it('refuses invalid input with VALIDATION_FAILED naming the field', async () => {
    const script = await createScript()
    const globexScript = await createScript(globex)
    const cases: [Partial<TaskDefinition>, string][] = [
      [{ name: '', scriptId: script.id }, 'name'],
      [{ timeout: 90_000, scriptId: script.id }, 'timeout'],
      [
        {
          scriptId: script.id,
          taskArguments: [{ order: 0, type: 'fixed', label: 'x', value: '', required: false, options: [] }],
        },
        'task_arguments',
      ],
      [{ scriptId: newId() }, 'script_id'],
      [{ scriptId: globexScript.id }, 'script_id'],
      [{ scriptId: script.id, hostId: globexBot }, 'host_id'],
      [{ scriptId: script.id, hostId: newId() }, 'host_id'],
    ]
    for (const [changes, field] of cases) {
      const error = await errorOf(
        client.createTask({ customer: acme, definition: definition(changes), author: '', secretEnv: {} }),
      )
      expect(error, field).toMatchObject({ code: 'VALIDATION_FAILED', details: { field } })
    }
    const badScript = await errorOf(
      client.createScript({
        customer: acme,
        filename: 'a/b.sh',
        description: '',
        content: Buffer.from('x'),
        author: '',
      }),
    )
    expect(badScript).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'filename' } })
  })

  it('publishes events.task.created on JetStream as a decodable Envelope', async () => {
    const script = await createScript()
    const { task } = await client.createTask({
      customer: acme,
      definition: definition({ name: 'published', scriptId: script.id }),
      author: 'admin-token',
      secretEnv: {},
    })
    const envelope = await waitUntil(() => createdEnvelopes.find((e) => e.streamId === task!.id), {
      message: 'events.task.created for the new task',
    })
    expect(envelope).toMatchObject({
      type: 'created',
      streamType: 'task',
      customer: acme,
      author: 'admin-token',
    })
    const { event } = TaskEvent.decode(envelope.data)
    expect(event?.$case).toBe('created')
    if (event?.$case === 'created') {
      expect(event.value.taskId).toBe(task!.id)
      expect(event.value.definition?.name).toBe('published')
      // The secret key travels sealed only (decision 18).
      expect(event.value.secret).toBe('')
      expect(event.value.sealedSecret.length).toBeGreaterThan(64)
    }
  })

  it('updates, rotates the secret of and deletes a task through the command side', async () => {
    const script = await createScript()
    const ctx = { customer: acme, author: 'admin-token' }
    const { task } = await client.createTask({
      customer: acme,
      definition: definition({ scriptId: script.id }),
      author: '',
      secretEnv: {},
    })
    const taskId = task!.id
    const before = await catalog.readModel.getTaskCredentials(acme, taskId)

    await catalog.commands.updateTask(ctx, taskId, { name: 'renamed', tags: ['moved'] })
    const { task: updated } = await client.getTask({ customer: acme, taskId })
    expect(updated).toMatchObject({
      version: 2,
      definition: { name: 'renamed', tags: ['moved'], scriptId: script.id },
    })
    // A run right after an update reads it, with the script the task names.
    const toRun = await client.getTaskToRun({ customer: acme, taskId, secret: '' })
    expect(toRun.task).toEqual(updated)
    expect(toRun.script?.id).toBe(script.id)
    expect(
      (await client.listTasks({ customer: acme, tag: 'moved', hostId: '' })).tasks.map((t) => t.id),
    ).toEqual([taskId])
    expect(await errorOf(catalog.commands.updateTask(ctx, taskId, { hostId: globexBot }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'host_id' },
    })
    expect(
      await errorOf(catalog.commands.updateTask({ customer: globex }, taskId, { name: 'x' })),
    ).toMatchObject({
      code: 'NOT_FOUND',
    })

    const { secret } = await catalog.commands.rotateTaskSecret(ctx, taskId)
    expect(secret).not.toBe(before?.secret)
    expect(await catalog.readModel.getTaskCredentials(acme, taskId)).toEqual({ id: taskId, secret })

    // A run by secret key reads the task once, with the key checked in the same read.
    const bySecret = await client.getTaskToRun({ customer: '', taskId, secret })
    expect(bySecret.task).toEqual((await client.getTask({ customer: acme, taskId })).task)
    expect(bySecret.script?.id).toBe(script.id)
    expect(bySecret).not.toHaveProperty('secret')
    expect((await client.getTaskToRun({ customer: acme, taskId, secret })).task?.id).toBe(taskId)
    for (const refused of [
      { customer: acme, taskId, secret: before?.secret ?? 'x' },
      { customer: globex, taskId, secret },
      { customer: '', taskId: 'not-an-id', secret },
      { customer: '', taskId: crypto.randomUUID(), secret },
    ]) {
      expect(await errorOf(client.getTaskToRun(refused))).toMatchObject({
        code: 'UNAUTHORIZED',
        message: 'the secret key is not valid for this task',
      })
    }

    await catalog.commands.deleteTask(ctx, taskId)
    expect(await errorOf(client.getTask({ customer: acme, taskId }))).toMatchObject({ code: 'NOT_FOUND' })
    expect(await errorOf(client.getTaskToRun({ customer: '', taskId, secret }))).toMatchObject({
      code: 'UNAUTHORIZED',
    })
  })

  /** A bot's request for a part of a content, as the bot agent sends it on its own subject. */
  const askContent = async (botId: string, request: Partial<ScriptContentRequest>) =>
    ScriptContentReply.decode(
      (
        await bus.nc.request(
          `scripts.${botId}`,
          ScriptContentRequest.encode({ customer: acme, sha256: '', offset: 0, ...request }).finish(),
          { timeout: 10_000 },
        )
      ).data,
    ).result

  it("answers a bot the contents its organization's scripts had, in parts, and nothing else", async () => {
    const big = Buffer.from(`#!/bin/sh\n# ${'y'.repeat(200 * 1024)}\necho big\n`)
    const { script } = await client.createScript({
      customer: acme,
      filename: 'big.sh',
      description: '',
      content: big,
      author: '',
    })
    const sha256 = contentSha256(big)
    expect(script).toMatchObject({ contentSha256: sha256, contentSize: big.length })

    const parts: Buffer[] = []
    for (let offset = 0; offset < big.length; ) {
      const answer = await askContent(acmeBot, { sha256, offset })
      if (answer?.$case !== 'part') throw new Error(`no part at ${offset}: ${JSON.stringify(answer)}`)
      expect(answer.value.size).toBe(big.length)
      expect(answer.value.data.length).toBeLessThanOrEqual(SCRIPT_PART_BYTES)
      parts.push(answer.value.data)
      offset += answer.value.data.length
    }
    expect(parts).toHaveLength(2)
    expect(Buffer.concat(parts)).toEqual(big)

    // The content a job queued before an update names is still there after it, and after a delete.
    await client.updateScript({
      customer: acme,
      scriptId: script!.id,
      content: Buffer.from('echo new\n'),
      author: '',
      expectedVersion: 0,
    })
    await client.deleteScript({ customer: acme, scriptId: script!.id, author: '' })
    expect(await askContent(acmeBot, { sha256, offset: SCRIPT_PART_BYTES })).toMatchObject({
      $case: 'part',
      value: { size: big.length },
    })

    // Another organization's bot gets nothing of it, whatever it says it belongs to.
    expect(await askContent(globexBot, { customer: globex, sha256 })).toMatchObject({
      $case: 'error',
      value: { code: 'NOT_FOUND' },
    })
    expect(await askContent(globexBot, { customer: acme, sha256 })).toMatchObject({
      $case: 'error',
      value: { code: 'FORBIDDEN' },
    })
    expect(await askContent(newId(), { sha256 })).toMatchObject({
      $case: 'error',
      value: { code: 'FORBIDDEN' },
    })
    for (const bad of [
      { sha256: 'not-a-hash' },
      { sha256: sha256.toUpperCase() },
      { sha256, offset: big.length + 1 },
      { sha256, customer: '' },
      { sha256, customer: 'x'.repeat(101) },
    ]) {
      expect(await askContent(acmeBot, bad), JSON.stringify(bad)).toMatchObject({
        $case: 'error',
        value: { code: 'INVALID_ARGUMENT' },
      })
    }
    const garbage = await bus.nc.request(`scripts.${acmeBot}`, Buffer.from([0xff, 0xff, 0xff]), {
      timeout: 10_000,
    })
    expect(ScriptContentReply.decode(garbage.data).result).toMatchObject({
      $case: 'error',
      value: { code: 'INVALID_ARGUMENT' },
    })
  })

  it('passes UNAVAILABLE through when bot-dispatch cannot be reached', async () => {
    const script = await createScript()
    await under.stopDispatch()
    const error = await errorOf(
      client.createTask({
        customer: acme,
        definition: definition({ scriptId: script.id }),
        author: '',
        secretEnv: {},
      }),
    )
    expect(error).toMatchObject({ code: 'UNAVAILABLE' })
    // A bot asking for a content now is told to try again, not refused.
    expect(await askContent(acmeBot, { sha256: script.contentSha256 })).toMatchObject({
      $case: 'error',
      value: { code: 'UNAVAILABLE' },
    })
  })
})
