import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TestReceiver } from '../../services/webhook-relay/src/test-support/receiver.js'
import { verifyStandardWebhook } from '../../services/webhook-relay/src/test-support/standard-webhooks.js'
import { expectStatus, idOf, issueToken, jobEnded, sleep } from './support/fixtures.js'
import { type InProcessPlatform, startInProcessPlatform } from './support/in-process-platform.js'
import { approvalForm } from './support/seed-examples.js'

type Json = Record<string, unknown>
interface RunNode {
  key: string
  state: string
  job_id: string | null
  job_ids: string[]
  reason?: string
}
interface Run extends Json {
  id: string
  lifecycle: string
  state: string
  version: number
  nodes: RunNode[]
}

// Workflow runs end to end: the real gateway, catalog, scheduler, Postgres, NATS and a bot running
// real scripts. Every node's job is a job of the platform, read with GET /:customer/job/:id.
describe('workflow runs', () => {
  let platform: InProcessPlatform
  /** Prints its first argument, sleeps its second (seconds), exits with its third. */
  let step: string
  /** Fails the first time it is run with a path (and leaves the file), succeeds after. */
  let flaky: string
  const files: string[] = []

  const as = () => ({ token: platform.adminToken })
  const path = (suffix: string) => `/${platform.customer}${suffix}`

  async function createTask(name: string, content: string, inputs: number): Promise<string> {
    const { call, customer, botId } = platform
    const script = await expectStatus(call, 201, 'POST', `/${customer}/script`, {
      ...as(),
      json: { filename: `${name}.sh`, content },
    })
    const task = await expectStatus(call, 201, 'POST', `/${customer}/task`, {
      ...as(),
      json: {
        name,
        host_id: botId,
        script_id: idOf(script),
        task_arguments: Array.from({ length: inputs }, (_, order) => ({
          order,
          type: 'input',
          label: `a${order}`,
        })),
      },
    })
    return idOf(task)
  }

  /** A node of `step`: prints `text`, sleeps, exits with `code`. */
  const stepNode = (key: string, text: unknown, seconds = 0, code = 0, more: Json = {}): Json => ({
    key,
    task: step,
    arguments: [text, String(seconds), String(code)],
    ...more,
  })

  /** A → {B, C} → D; B prints what A printed. */
  const diamond = (b: { seconds?: number; code?: number } = {}, c: { seconds?: number } = {}): Json => ({
    name: `diamond-${randomUUID().slice(0, 8)}`,
    nodes: [
      stepNode('a', 'from-a'),
      stepNode('b', { from: 'a', output: 0 }, b.seconds ?? 0, b.code ?? 0),
      stepNode('c', 'from-c', c.seconds ?? 0),
      stepNode('d', 'from-d'),
    ],
    edges: [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
      { from: 'b', to: 'd' },
      { from: 'c', to: 'd' },
    ],
    start: 'a',
  })

  async function createWorkflow(body: Json): Promise<string> {
    return idOf(await expectStatus(platform.call, 201, 'POST', path('/workflow'), { ...as(), json: body }))
  }

  async function run(workflowId: string, args: string[] = []): Promise<Run> {
    const answer = await expectStatus(platform.call, 201, 'POST', path(`/workflow/${workflowId}/job`), {
      ...as(),
      json: { task_arguments: args },
    })
    expect(answer.headers.get('location')).toBe(path(`/workflow/job/${idOf(answer)}`))
    return answer.body as Run
  }

  const read = async (runId: string) =>
    (await expectStatus(platform.call, 200, 'GET', path(`/workflow/job/${runId}`), as())).body as Run

  /** Reads the run until `done` holds, within a generous bound. */
  async function until(runId: string, done: (run: Run) => boolean, timeoutMs = 60_000): Promise<Run> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const current = await read(runId)
      if (done(current)) return current
      if (Date.now() > deadline) throw new Error(`run ${runId} never got there: ${JSON.stringify(current)}`)
      await sleep(200)
    }
  }
  const ended = (runId: string) =>
    until(runId, (current) => current.lifecycle === 'finished' || current.lifecycle === 'canceled')
  const node = (current: Run, key: string) => current.nodes.find((candidate) => candidate.key === key)!
  const job = async (jobId: string) =>
    (await expectStatus(platform.call, 200, 'GET', path(`/job/${jobId}`), as())).body

  beforeAll(async () => {
    platform = await startInProcessPlatform({
      // A receiver on loopback, polled often: the webhook test's deliveries come within seconds.
      webhookEnv: { WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8', WEBHOOK_POLL_INTERVAL: '200ms' },
    })
    step = await createTask('step', '#!/bin/sh\necho "$1"\nsleep "$2"\nexit "$3"\n', 3)
    flaky = await createTask(
      'flaky',
      '#!/bin/sh\nif [ -e "$1" ]; then echo again; else touch "$1"; echo first; exit 1; fi\n',
      1,
    )
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    for (const file of files) await rm(file, { force: true })
  })

  it('A → {B, C} → D runs D once, each node a real job; B takes what A printed', async () => {
    const started = await run(await createWorkflow(diamond({}, { seconds: 1 })))
    expect(started).toMatchObject({ lifecycle: 'assigned', state: 'in_progress', version: 1 })
    expect(started.nodes.map((n) => n.key)).toEqual(['a', 'b', 'c', 'd'])
    const done = await ended(started.id)
    expect(done).toMatchObject({ lifecycle: 'finished', state: 'success' })
    for (const key of ['a', 'b', 'c', 'd']) {
      expect(node(done, key)).toMatchObject({ state: 'succeeded' })
      expect(node(done, key).job_ids).toHaveLength(1)
      expect(node(done, key).job_id).toBe(node(done, key).job_ids[0])
    }
    const b = await job(node(done, 'b').job_id!)
    expect(b).toMatchObject({
      origin: 'workflow',
      state: 'success',
      task_arguments_values: ['from-a', '0', '0'],
    })
    expect(b.output).toEqual(['from-a'])
  }, 90_000)

  it('B fails while C ends last: the run fails, whatever succeeded after', async () => {
    const started = await run(await createWorkflow(diamond({ code: 3 }, { seconds: 2 })))
    const done = await ended(started.id)
    expect(done).toMatchObject({ lifecycle: 'finished', state: 'failure' })
    expect(node(done, 'b').state).toBe('failed')
    expect(node(done, 'c').state).toBe('succeeded')
    // C ended last; D joined an untaken and a taken edge, and ran.
    const c = await job(node(done, 'c').job_id!)
    const b = await job(node(done, 'b').job_id!)
    expect(Date.parse(String(c.last_update))).toBeGreaterThan(Date.parse(String(b.last_update)))
    expect(String(done.reason)).toContain('node b failed')
  }, 90_000)

  it('cancel stops B and C: both jobs end canceled, and so does the run', async () => {
    const started = await run(await createWorkflow(diamond({ seconds: 60 }, { seconds: 60 })))
    const running = await until(
      started.id,
      (current) => node(current, 'b').state === 'running' && node(current, 'c').state === 'running',
    )
    // Both scripts run on the bot: each printed its line and sleeps.
    for (const [key, line] of [
      ['b', 'from-a'],
      ['c', 'from-c'],
    ] as const) {
      const log = path(`/job/${node(running, key).job_id}/log`)
      for (
        let tries = 0;
        !(await expectStatus(platform.call, 200, 'GET', log, as())).text.includes(line);
        tries++
      ) {
        if (tries > 300) throw new Error(`node ${key} never started`)
        await sleep(100)
      }
    }
    const canceled = await expectStatus(
      platform.call,
      200,
      'PUT',
      path(`/workflow/job/${started.id}/cancel`),
      {
        ...as(),
        json: { reason: 'enough' },
      },
    )
    expect(canceled.body).toMatchObject({ id: started.id })
    for (const key of ['b', 'c']) {
      const ended = await jobEnded(
        platform.call,
        platform.customer,
        platform.adminToken,
        node(running, key).job_id!,
      )
      expect(ended).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })
    }
    const done = await ended(started.id)
    expect(done).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })
    expect(done.nodes.map((n) => n.state)).toEqual(['succeeded', 'canceled', 'canceled', 'canceled'])
    expect(node(done, 'd').job_ids).toEqual([])
    // An ended run is not canceled again.
    await expectStatus(platform.call, 409, 'PUT', path(`/workflow/job/${started.id}/cancel`), {
      ...as(),
      json: {},
    })
  }, 90_000)

  it('editing the workflow mid-run leaves the running version alone', async () => {
    const body = diamond({}, { seconds: 3 })
    const workflowId = await createWorkflow(body)
    const started = await run(workflowId)
    await until(started.id, (current) => node(current, 'c').state === 'running')
    const nodes = (body.nodes as Json[]).map((n) => (n.key === 'd' ? stepNode('d', 'edited') : n))
    const edited = await expectStatus(platform.call, 200, 'PATCH', path(`/workflow/${workflowId}`), {
      ...as(),
      json: {
        nodes: [...nodes, stepNode('e', 'new')],
        edges: [...(body.edges as Json[]), { from: 'd', to: 'e' }],
      },
    })
    expect(edited.body).toMatchObject({ version: 2 })
    const done = await ended(started.id)
    expect(done).toMatchObject({ state: 'success', version: 1 })
    expect(done.nodes.map((n) => n.key)).toEqual(['a', 'b', 'c', 'd'])
    expect((await job(node(done, 'd').job_id!)).task_arguments_values).toEqual(['from-d', '0', '0'])
    // The next run follows the new version.
    const next = await run(workflowId)
    expect(next.version).toBe(2)
    expect((await ended(next.id)).nodes.map((n) => n.key)).toEqual(['a', 'b', 'c', 'd', 'e'])
  }, 90_000)

  it('retry from the failure goes on from B: A does not run again', async () => {
    const marker = join(tmpdir(), `taskforge-flaky-${randomUUID()}`)
    files.push(marker)
    const body = diamond()
    const nodes = (body.nodes as Json[]).map((n) =>
      n.key === 'b' ? { key: 'b', task: flaky, arguments: [marker] } : n,
    )
    const started = await run(await createWorkflow({ ...body, nodes }))
    const failed = await ended(started.id)
    expect(failed).toMatchObject({ state: 'failure' })
    expect(node(failed, 'b').state).toBe('failed')
    const aJob = node(failed, 'a').job_id
    const retried = await expectStatus(
      platform.call,
      200,
      'POST',
      path(`/workflow/job/${started.id}/retry`),
      as(),
    )
    expect(retried.body).toMatchObject({ id: started.id, lifecycle: 'assigned', state: 'in_progress' })
    const done = await ended(started.id)
    expect(done).toMatchObject({ lifecycle: 'finished', state: 'success' })
    expect(node(done, 'a').job_ids).toEqual([aJob])
    expect(node(done, 'b').job_ids).toHaveLength(2)
    expect(node(done, 'c').job_ids).toHaveLength(1)
    expect(node(done, 'd').job_ids).toHaveLength(1)
    // A run that succeeded is not retried.
    await expectStatus(platform.call, 409, 'POST', path(`/workflow/job/${started.id}/retry`), as())
  }, 90_000)

  it('a mapped argument past the limits fails its node with the reason; the platform goes on', async () => {
    const big = await createTask('big', '#!/bin/sh\nhead -c 70000 /dev/zero | tr "\\0" x\necho\n', 0)
    const started = await run(
      await createWorkflow({
        name: `big-${randomUUID().slice(0, 8)}`,
        nodes: [{ key: 'a', task: big }, stepNode('b', { from: 'a', output: 0 })],
        edges: [{ from: 'a', to: 'b' }],
        start: 'a',
      }),
    )
    const done = await ended(started.id)
    expect(done).toMatchObject({ state: 'failure' })
    expect(node(done, 'b')).toMatchObject({ state: 'failed', job_ids: [] })
    expect(node(done, 'b').reason).toMatch(/arguments of node b/)
    // Another run of the organization is not held back.
    expect((await ended((await run(await createWorkflow(diamond()))).id)).state).toBe('success')
  }, 90_000)

  it('runs a workflow with an approval step up to it, which waits (decision 32); an unknown run is 404', async () => {
    const workflowId = await createWorkflow({
      name: `approval-${randomUUID().slice(0, 8)}`,
      nodes: [stepNode('a', 'x'), { key: 'ok', approval: { approvers: ['ops'] } }],
      edges: [{ from: 'a', to: 'ok' }],
      start: 'a',
    })
    const started = await run(workflowId)
    const waiting = await until(started.id, (current) => node(current, 'ok').state === 'waiting')
    expect(node(waiting, 'a').state).toBe('succeeded')
    expect(await job(node(waiting, 'ok').job_id!)).toMatchObject({ lifecycle: 'waiting', origin: 'workflow' })
    await expectStatus(platform.call, 200, 'PUT', path(`/workflow/job/${started.id}/cancel`), {
      ...as(),
      json: {},
    })
    expect((await ended(started.id)).state).toBe('canceled')
    await expectStatus(platform.call, 404, 'GET', path(`/workflow/job/${randomUUID()}`), as())
    await expectStatus(platform.call, 404, 'GET', path('/workflow/job/not-an-id'), as())
  }, 60_000)

  it('lists a workflow’s runs newest first, a page at a time; a viewer outside its acls sees none', async () => {
    const workflowId = await createWorkflow({ ...diamond(), acls: ['team:ops'] })
    const first = await run(workflowId)
    const second = await run(workflowId)
    const third = await run(workflowId)
    await ended(first.id)
    await ended(second.id)
    await ended(third.id)
    const page = (query: string) =>
      expectStatus(platform.call, 200, 'GET', path(`/workflow/${workflowId}/job${query}`), as())
    const all = await page('')
    expect((all.json as Run[]).map((r) => r.id)).toEqual([third.id, second.id, first.id])
    expect(all.headers.get('x-next-cursor')).toBeNull()
    const ids: string[] = []
    let query = '?limit=2'
    for (;;) {
      const answer = await page(query)
      ids.push(...(answer.json as Run[]).map((r) => r.id))
      const next = answer.headers.get('x-next-cursor')
      if (next === null) break
      expect(answer.headers.get('link')).toContain(`cursor=${next}`)
      query = `?limit=2&cursor=${next}`
    }
    expect(ids).toEqual([third.id, second.id, first.id])
    expect((all.json as Run[])[0]).toMatchObject({ workflow_id: workflowId, state: 'success' })
    await expectStatus(platform.call, 400, 'GET', path(`/workflow/${workflowId}/job?cursor=nope!`), as())
    await expectStatus(platform.call, 400, 'GET', path(`/workflow/${workflowId}/job?limit=0`), as())
    // Another workflow's runs are not listed; one hidden by its acls is the same 404 as a missing one.
    const other = await createWorkflow(diamond())
    expect((await page('')).json).toHaveLength(3)
    expect(
      (await expectStatus(platform.call, 200, 'GET', path(`/workflow/${other}/job`), as())).json,
    ).toEqual([])
    const viewer = await issueToken(platform.call, platform.customer, platform.adminToken, {
      name: `viewer-${randomUUID().slice(0, 8)}`,
      role: 'viewer',
    })
    await expectStatus(platform.call, 404, 'GET', path(`/workflow/${workflowId}/job`), {
      token: viewer.token,
    })
    await expectStatus(platform.call, 404, 'GET', path(`/workflow/${randomUUID()}/job`), as())
  }, 90_000)

  it('runs by the workflow’s secret key, without a token; a rotation retires the old key at once', async () => {
    const workflowId = await createWorkflow(diamond())
    const { secret } = (
      await expectStatus(platform.call, 200, 'GET', path(`/workflow/${workflowId}/credentials`), as())
    ).body as { secret: string }
    expect(secret).toMatch(/^[0-9a-f]{64}$/)
    const bySecret = (key: string) => path(`/workflow/${workflowId}/secret/${key}/job`)
    const started = await expectStatus(platform.call, 201, 'POST', bySecret(secret), {
      json: { task_arguments: ['x'] },
    })
    expect(started.body).toMatchObject({ origin: 'secret', task_arguments_values: ['x'], version: 1 })
    expect((await ended(idOf(started))).state).toBe('success')
    await expectStatus(platform.call, 401, 'POST', bySecret('00'.repeat(32)), { json: {} })
    const rotated = await expectStatus(
      platform.call,
      200,
      'POST',
      path(`/workflow/${workflowId}/credentials/rotate`),
      as(),
    )
    const next = String(rotated.body.secret)
    expect(next).not.toBe(secret)
    await expectStatus(platform.call, 401, 'POST', bySecret(secret), { json: {} })
    await expectStatus(platform.call, 201, 'POST', bySecret(next), { json: {} })
    // A rotation is no new version of the definition.
    const read = await expectStatus(platform.call, 200, 'GET', path(`/workflow/${workflowId}`), as())
    expect(read.body).toMatchObject({ version: 1 })
  }, 90_000)

  /** One node: prints the run's first argument. */
  const echoRun = (): Json => ({
    name: `echo-${randomUUID().slice(0, 8)}`,
    nodes: [stepNode('a', { from: '$run', output: 0 })],
    edges: [],
    start: 'a',
  })

  it('the seed’s approval form, naming a workflow, runs it by its secret key and shows a page; a wrong or rotated key is 401', async () => {
    const workflowId = await createWorkflow(echoRun())
    const credentials = path(`/workflow/${workflowId}/credentials`)
    const { secret } = (await expectStatus(platform.call, 200, 'GET', credentials, as())).body as {
      secret: string
    }
    const form = new URLSearchParams(await approvalForm({ customer: platform.customer, task: workflowId }))
    const submit = (key: string) =>
      fetch(`${platform.gatewayUrl}/job/secret/${key}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
        },
        body: form.toString(),
      })
    const response = await submit(secret)
    expect(response.status).toBe(201)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await response.text()).toMatch(/workflow run started/i)
    const location = response.headers.get('location') ?? ''
    expect(location).toMatch(new RegExp(`^${path('/workflow/job/')}`))
    const runId = location.split('/').pop()!
    const done = await ended(runId)
    expect(done).toMatchObject({
      workflow_id: workflowId,
      state: 'success',
      origin: 'secret',
      task_arguments_values: ['arg1', 'arg2'],
    })
    expect((await job(node(done, 'a').job_id!)).output).toEqual(['arg1'])

    expect((await submit('00'.repeat(32))).status).toBe(401)
    await expectStatus(platform.call, 200, 'POST', `${credentials}/rotate`, as())
    expect((await submit(secret)).status).toBe(401)
    // The same key in the workflow's own path is refused as well.
    await expectStatus(platform.call, 401, 'POST', path(`/workflow/${workflowId}/secret/${secret}/job`), {
      json: {},
    })
  }, 90_000)

  it('POST /:customer/job and POST /job run the workflow `task` names, as a task’s run; an id of neither is 404', async () => {
    const workflowId = await createWorkflow(echoRun())
    const named = await expectStatus(platform.call, 201, 'POST', path('/job'), {
      ...as(),
      json: { task: workflowId, task_arguments: ['by-customer-path'] },
    })
    expect(named.body).toMatchObject({ workflow_id: workflowId, origin: 'api' })
    expect(named.headers.get('location')).toBe(path(`/workflow/job/${idOf(named)}`))
    const ofOrganization = await expectStatus(platform.call, 200, 'POST', '/job?wait_result=true', {
      ...as(),
      json: { customer: platform.customer, task: workflowId, task_arguments: ['by-body'] },
    })
    expect(ofOrganization.body).toMatchObject({ workflow_id: workflowId, state: 'success' })
    expect((await ended(idOf(named))).state).toBe('success')
    // A task is still run as a task by the same routes.
    const jobOfTask = await expectStatus(platform.call, 201, 'POST', path('/job'), {
      ...as(),
      json: { task: step, task_arguments: ['t', '0', '0'] },
    })
    expect(jobOfTask.body).toMatchObject({ task_id: step })
    const missing = await expectStatus(platform.call, 404, 'POST', path('/job'), {
      ...as(),
      json: { task: randomUUID() },
    })
    expect(missing.body).toMatchObject({ code: 'NOT_FOUND' })
  }, 90_000)

  it('an Idempotency-Key names the run its first request started; the key of a workflow run is 409 for a task', async () => {
    const workflowId = await createWorkflow(echoRun())
    const key = randomUUID()
    const send = () =>
      expectStatus(platform.call, 201, 'POST', path(`/workflow/${workflowId}/job`), {
        ...as(),
        headers: { 'idempotency-key': key },
        json: { task_arguments: ['once'] },
      })
    const [first, second] = await Promise.all([send(), send()])
    expect(idOf(second!)).toBe(idOf(first!))
    expect(idOf(await send())).toBe(idOf(first!))
    const reused = await expectStatus(platform.call, 409, 'POST', path(`/task/${step}/job`), {
      ...as(),
      headers: { 'idempotency-key': key },
      json: { task_arguments: ['t', '0', '0'] },
    })
    expect(reused.body).toMatchObject({ code: 'CONFLICT' })
    expect((await ended(idOf(first!))).state).toBe('success')
  }, 90_000)

  it('multitasking false holds a second run, waiting with the reason, until the first ended; a held run cancels at once', async () => {
    const workflowId = await createWorkflow({
      name: `one-at-a-time-${randomUUID().slice(0, 8)}`,
      nodes: [stepNode('a', 'turn', 2)],
      edges: [],
      start: 'a',
      multitasking: false,
    })
    const first = await run(workflowId)
    expect(first.lifecycle).toBe('assigned')
    const second = await run(workflowId)
    expect(second).toMatchObject({
      lifecycle: 'ready',
      state: 'in_progress',
      waiting_reason: { code: 'workflow_busy', message: expect.stringContaining(first.id) },
      nodes: [{ key: 'a', state: 'pending', job_id: null }],
    })
    const third = await run(workflowId)
    expect(third.lifecycle).toBe('ready')
    const canceled = await expectStatus(platform.call, 200, 'PUT', path(`/workflow/job/${third.id}/cancel`), {
      ...as(),
      json: {},
    })
    expect(canceled.body).toMatchObject({
      lifecycle: 'canceled',
      nodes: [{ key: 'a', state: 'canceled', job_ids: [] }],
    })

    const firstDone = await ended(first.id)
    expect(firstDone.state).toBe('success')
    const secondDone = await ended(second.id)
    expect(secondDone.state).toBe('success')
    expect(secondDone.waiting_reason).toBeUndefined()
    // Its job was created once the first run had ended, never beside it.
    const secondJob = await job(node(secondDone, 'a').job_id!)
    expect(Date.parse(String(secondJob.creation_date))).toBeGreaterThanOrEqual(
      Date.parse(String(firstDone.ended_at)),
    )
    // With nothing live, the next run starts at once.
    expect((await run(workflowId)).lifecycle).toBe('assigned')
  }, 90_000)

  it('tells workflow.start, workflow.node for each node and workflow.finish to a subscriber, signed as job events are', async () => {
    const receiver = await TestReceiver.start()
    try {
      const subscription = await expectStatus(platform.call, 201, 'POST', path('/subscription'), {
        ...as(),
        json: { url: `${receiver.origin}/hook`, events: ['workflow.*'] },
      })
      const secret = String(subscription.body.secret)
      const workflowId = await createWorkflow(diamond())
      const done = await ended((await run(workflowId, ['x'])).id)
      expect(done.state).toBe('success')
      type Body = { event_name: string; event_data: Json }
      const ofRun = () =>
        receiver.bodies<Body>().filter((body) => (body.event_data as { run_id?: string }).run_id === done.id)
      await waitUntil(() => ofRun().some((body) => body.event_name === 'workflow.finish'), {
        timeoutMs: 30_000,
        message: 'workflow.finish delivered',
      })
      await waitUntil(() => ofRun().length === 6, { message: 'start, four node ends and finish delivered' })
      const bodies = ofRun()
      expect(bodies.map((body) => body.event_name).sort()).toEqual([
        'workflow.finish',
        'workflow.node',
        'workflow.node',
        'workflow.node',
        'workflow.node',
        'workflow.start',
      ])
      const nodes = bodies.filter((body) => body.event_name === 'workflow.node')
      expect(nodes.map((body) => (body.event_data.node as RunNode).key).sort()).toEqual(['a', 'b', 'c', 'd'])
      for (const body of nodes)
        expect(body.event_data).toMatchObject({ outcome: 'success', node: { state: 'succeeded' } })
      // The finish carries the run as GET /:customer/workflow/job/:id answers it.
      const finish = bodies.find((body) => body.event_name === 'workflow.finish')!
      const { last_update: _told, ...told } = finish.event_data.run as Json
      const { last_update: _read, ...read } = done as Json
      expect(told).toEqual(read)
      for (const request of receiver.requests.filter((r) => r.path === '/hook'))
        expect(() => verifyStandardWebhook(secret, request)).not.toThrow()
    } finally {
      await receiver.close()
    }
  }, 90_000)
})
