import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { expectStatus, idOf, jobEnded } from './support/fixtures.js'
import { type GatewayCall, gatewayClient } from './support/gateway-client.js'

const ALLOWED_ORIGIN = 'http://allowed.example'

// The Tasks API of contract §1–§4 against the processes `npm start` runs: organizations and tokens,
// scripts and tasks with versions, recipes, secrets, every way of running, CORS and OpenAPI.
describe('Tasks API', () => {
  let platform: Platform
  let dataDir: string
  let call: GatewayCall
  let customer: string
  let admin: string
  let botId: string
  let scriptId: string

  const createTask = async (body: Record<string, unknown> = {}) =>
    idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/task`, {
        token: admin,
        json: { name: 'echo', host_id: botId, script_id: scriptId, ...body },
      }),
    )

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-tasks-api-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      withBot: true,
      env: { CORS_ORIGINS: `${ALLOWED_ORIGIN},http://other-allowed.example` },
    })
    call = gatewayClient(platform.credentials.gateway_url)
    customer = platform.credentials.customer
    admin = platform.credentials.admin_token
    botId = platform.credentials.bot.id
    scriptId = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/script`, {
        token: admin,
        json: { filename: 'echo.sh', content: '#!/bin/sh\necho "args: $*"\n' },
      }),
    )
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  describe('organizations and tokens', () => {
    it('creates organizations with the root token only, refusing reserved and duplicate names', async () => {
      const root = platform.rootToken
      const created = await expectStatus(call, 201, 'POST', '/admin/customers', {
        token: root,
        json: { name: 'initech' },
      })
      expect(created.body).toMatchObject({ name: 'initech', id: expect.any(String) })
      expect(idOf(created, 'admin_token')).toMatch(/^[0-9a-f]{64}$/)
      await expectStatus(call, 409, 'POST', '/admin/customers', { token: root, json: { name: 'initech' } })
      for (const name of ['job', 'admin', 'docs']) {
        const reserved = await expectStatus(call, 422, 'POST', '/admin/customers', {
          token: root,
          json: { name },
        })
        expect(reserved.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'name' } })
      }
      await expectStatus(call, 403, 'POST', '/admin/customers', { token: admin, json: { name: 'nope' } })
      await expectStatus(call, 401, 'POST', '/admin/customers', { json: { name: 'nope' } })
      const bad = await expectStatus(call, 400, 'POST', '/admin/customers', {
        token: root,
        json: { name: {} },
      })
      expect(bad.body).toMatchObject({ statusCode: 400, details: { field: 'name' } })
    })

    it('shows a token once, lists tokens without secrets and revokes at once', async () => {
      const issued = await expectStatus(call, 201, 'POST', `/${customer}/token`, {
        token: admin,
        json: { name: 'ci', role: 'user' },
      })
      expect(issued.body).toMatchObject({
        name: 'ci',
        role: 'user',
        token: expect.stringMatching(/^[0-9a-f]{64}$/),
      })
      const token = idOf(issued, 'token')
      const list = await expectStatus(call, 200, 'GET', `/${customer}/token`, { token: admin })
      expect(Array.isArray(list.json)).toBe(true)
      expect(list.text).not.toContain(token)
      expect(list.json).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: idOf(issued), name: 'ci' })]),
      )

      // The same token in each place a request may carry it.
      await expectStatus(call, 200, 'GET', `/${customer}/task`, { token })
      await expectStatus(call, 200, 'GET', `/${customer}/task?access_token=${token}`)
      await expectStatus(call, 201, 'POST', `/${customer}/job`, {
        json: { access_token: token, task: await createTask() },
      })
      await expectStatus(call, 201, 'POST', `/${customer}/job`, {
        raw: {
          body: `access_token=${token}&task=${await createTask()}`,
          contentType: 'application/x-www-form-urlencoded',
        },
      })

      await expectStatus(call, 204, 'DELETE', `/${customer}/token/${idOf(issued)}`, { token: admin })
      const revoked = await expectStatus(call, 401, 'GET', `/${customer}/task`, { token })
      expect(revoked.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' })
      await expectStatus(call, 401, 'GET', `/${customer}/task`, { token: 'f'.repeat(64) })
    })
  })

  describe('scripts', () => {
    it('creates, reads, replaces, patches and deletes a script, with versions and If-Match', async () => {
      const created = await expectStatus(call, 201, 'POST', `/${customer}/script`, {
        token: admin,
        json: { filename: 'bin.sh', data: Buffer.from('echo binary\n').toString('base64') },
      })
      const id = idOf(created)
      expect(created.body).toMatchObject({ filename: 'bin.sh', content: 'echo binary\n', version: 1 })
      expect(created.headers.get('etag')).toBe('"1"')
      const list = await expectStatus(call, 200, 'GET', `/${customer}/script`, { token: admin })
      expect(list.json).toEqual(expect.arrayContaining([expect.objectContaining({ id, filename: 'bin.sh' })]))

      const replaced = await expectStatus(call, 200, 'PUT', `/${customer}/script/${id}`, {
        token: admin,
        headers: { 'if-match': '"1"' },
        json: { filename: 'run.sh', content: 'echo v2\n' },
      })
      expect(replaced.body).toMatchObject({ filename: 'run.sh', content: 'echo v2\n', version: 2 })
      const stale = await expectStatus(call, 412, 'PATCH', `/${customer}/script/${id}`, {
        token: admin,
        headers: { 'if-match': '"1"' },
        json: { description: 'late' },
      })
      expect(stale.body).toMatchObject({ code: 'PRECONDITION_FAILED' })
      const patched = await expectStatus(call, 200, 'PATCH', `/${customer}/script/${id}`, {
        token: admin,
        headers: { 'if-match': 'W/"2"' },
        json: { description: 'prints v2' },
      })
      expect(patched.body).toMatchObject({ filename: 'run.sh', description: 'prints v2', version: 3 })
      const fetched = await expectStatus(call, 200, 'GET', `/${customer}/script/${id}`, { token: admin })
      expect(fetched.headers.get('etag')).toBe('"3"')

      const used = await createTask({ script_id: id })
      expect(
        (await expectStatus(call, 409, 'DELETE', `/${customer}/script/${id}`, { token: admin })).body,
      ).toMatchObject({
        code: 'CONFLICT',
      })
      await expectStatus(call, 204, 'DELETE', `/${customer}/task/${used}`, { token: admin })
      await expectStatus(call, 204, 'DELETE', `/${customer}/script/${id}`, { token: admin })
      await expectStatus(call, 404, 'GET', `/${customer}/script/${id}`, { token: admin })
    })

    it('names the field of bad script input', async () => {
      const noContent = await expectStatus(call, 422, 'POST', `/${customer}/script`, {
        token: admin,
        json: { filename: 'x.sh' },
      })
      expect(noContent.body).toMatchObject({ details: { field: 'content' } })
      const slash = await expectStatus(call, 422, 'POST', `/${customer}/script`, {
        token: admin,
        json: { filename: 'a/b.sh', content: '' },
      })
      expect(slash.body).toMatchObject({ details: { field: 'filename' } })
    })
  })

  describe('tasks', () => {
    it('creates a task with the documented defaults and reads it back', async () => {
      const created = await expectStatus(call, 201, 'POST', `/${customer}/task`, {
        token: admin,
        json: {
          name: 'deploy',
          host_id: botId,
          script_id: scriptId,
          tags: ['deploy'],
          run_as: 'sh %script%',
          task_arguments: [
            { order: 0, type: 'input', label: 'version', required: true },
            { order: 1, type: 'fixed', label: 'mode', value: 'fast' },
          ],
        },
      })
      expect(created.body).toMatchObject({
        name: 'deploy',
        host_id: botId,
        script_id: scriptId,
        timeout: 600,
        version: 1,
        acls: [],
        run_as: 'sh %script%',
      })
      expect(created.body).not.toHaveProperty('secret')
      const id = idOf(created)
      const fetched = await expectStatus(call, 200, 'GET', `/${customer}/task/${id}`, { token: admin })
      expect(fetched.body).toEqual(created.body)
      expect(fetched.headers.get('etag')).toBe('"1"')
    })

    it('replaces and patches with versions; a stale If-Match answers 412', async () => {
      const id = await createTask({ tags: ['a'], timeout: 30 })
      const patched = await expectStatus(call, 200, 'PATCH', `/${customer}/task/${id}`, {
        token: admin,
        headers: { 'if-match': '"1"' },
        json: { tags: ['b'], description: 'patched' },
      })
      expect(patched.body).toMatchObject({ tags: ['b'], description: 'patched', timeout: 30, version: 2 })
      const stale = await expectStatus(call, 412, 'PUT', `/${customer}/task/${id}`, {
        token: admin,
        headers: { 'if-match': '"1"' },
        json: { name: 'stale', host_id: botId, script_id: scriptId },
      })
      expect(stale.body).toMatchObject({ statusCode: 412, code: 'PRECONDITION_FAILED' })
      const replaced = await expectStatus(call, 200, 'PUT', `/${customer}/task/${id}`, {
        token: admin,
        headers: { 'if-match': '"2"' },
        json: { name: 'replaced', host_id: botId, script_id: scriptId },
      })
      expect(replaced.body).toMatchObject({
        name: 'replaced',
        tags: [],
        description: '',
        timeout: 600,
        version: 3,
      })
      await expectStatus(call, 412, 'PATCH', `/${customer}/task/${id}`, {
        token: admin,
        headers: { 'if-match': '"abc"' },
        json: { name: 'x' },
      })
      await expectStatus(call, 400, 'PATCH', `/${customer}/task/${id}`, { token: admin, json: {} })
      await expectStatus(call, 204, 'DELETE', `/${customer}/task/${id}`, { token: admin })
      await expectStatus(call, 404, 'GET', `/${customer}/task/${id}`, { token: admin })
      await expectStatus(call, 404, 'DELETE', `/${customer}/task/${id}`, { token: admin })
    })

    it('lists a JSON array filtered by tag and by bot', async () => {
      const tagged = await createTask({ tags: ['filter-me'] })
      await createTask({ tags: ['other'] })
      const byTag = await expectStatus(call, 200, 'GET', `/${customer}/task?tag=filter-me`, { token: admin })
      expect((byTag.json as { id: string }[]).map((t) => t.id)).toEqual([tagged])
      const byHost = await expectStatus(call, 200, 'GET', `/${customer}/task?host_id=${botId}`, {
        token: admin,
      })
      expect((byHost.json as { id: string }[]).map((t) => t.id)).toContain(tagged)
      const byHostAlias = await expectStatus(call, 200, 'GET', `/${customer}/task?host=${botId}`, {
        token: admin,
      })
      expect(byHostAlias.json).toEqual(byHost.json)
      const noHost = await expectStatus(call, 200, 'GET', `/${customer}/task?host_id=nobody`, {
        token: admin,
      })
      expect(noHost.json).toEqual([])
    })

    it('validates a task and names the offending field', async () => {
      const globex = await expectStatus(call, 201, 'POST', '/admin/customers', {
        token: platform.rootToken,
        json: { name: 'validation-other' },
      })
      const foreignScript = idOf(
        await expectStatus(call, 201, 'POST', '/validation-other/script', {
          token: idOf(globex, 'admin_token'),
          json: { filename: 'x.sh', content: 'echo x' },
        }),
      )
      const cases: [Record<string, unknown>, number, string][] = [
        [{ name: { first: 'x' } }, 400, 'name'],
        [{ name: '' }, 400, 'name'],
        [{ timeout: 0 }, 400, 'timeout'],
        [{ timeout: 'soon' }, 400, 'timeout'],
        [{ script_id: foreignScript }, 422, 'script_id'],
        [{ host_id: '00000000-0000-7000-8000-000000000000' }, 422, 'host_id'],
        [{ task_arguments: [{ order: 0, type: 'nope' }] }, 422, 'task_arguments'],
        [{ env: 'not json' }, 422, 'env'],
      ]
      for (const [changes, status, field] of cases) {
        const answer = await expectStatus(call, status, 'POST', `/${customer}/task`, {
          token: admin,
          json: { name: 'bad', host_id: botId, script_id: scriptId, ...changes },
        })
        expect(JSON.stringify(answer.body), JSON.stringify(changes)).toContain(field)
        expect(answer.body).toMatchObject({
          statusCode: status,
          code: expect.any(String),
          message: expect.any(String),
        })
      }
      const missing = await expectStatus(call, 400, 'POST', `/${customer}/task`, {
        token: admin,
        json: { name: 'x' },
      })
      expect(missing.body).toMatchObject({ details: { field: 'host_id' } })
    })
  })

  describe('recipes and credentials', () => {
    it('exports a recipe without ids, secret, acls or env values, and imports it', async () => {
      const id = await createTask({
        name: 'portable',
        acls: ['ops'],
        env: { TOKEN: 'very-secret-value' },
        task_arguments: [{ order: 0, type: 'input', label: 'who' }],
      })
      const recipe = await expectStatus(call, 200, 'GET', `/${customer}/task/${id}/recipe`, { token: admin })
      expect(recipe.body).toMatchObject({
        task: { name: 'portable', env: { TOKEN: '' }, timeout: 600 },
        script: { filename: 'echo.sh', content: '#!/bin/sh\necho "args: $*"\n' },
      })
      // No "secret" field: the names of secret variables (secret_env) are the only secret-ish thing it says.
      for (const leaked of [id, botId, scriptId, 'very-secret-value', 'ops', '"secret"']) {
        expect(recipe.text).not.toContain(leaked)
      }

      const wrongMethod = await expectStatus(call, 405, 'GET', `/${customer}/task/import`, { token: admin })
      expect(wrongMethod.body).toMatchObject({ statusCode: 405, code: 'METHOD_NOT_ALLOWED' })
      expect(String(wrongMethod.body.message)).toContain('POST')
      expect(wrongMethod.headers.get('allow')).toBe('POST')

      const imported = await expectStatus(call, 201, 'POST', `/${customer}/task/import`, {
        token: admin,
        json: { ...recipe.body, host_id: botId },
      })
      expect(imported.body).toMatchObject({ name: 'portable', host_id: botId, acls: [], env: { TOKEN: '' } })
      expect(imported.body.id).not.toBe(id)
      expect(imported.body.script_id).not.toBe(scriptId)
      const run = await expectStatus(call, 201, 'POST', `/${customer}/task/${idOf(imported)}/job`, {
        token: admin,
        json: ['imported'],
      })
      expect((await jobEnded(call, customer, admin, idOf(run))).output).toEqual(['args: imported'])

      const noHost = await expectStatus(call, 422, 'POST', `/${customer}/task/import`, {
        token: admin,
        json: recipe.body,
      })
      expect(noHost.body).toMatchObject({ details: { field: 'host_id' } })
    })

    it('answers credentials and rotates them; the old key stops working at once', async () => {
      const id = await createTask()
      const credentials = await expectStatus(call, 200, 'GET', `/${customer}/task/${id}/credentials`, {
        token: admin,
      })
      expect(credentials.body).toEqual({ id, secret: expect.stringMatching(/^[0-9a-f]{64}$/) })
      const old = String(credentials.body.secret)
      await expectStatus(call, 201, 'POST', `/${customer}/task/${id}/secret/${old}/job`)
      const rotated = await expectStatus(call, 200, 'POST', `/${customer}/task/${id}/credentials/rotate`, {
        token: admin,
      })
      expect(rotated.body).toEqual({ id, secret: expect.stringMatching(/^[0-9a-f]{64}$/) })
      expect(rotated.body.secret).not.toBe(old)
      await expectStatus(call, 401, 'POST', `/${customer}/task/${id}/secret/${old}/job`)
      await expectStatus(call, 201, 'POST', `/${customer}/task/${id}/secret/${rotated.body.secret}/job`)
    })
  })

  describe('runs', () => {
    let taskId: string
    let secret: string

    beforeAll(async () => {
      taskId = await createTask({
        name: 'greet',
        task_arguments: [
          { order: 0, type: 'input', label: 'first' },
          { order: 1, type: 'input', label: 'second' },
        ],
      })
      secret = String(
        (await expectStatus(call, 200, 'GET', `/${customer}/task/${taskId}/credentials`, { token: admin }))
          .body.secret,
      )
    })

    const expectJob = async (
      answer: { status: number; body: Record<string, unknown>; text: string },
      args: string[],
    ) => {
      expect(answer.status, answer.text).toBe(201)
      expect(answer.body).toMatchObject({ task_id: taskId, customer, task_arguments_values: args })
      const ended = await jobEnded(call, customer, admin, idOf(answer))
      expect(ended).toMatchObject({
        lifecycle: 'finished',
        state: 'success',
        output: [`args: ${args.join(' ')}`],
      })
    }

    it('runs with a token, with arguments as task_arguments or as a bare JSON array', async () => {
      await expectJob(
        await call('POST', `/${customer}/task/${taskId}/job`, {
          token: admin,
          json: { task_arguments: ['a', 'b'] },
        }),
        ['a', 'b'],
      )
      await expectJob(
        await call('POST', `/${customer}/task/${taskId}/job`, { token: admin, json: ['c', 'd'] }),
        ['c', 'd'],
      )
      await expectJob(
        await call('POST', `/job?customer=${customer}&task=${taskId}`, { token: admin, json: ['e', 'f'] }),
        ['e', 'f'],
      )
      await expectJob(
        await call('POST', `/${customer}/job`, {
          token: admin,
          json: { task: taskId, task_arguments: ['g', 'h'] },
        }),
        ['g', 'h'],
      )
      await expectJob(await call('POST', `/job?task=${taskId}&access_token=${admin}`, { json: ['i', 'j'] }), [
        'i',
        'j',
      ])
      const missingTask = await expectStatus(call, 422, 'POST', '/job', { token: admin, json: [] })
      expect(missingTask.body).toMatchObject({ details: { field: 'task' } })
      const tooMany = await call('POST', `/${customer}/task/${taskId}/job`, {
        token: admin,
        json: ['1', '2', '3'],
      })
      expect(tooMany.status).toBe(422)
    })

    it('runs with the secret key in the path, or as JSON or a form to /job/secret', async () => {
      await expectJob(
        await call('POST', `/${customer}/task/${taskId}/secret/${secret}/job`, { json: ['k', 'l'] }),
        ['k', 'l'],
      )
      await expectJob(
        await call('POST', `/job/secret/${secret}`, {
          json: { customer, task: taskId, task_arguments: ['m', 'n'] },
        }),
        ['m', 'n'],
      )
      const form = `customer=${customer}&task=${taskId}&task_arguments%5B%5D=o&task_arguments%5B%5D=p`
      await expectJob(
        await call('POST', `/job/secret/${secret}`, {
          raw: { body: form, contentType: 'application/x-www-form-urlencoded' },
          headers: { accept: 'application/json' },
        }),
        ['o', 'p'],
      )
      // A browser submitting the documentation's approval form gets a page, not JSON.
      const page = await call('POST', `/job/secret/${secret}`, {
        raw: { body: form, contentType: 'application/x-www-form-urlencoded' },
        headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
      })
      expect(page.status).toBe(201)
      expect(page.headers.get('content-type')).toMatch(/^text\/html/)
      expect(page.text).toMatch(/queued/i)
      expect(page.text).toContain('greet')
    })

    it('runs a secret key only on its own task in its own organization', async () => {
      const other = await createTask()
      const otherOrg = await expectStatus(call, 201, 'POST', '/admin/customers', {
        token: platform.rootToken,
        json: { name: 'secret-other' },
      })
      expect(otherOrg.status).toBe(201)
      const attempts: [string, unknown][] = [
        [`/${customer}/task/${other}/secret/${secret}/job`, []],
        [`/secret-other/task/${taskId}/secret/${secret}/job`, []],
        [`/job/secret/${secret}`, { customer: 'secret-other', task: taskId }],
        [`/job/secret/${secret}`, { customer, task: other }],
        [`/job/secret/${'0'.repeat(64)}`, { customer, task: taskId }],
        [`/${customer}/task/${taskId}/secret/${'0'.repeat(64)}/job`, []],
      ]
      for (const [path, json] of attempts) {
        const answer = await expectStatus(call, 401, 'POST', path, { json })
        expect(answer.body).toMatchObject({ code: 'UNAUTHORIZED' })
      }
    })

    it('waits for the result with ?wait_result=true, bounded, pointing to the job when it runs on', async () => {
      const waited = await expectStatus(
        call,
        200,
        'POST',
        `/${customer}/task/${taskId}/job?wait_result=true`,
        {
          token: admin,
          json: ['w', 'r'],
        },
      )
      expect(waited.body).toMatchObject({ lifecycle: 'finished', state: 'success', output: ['args: w r'] })
      const bySecret = await expectStatus(call, 200, 'POST', `/job/secret/${secret}?wait_result=true`, {
        json: { customer, task: taskId, task_arguments: ['s', 't'] },
      })
      expect(bySecret.body).toMatchObject({ lifecycle: 'finished', output: ['args: s t'] })

      const slowScript = idOf(
        await expectStatus(call, 201, 'POST', `/${customer}/script`, {
          token: admin,
          json: { filename: 'slow.sh', content: '#!/bin/sh\nsleep 4\necho slept\n' },
        }),
      )
      const slow = await createTask({ name: 'slow', script_id: slowScript })
      const running = await expectStatus(
        call,
        202,
        'POST',
        `/${customer}/task/${slow}/job?wait_result=true&wait_timeout=1`,
        {
          token: admin,
        },
      )
      expect(running.headers.get('location')).toBe(`/${customer}/job/${idOf(running)}`)
      expect(String(running.body.message)).toContain(`/${customer}/job/${idOf(running)}`)
      expect((await jobEnded(call, customer, admin, idOf(running))).output).toEqual(['slept'])
    })

    it("empties a task's queue, canceling the jobs not started and saying how many", async () => {
      const slowScript = idOf(
        await expectStatus(call, 201, 'POST', `/${customer}/script`, {
          token: admin,
          json: { filename: 'queue.sh', content: '#!/bin/sh\nsleep 3\n' },
        }),
      )
      const queued = await createTask({ name: 'one at a time', script_id: slowScript, multitasking: false })
      const jobs = []
      for (let i = 0; i < 3; i++) {
        jobs.push(
          idOf(await expectStatus(call, 201, 'POST', `/${customer}/task/${queued}/job`, { token: admin })),
        )
      }
      const emptied = await expectStatus(call, 200, 'DELETE', `/${customer}/task/${queued}/job`, {
        token: admin,
      })
      expect(emptied.body).toMatchObject({ task_id: queued, canceled: expect.any(Number) })
      const canceledIds = emptied.body.job_ids as string[]
      expect(canceledIds.length).toBe(emptied.body.canceled)
      expect(canceledIds.length).toBeGreaterThanOrEqual(2)
      expect(canceledIds).toEqual(expect.arrayContaining(jobs.slice(1)))
      for (const id of canceledIds) {
        expect((await jobEnded(call, customer, admin, id)).lifecycle).toBe('canceled')
      }
      const again = await expectStatus(call, 200, 'DELETE', `/${customer}/task/${queued}/job`, {
        token: admin,
      })
      expect(again.body).toMatchObject({ canceled: 0, job_ids: [] })
      await expectStatus(call, 404, 'DELETE', `/${customer}/task/00000000-0000-7000-8000-000000000000/job`, {
        token: admin,
      })
    })
  })

  describe('browsers and documentation', () => {
    it('answers CORS for allowed origins only, with credentials only for them', async () => {
      const preflight = (origin: string) =>
        call('OPTIONS', `/${customer}/task`, {
          headers: {
            origin,
            'access-control-request-method': 'GET',
            'access-control-request-headers': 'authorization',
          },
        })
      const allowed = await preflight(ALLOWED_ORIGIN)
      expect(allowed.status).toBeLessThan(300)
      expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN)
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true')
      expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization')

      const denied = await preflight('http://evil.example')
      expect(denied.headers.get('access-control-allow-origin')).toBeNull()
      expect(denied.headers.get('access-control-allow-credentials')).toBeNull()

      const simple = await call('GET', `/${customer}/task?access_token=${admin}`, {
        headers: { origin: 'http://other-allowed.example' },
      })
      expect(simple.status).toBe(200)
      expect(simple.headers.get('access-control-allow-origin')).toBe('http://other-allowed.example')
      const other = await call('GET', `/${customer}/task?access_token=${admin}`, {
        headers: { origin: 'http://evil.example' },
      })
      expect(other.headers.get('access-control-allow-origin')).toBeNull()
    })

    it('serves the OpenAPI document of every route and an interactive page', async () => {
      const doc = await expectStatus(call, 200, 'GET', '/openapi.json')
      expect(doc.body.openapi).toMatch(/^3\./)
      const paths = doc.body.paths as Record<string, Record<string, unknown>>
      const expected: [string, string][] = [
        ['/admin/customers', 'post'],
        ['/{customer}/token', 'post'],
        ['/{customer}/token', 'get'],
        ['/{customer}/token/{id}', 'delete'],
        ['/{customer}/script', 'post'],
        ['/{customer}/script/{id}', 'put'],
        ['/{customer}/script/{id}', 'patch'],
        ['/{customer}/script/{id}', 'delete'],
        ['/{customer}/task', 'get'],
        ['/{customer}/task', 'post'],
        ['/{customer}/task/{id}', 'get'],
        ['/{customer}/task/{id}', 'put'],
        ['/{customer}/task/{id}', 'patch'],
        ['/{customer}/task/{id}', 'delete'],
        ['/{customer}/task/{id}/recipe', 'get'],
        ['/{customer}/task/import', 'post'],
        ['/{customer}/task/{id}/credentials', 'get'],
        ['/{customer}/task/{id}/credentials/rotate', 'post'],
        ['/{customer}/task/{id}/job', 'post'],
        ['/{customer}/task/{id}/job', 'delete'],
        ['/{customer}/task/{id}/secret/{secret}/job', 'post'],
        ['/job/secret/{secret}', 'post'],
        ['/job', 'post'],
        ['/{customer}/job', 'post'],
        ['/{customer}/job', 'get'],
        ['/{customer}/job/{id}', 'get'],
      ]
      for (const [path, method] of expected) {
        expect(paths[path]?.[method], `${method} ${path}`).toBeDefined()
      }
      expect(JSON.stringify(paths['/{customer}/task']?.post)).toContain('task_arguments')
      for (const run of ['/{customer}/task/{id}/job', '/{customer}/task/{id}/secret/{secret}/job']) {
        const { parameters = [] } = (paths[run]?.post ?? {}) as {
          parameters?: { in: string; name: string }[]
        }
        expect(parameters, run).toContainEqual(
          expect.objectContaining({ in: 'header', name: 'idempotency-key' }),
        )
      }
      const docs = await call('GET', '/docs', { headers: { accept: 'text/html' } })
      const page = docs.status === 302 ? await call('GET', docs.headers.get('location') ?? '/docs/') : docs
      expect(page.status).toBe(200)
      expect(page.text.toLowerCase()).toContain('swagger')
    })

    it('answers malformed input with JSON 4xx errors', async () => {
      const badJson = await call('POST', `/${customer}/task`, {
        token: admin,
        raw: { body: '{"name":', contentType: 'application/json' },
      })
      expect(badJson.status).toBe(400)
      expect(badJson.body).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST' })
      const unsupported = await call('POST', `/${customer}/task`, {
        token: admin,
        raw: { body: '<task/>', contentType: 'application/xml' },
      })
      expect(unsupported.status).toBe(415)
      expect(unsupported.body).toMatchObject({ statusCode: 415 })
      const nul = await call('POST', `/${customer}/task`, {
        token: admin,
        json: { name: 'a\u0000b', host_id: botId, script_id: scriptId },
      })
      expect(nul.status).toBe(400)
      expect(nul.body).toMatchObject({ details: { field: 'body.name' } })
      const poisoned = await call('POST', `/${customer}/task`, {
        token: admin,
        raw: { body: '{"__proto__":{"admin":true},"name":"x"}', contentType: 'application/json' },
      })
      expect(poisoned.status).toBe(400)
    })
  })
})
