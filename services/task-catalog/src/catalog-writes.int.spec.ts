import { newId } from '@taskforge/core'
import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CatalogUnderTest, startCatalogUnderTest } from './test-support/catalog-under-test.js'

const acme = 'acme'
const globex = 'globex'
const acmeBot = newId()
const globexBot = newId()

describe('task catalog writes, secrets and recipes over gRPC', () => {
  let under: CatalogUnderTest
  let client: CatalogUnderTest['client']

  beforeAll(async () => {
    under = await startCatalogUnderTest(
      new Map([
        [acmeBot, acme],
        [globexBot, globex],
      ]),
    )
    client = under.client
  })

  afterAll(async () => {
    await under?.stop()
  })

  const errorOf = async (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    )

  const createScript = async (customer = acme, filename = 'job.sh') =>
    (
      await client.createScript({
        customer,
        filename,
        description: 'does the job',
        content: Buffer.from('#!/bin/sh\necho "$@"\n'),
        author: 'admin',
      })
    ).script!

  const createTask = async (changes: Partial<TaskDefinition> = {}) => {
    const script = await createScript()
    const { task } = await client.createTask({
      customer: acme,
      definition: TaskDefinition.create({
        name: 'deploy',
        hostId: acmeBot,
        scriptId: script.id,
        runAs: 'bash %script%',
        ...changes,
      }),
      author: 'admin',
      secretEnv: {},
    })
    return { task: task!, script }
  }

  it('updates a script, bumping its version, and honours an expected version', async () => {
    const script = await createScript()
    expect(script.version).toBe(1)
    const { script: updated } = await client.updateScript({
      customer: acme,
      scriptId: script.id,
      content: Buffer.from('echo v2\n'),
      author: 'admin',
      expectedVersion: 1,
    })
    expect(updated).toMatchObject({ version: 2, filename: 'job.sh', description: 'does the job' })
    expect(Buffer.from(updated!.content).toString()).toBe('echo v2\n')

    const stale = await errorOf(
      client.updateScript({
        customer: acme,
        scriptId: script.id,
        description: 'late',
        author: 'admin',
        expectedVersion: 1,
      }),
    )
    expect(stale).toMatchObject({ code: 'PRECONDITION_FAILED', details: { expected: 1, actual: 2 } })
    const foreign = await errorOf(
      client.updateScript({ customer: globex, scriptId: script.id, author: '', expectedVersion: 2 }),
    )
    expect(foreign).toMatchObject({ code: 'NOT_FOUND' })
  })

  it('refuses to delete a script a task runs, and deletes it once unused', async () => {
    const { task, script } = await createTask()
    expect(
      await errorOf(client.deleteScript({ customer: acme, scriptId: script.id, author: '' })),
    ).toMatchObject({
      code: 'CONFLICT',
      details: { tasks: [task.id] },
    })
    await client.deleteTask({ customer: acme, taskId: task.id, author: 'admin' })
    await client.deleteScript({ customer: acme, scriptId: script.id, author: 'admin' })
    expect(await errorOf(client.getScript({ customer: acme, scriptId: script.id }))).toMatchObject({
      code: 'NOT_FOUND',
    })
    expect(
      await errorOf(client.deleteScript({ customer: acme, scriptId: script.id, author: '' })),
    ).toMatchObject({
      code: 'NOT_FOUND',
    })
  })

  it('patches named fields, replaces whole definitions and reports what changed', async () => {
    const { task } = await createTask({ tags: ['a'], acls: ['ops'], timeout: 30 })
    const patched = await client.updateTask({
      customer: acme,
      taskId: task.id,
      definition: TaskDefinition.create({ name: 'ignored', tags: ['b', 'c'] }),
      fields: ['tags'],
      author: 'admin',
      expectedVersion: task.version,
      secretEnv: {},
    })
    expect(patched.changedFields).toEqual(['tags'])
    expect(patched.task).toMatchObject({
      version: 2,
      definition: { name: 'deploy', tags: ['b', 'c'], acls: ['ops'], timeout: 30 },
    })

    const replaced = await client.updateTask({
      customer: acme,
      taskId: task.id,
      definition: TaskDefinition.create({
        name: 'deploy v2',
        hostId: acmeBot,
        scriptId: task.definition!.scriptId,
      }),
      fields: [],
      author: 'admin',
      expectedVersion: 0,
      secretEnv: {},
    })
    expect(replaced.changedFields).toEqual(['name', 'tags', 'run_as', 'acls', 'timeout'])
    expect(replaced.task?.definition).toMatchObject({ name: 'deploy v2', tags: [], acls: [], timeout: 600 })

    const unchanged = await client.updateTask({
      customer: acme,
      taskId: task.id,
      definition: TaskDefinition.create({ name: 'deploy v2' }),
      fields: ['name'],
      author: 'admin',
      expectedVersion: 0,
      secretEnv: {},
    })
    expect(unchanged).toMatchObject({ changedFields: [], task: { version: 3 } })

    expect(
      await errorOf(
        client.updateTask({
          customer: acme,
          taskId: task.id,
          definition: TaskDefinition.create({}),
          fields: ['secret'],
          author: '',
          expectedVersion: 0,
          secretEnv: {},
        }),
      ),
    ).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'fields' } })
    expect(
      await errorOf(
        client.updateTask({
          customer: acme,
          taskId: task.id,
          definition: TaskDefinition.create({ name: 'x' }),
          fields: ['name'],
          author: '',
          expectedVersion: 1,
          secretEnv: {},
        }),
      ),
    ).toMatchObject({ code: 'PRECONDITION_FAILED' })
  })

  it('lets exactly one of two writers holding the same version win', async () => {
    const { task } = await createTask()
    const update = (name: string) =>
      errorOf(
        client.updateTask({
          customer: acme,
          taskId: task.id,
          definition: TaskDefinition.create({ name }),
          fields: ['name'],
          author: '',
          expectedVersion: task.version,
          secretEnv: {},
        }),
      )
    const outcomes = await Promise.all([update('first'), update('second')])
    expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(1)
    const loser = outcomes.find((outcome) => outcome !== undefined) as { code: string }
    expect(['PRECONDITION_FAILED', 'WRONG_EXPECTED_VERSION']).toContain(loser.code)
  })

  it('does not take a task id for a script id, nor the other way round', async () => {
    const { task, script } = await createTask()
    expect(
      await errorOf(
        client.updateScript({
          customer: acme,
          scriptId: task.id,
          description: 'x',
          author: '',
          expectedVersion: 0,
        }),
      ),
    ).toMatchObject({ code: 'NOT_FOUND' })
    expect(await errorOf(client.deleteTask({ customer: acme, taskId: script.id, author: '' }))).toMatchObject(
      {
        code: 'NOT_FOUND',
      },
    )
  })

  it('refuses NUL characters, which the read tables cannot hold', async () => {
    const script = await createScript()
    const error = await errorOf(
      client.createTask({
        customer: acme,
        definition: TaskDefinition.create({ name: 'a\0b', hostId: acmeBot, scriptId: script.id }),
        author: '',
        secretEnv: {},
      }),
    )
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'name' } })
    expect(
      await errorOf(
        client.createScript({
          customer: acme,
          filename: 'x.sh',
          description: '\0',
          content: Buffer.from(''),
          author: '',
        }),
      ),
    ).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'description' } })
  })

  it('answers, rotates and checks task secrets', async () => {
    const { task } = await createTask()
    const credentials = await client.getTaskCredentials({ customer: acme, taskId: task.id })
    expect(credentials).toEqual({ id: task.id, secret: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(await errorOf(client.getTaskCredentials({ customer: globex, taskId: task.id }))).toMatchObject({
      code: 'NOT_FOUND',
    })

    const authorize = (customer: string, secret: string, taskId = task.id) =>
      client.authorizeSecretRun({ customer, taskId, secret })
    expect((await authorize(acme, credentials.secret)).task?.id).toBe(task.id)
    expect((await authorize('', credentials.secret)).task?.customer).toBe(acme)
    const refusals = await Promise.all(
      [
        () => authorize(globex, credentials.secret),
        () =>
          authorize(
            acme,
            credentials.secret.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
          ),
        () => authorize(acme, ''),
        () => authorize(acme, credentials.secret, newId()),
        () => authorize(acme, credentials.secret, 'not-an-id'),
      ].map((attempt) => errorOf(attempt())),
    )
    for (const refused of refusals) expect(refused).toMatchObject({ code: 'UNAUTHORIZED' })

    const rotated = await client.rotateTaskSecret({ customer: acme, taskId: task.id, author: 'admin' })
    expect(rotated.id).toBe(task.id)
    expect(rotated.secret).toMatch(/^[0-9a-f]{64}$/)
    expect(rotated.secret).not.toBe(credentials.secret)
    expect(await errorOf(authorize(acme, credentials.secret))).toMatchObject({ code: 'UNAUTHORIZED' })
    expect((await authorize(acme, rotated.secret)).task?.id).toBe(task.id)
  })

  it('exports a recipe without ids, secret, acls or env values and imports it elsewhere', async () => {
    const webhook = newId()
    const { task, script } = await createTask({
      tags: ['deploy'],
      acls: ['ops'],
      env: { API_KEY: 'hunter2' },
      triggers: [{ taskId: '', event: '', webhookId: webhook }],
      taskArguments: [{ order: 0, type: 'input', label: 'version', value: '', required: true, options: [] }],
    })
    const { recipe } = await client.exportRecipe({ customer: acme, taskId: task.id })
    expect(recipe?.task).toMatchObject({
      name: 'deploy',
      hostId: '',
      scriptId: '',
      acls: [],
      triggers: [],
      env: { API_KEY: '' },
      tags: ['deploy'],
      runAs: 'bash %script%',
    })
    expect(recipe?.scriptFilename).toBe(script.filename)
    expect(Buffer.from(recipe!.scriptContent).toString()).toBe('#!/bin/sh\necho "$@"\n')
    expect(JSON.stringify(recipe)).not.toContain('hunter2')
    expect(await errorOf(client.exportRecipe({ customer: globex, taskId: task.id }))).toMatchObject({
      code: 'NOT_FOUND',
    })

    const before = (await client.listScripts({ customer: globex })).scripts.length
    expect(
      await errorOf(
        client.importRecipe({ customer: globex, recipe, hostId: acmeBot, author: '', secretEnv: {} }),
      ),
    ).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'host_id' } })
    expect((await client.listScripts({ customer: globex })).scripts).toHaveLength(before)

    const imported = await client.importRecipe({
      customer: globex,
      recipe,
      hostId: globexBot,
      author: 'admin',
      secretEnv: {},
    })
    expect(imported.task).toMatchObject({
      customer: globex,
      definition: { name: 'deploy', hostId: globexBot, scriptId: imported.script?.id, tags: ['deploy'] },
    })
    expect(imported.script).toMatchObject({ customer: globex, filename: script.filename })
    expect(imported.task?.id).not.toBe(task.id)
  })
})
