import { Limits } from '@taskforge/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectStatus, idOf, issueToken } from './support/fixtures.js'
import { type InProcessPlatform, startInProcessPlatform } from './support/in-process-platform.js'

type Json = Record<string, unknown>
interface Problem {
  field: string
  message: string
  node?: string
  edge?: number
}

// Workflow definitions end to end: the real gateway, task-catalog, Postgres and NATS (runs are not
// part of this: the definitions are what is under test).
describe('workflow definitions', () => {
  let platform: InProcessPlatform
  let build: string
  let deploy: string

  const as = () => ({ token: platform.adminToken })
  const path = (suffix = '') => `/${platform.customer}/workflow${suffix}`

  /** Three optional inputs: a node may give up to three values. */
  const OPTIONAL = [0, 1, 2].map((order) => ({ order, type: 'input', label: `a${order}` }))

  async function createTask(name: string, args: Json[] = OPTIONAL): Promise<string> {
    const { call, customer, botId } = platform
    const script = await expectStatus(call, 201, 'POST', `/${customer}/script`, {
      ...as(),
      json: { filename: `${name}.sh`, content: `#!/bin/sh\necho ${name} "$@"\n` },
    })
    const task = await expectStatus(call, 201, 'POST', `/${customer}/task`, {
      ...as(),
      json: { name, host_id: botId, script_id: idOf(script), task_arguments: args },
    })
    return idOf(task)
  }

  /** A -> {B, C} -> D, D joining both. */
  const diamond = (name = 'release'): Json => ({
    name,
    nodes: [
      { key: 'a', task: build, arguments: [{ from: '$run', output: 0 }, 'fixed'] },
      { key: 'b', task: deploy, arguments: [{ from: 'a', output: 0 }], retry: { max: 2, backoff: 5 } },
      { key: 'c', task: build, timeout: 30 },
      { key: 'd', task: deploy, join: 'all' },
    ],
    edges: [
      { from: 'a', to: 'b', on: 'success' },
      { from: 'a', to: 'c' },
      { from: 'b', to: 'd', on: 'always' },
      { from: 'c', to: 'd', on: 'success' },
    ],
    start: 'a',
  })

  async function create(body: Json): Promise<Json> {
    return (await expectStatus(platform.call, 201, 'POST', path(), { ...as(), json: body })).body
  }

  /** A refused definition: 422 VALIDATION_FAILED, its problems listed. */
  async function refused(body: Json): Promise<{ message: string; details: Json; problems: Problem[] }> {
    const answer = await expectStatus(platform.call, 422, 'POST', path(), { ...as(), json: body })
    expect(answer.body).toMatchObject({ statusCode: 422, code: 'VALIDATION_FAILED' })
    const details = answer.body.details as Json
    return { message: String(answer.body.message), details, problems: (details.problems ?? []) as Problem[] }
  }

  beforeAll(async () => {
    platform = await startInProcessPlatform()
    build = await createTask('build')
    deploy = await createTask('deploy')
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
  })

  it('creates a workflow as version 1 with its defaults, and reads and lists it', async () => {
    const created = await expectStatus(platform.call, 201, 'POST', path(), { ...as(), json: diamond() })
    expect(created.headers.get('etag')).toBe('"1"')
    const id = idOf(created)
    expect(created.body).toMatchObject({
      id,
      customer: platform.customer,
      name: 'release',
      version: 1,
      start: 'a',
      multitasking: true,
      grace_time: 0,
      acls: [],
    })
    const nodes = created.body.nodes as Json[]
    expect(nodes[0]).toEqual({
      key: 'a',
      task: build,
      arguments: [{ from: '$run', output: 0 }, 'fixed'],
      timeout: 0,
      retry: { max: 0, backoff: 0 },
      join: 'all',
    })
    expect(nodes[1]).toMatchObject({ retry: { max: 2, backoff: 5 } })
    expect((created.body.edges as Json[])[1]).toEqual({ from: 'a', to: 'c', on: 'success' })

    const read = await expectStatus(platform.call, 200, 'GET', path(`/${id}`), as())
    expect(read.body).toEqual(created.body)
    expect(read.headers.get('etag')).toBe('"1"')
    const list = await expectStatus(platform.call, 200, 'GET', path(), as())
    expect((list.json as Json[]).map((w) => w.id)).toContain(id)
  })

  it('keeps every save as a new immutable version, guarded by If-Match', async () => {
    const id = idOf({ body: await create(diamond('versioned')) })
    const patched = await expectStatus(platform.call, 200, 'PATCH', path(`/${id}`), {
      ...as(),
      json: { description: 'second' },
    })
    expect(patched.body).toMatchObject({ version: 2, description: 'second', name: 'versioned' })
    expect(patched.headers.get('etag')).toBe('"2"')

    // A save that changes nothing is no new version.
    const same = await expectStatus(platform.call, 200, 'PATCH', path(`/${id}`), {
      ...as(),
      json: { description: 'second' },
    })
    expect(same.body.version).toBe(2)

    const stale = await expectStatus(platform.call, 412, 'PUT', path(`/${id}`), {
      ...as(),
      headers: { 'if-match': '"1"' },
      json: { ...diamond('versioned'), description: 'third' },
    })
    expect(stale.body).toMatchObject({ code: 'PRECONDITION_FAILED', details: { expected: 1, actual: 2 } })

    const single = {
      name: 'versioned',
      description: 'third',
      nodes: [{ key: 'only', task: build }],
      start: 'only',
    }
    const replaced = await expectStatus(platform.call, 200, 'PUT', path(`/${id}`), {
      ...as(),
      headers: { 'if-match': '"2"' },
      json: single,
    })
    expect(replaced.body).toMatchObject({ version: 3, description: 'third', start: 'only', edges: [] })

    const first = await expectStatus(platform.call, 200, 'GET', path(`/${id}?version=1`), as())
    expect(first.body).toMatchObject({ version: 1, description: '', start: 'a' })
    expect(first.body.nodes).toHaveLength(4)
    expect(first.headers.get('etag')).toBe('"1"')
    const second = await expectStatus(platform.call, 200, 'GET', path(`/${id}?version=2`), as())
    expect(second.body).toMatchObject({ version: 2, description: 'second' })
    const latest = await expectStatus(platform.call, 200, 'GET', path(`/${id}`), as())
    expect(latest.body).toEqual(replaced.body)
    await expectStatus(platform.call, 404, 'GET', path(`/${id}?version=4`), as())
    await expectStatus(platform.call, 400, 'GET', path(`/${id}?version=0`), as())

    // The list shows the latest version.
    const listed = ((await expectStatus(platform.call, 200, 'GET', path(), as())).json as Json[]).find(
      (w) => w.id === id,
    )
    expect(listed).toMatchObject({ version: 3 })
  })

  it('refuses a cycle, naming its nodes', async () => {
    const body = diamond()
    const { message, details } = await refused({
      ...body,
      edges: [...(body.edges as Json[]), { from: 'd', to: 'b', on: 'failure' }],
    })
    expect(message).toBe('the edges make a cycle: b -> d -> b')
    expect(details).toMatchObject({ field: 'edges', node: 'b' })
  })

  it('refuses unreachable nodes, dangling edges, unknown tasks, duplicate keys and bad events, all at once', async () => {
    const other = await expectStatus(platform.call, 201, 'POST', '/admin/customers', {
      token: platform.rootToken,
      json: { name: 'globex' },
    })
    const globexAdmin = idOf(other, 'admin_token')
    const globexBot = idOf(
      await expectStatus(platform.call, 201, 'POST', '/globex/bot', {
        token: globexAdmin,
        json: { name: 'b' },
      }),
    )
    const globexScript = idOf(
      await expectStatus(platform.call, 201, 'POST', '/globex/script', {
        token: globexAdmin,
        json: { filename: 'x.sh', content: 'echo\n' },
      }),
    )
    // Another organization's task is no task of this one.
    const foreignTask = idOf(
      await expectStatus(platform.call, 201, 'POST', '/globex/task', {
        token: globexAdmin,
        json: { name: 'theirs', host_id: globexBot, script_id: globexScript },
      }),
    )
    const body = diamond()
    const { message, problems } = await refused({
      ...body,
      nodes: [
        ...(body.nodes as Json[]),
        { key: 'orphan', task: build },
        { key: 'b', task: deploy },
        { key: 'foreign', task: foreignTask },
      ],
      edges: [
        ...(body.edges as Json[]),
        { from: 'd', to: 'nowhere' },
        { from: 'd', to: 'foreign', on: 'not an event' },
        { from: 'c', to: 'd', on: 'expired' },
      ],
    })
    expect(problems).toEqual([
      { field: 'nodes[5].key', node: 'b', message: 'node key b is used more than once' },
      {
        field: 'nodes[6].task',
        node: 'foreign',
        message: `node foreign: task "${foreignTask}" is not a task of this organization`,
      },
      { field: 'edges[4].to', edge: 4, message: 'edge 4 (d -> nowhere): to names no node: "nowhere"' },
      {
        field: 'edges[5].on',
        edge: 5,
        message: expect.stringMatching(/^edge 5 \(d -> foreign\): on must be success, failure, always/),
      },
      {
        field: 'edges[6].on',
        edge: 6,
        message: 'edge 6 (c -> d): only approval and input steps end expired; c runs a task',
      },
      { field: 'nodes[4]', node: 'orphan', message: 'node orphan cannot be reached from the start node a' },
    ])
    expect(message).toBe('node key b is used more than once (and 5 more: see details.problems)')
  })

  it('refuses a node with two steps or none, and argument mappings from a node that does not run before', async () => {
    const twoSteps = await refused({
      name: 'w',
      nodes: [{ key: 'a', task: build, approval: { approvers: ['ops'] } }],
      start: 'a',
    })
    expect(twoSteps.message).toBe(
      'node a: give exactly one of task, approval and input, not task and approval',
    )
    expect(twoSteps.details).toMatchObject({ field: 'nodes[0]', node: 'a' })

    const body = diamond()
    const nodes = (body.nodes as Json[]).map((node) =>
      node.key === 'c' ? { ...node, arguments: [{ from: 'b', output: 0 }] } : node,
    )
    const { details } = await refused({ ...body, nodes })
    expect(details).toMatchObject({ field: 'nodes[2].arguments[0]', node: 'c' })
  })

  it('refuses a node that gives its task more values than it takes, or none for a required one', async () => {
    const strict = await createTask('strict', [
      { order: 0, type: 'fixed', value: '-v' },
      { order: 1, type: 'input', label: 'target', required: true },
    ])
    const node = (args: unknown[]) => ({
      name: 'w',
      nodes: [{ key: 'a', task: strict, arguments: args }],
      start: 'a',
    })
    await create(node(['prod']))
    expect((await refused(node(['prod', 'extra']))).problems).toEqual([
      {
        field: 'nodes[0].arguments',
        node: 'a',
        message: 'node a: its task takes 1 argument(s), the node gives 2',
      },
    ])
    expect((await refused(node([]))).message).toBe('node a: argument 0 (target) of its task is required')
  })

  it('takes approval and input steps with their own edges, and an input answer by its label', async () => {
    const created = await create({
      name: 'gated',
      nodes: [
        {
          key: 'ask',
          input: { form: [{ type: 'input', label: 'version', required: true }], approvers: ['ops'] },
        },
        { key: 'build', task: build, arguments: [{ from: 'ask', output: 'version' }] },
        { key: 'approve', approval: { approvers: ['ops', 'admin'], required: 2, expires_in: 3600 } },
        { key: 'too-late', task: deploy },
        { key: 'ship', task: deploy, join: 'any' },
      ],
      edges: [
        { from: 'ask', to: 'build' },
        { from: 'ask', to: 'too-late', on: 'expired' },
        { from: 'build', to: 'approve', on: 'tests.passed' },
        { from: 'approve', to: 'ship', on: 'success' },
        { from: 'approve', to: 'too-late', on: 'expired' },
        { from: 'too-late', to: 'ship', on: 'always' },
      ],
      start: 'ask',
    })
    const nodes = created.nodes as Json[]
    expect(nodes[0]).toMatchObject({
      input: {
        form: [{ order: 0, type: 'input', label: 'version', required: true }],
        approvers: ['ops'],
        expires_in: 72 * 3600,
      },
    })
    expect(nodes[1]).toMatchObject({ arguments: [{ from: 'ask', output: 'version' }] })
    expect(nodes[2]).toMatchObject({
      approval: { approvers: ['ops', 'admin'], required: 2, expires_in: 3600 },
    })
    expect(nodes[4]).toMatchObject({ join: 'any' })
  })

  it('answers the worst input with 4xx: past a limit, deep JSON, a body too large', async () => {
    const many = Array.from({ length: Limits.workflowNodeCount.value + 1 }, (_, i) => ({
      key: `n${i}`,
      task: build,
    }))
    const tooMany = await expectStatus(platform.call, 422, 'POST', path(), {
      ...as(),
      json: { name: 'big', nodes: many, start: 'n0' },
    })
    expect(tooMany.body).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'workflow node count' } })

    let deep: unknown = 'x'
    for (let i = 0; i < 200; i++) deep = [deep]
    const nested = await platform.call('POST', path(), {
      ...as(),
      json: { name: 'deep', nodes: [{ key: 'a', task: build, arguments: [deep] }], start: 'a' },
    })
    expect(nested.status).toBeGreaterThanOrEqual(400)
    expect(nested.status).toBeLessThan(500)
    expect(nested.body.code).toEqual(expect.any(String))

    const huge = await platform.call('POST', path(), {
      ...as(),
      json: { name: 'huge', description: 'x'.repeat(Limits.requestBody.value), nodes: [], start: 'a' },
    })
    expect(huge.status).toBe(413)
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('shows a workflow below admin only as its acls say, env values masked; only admins write', async () => {
    const restricted = await create({
      ...diamond('restricted'),
      acls: ['team:ops'],
      env: { REGION: 'eu' },
    })
    const id = String(restricted.id)
    expect(restricted.env).toEqual({ REGION: 'eu' })
    const { call, customer, adminToken } = platform
    const inside = await issueToken(call, customer, adminToken, {
      name: 'viewer-in',
      role: 'viewer',
      tags: ['team:ops'],
    })
    const outside = await issueToken(call, customer, adminToken, {
      name: 'viewer-out',
      role: 'viewer',
      tags: ['team:dev'],
    })

    const seen = await expectStatus(call, 200, 'GET', path(`/${id}`), { token: inside.token })
    expect(seen.body).toMatchObject({ id, env: { REGION: '****' } })
    await expectStatus(call, 200, 'GET', path(`/${id}?version=1`), { token: inside.token })
    const listedInside = (await expectStatus(call, 200, 'GET', path(), { token: inside.token }))
      .json as Json[]
    expect(listedInside.map((w) => w.id)).toContain(id)

    const hidden = await expectStatus(call, 404, 'GET', path(`/${id}`), { token: outside.token })
    expect(hidden.body.code).toBe('NOT_FOUND')
    await expectStatus(call, 404, 'GET', path(`/${id}?version=1`), { token: outside.token })
    const listedOutside = (await expectStatus(call, 200, 'GET', path(), { token: outside.token }))
      .json as Json[]
    expect(listedOutside.map((w) => w.id)).not.toContain(id)

    await expectStatus(call, 403, 'POST', path(), { token: inside.token, json: diamond() })
    await expectStatus(call, 403, 'PATCH', path(`/${id}`), {
      token: inside.token,
      json: { description: 'x' },
    })
    await expectStatus(call, 403, 'DELETE', path(`/${id}`), { token: inside.token })

    // Another organization sees nothing of it.
    const globex = await expectStatus(call, 201, 'POST', '/admin/customers', {
      token: platform.rootToken,
      json: { name: 'initech' },
    })
    await expectStatus(call, 404, 'GET', `/initech/workflow/${id}`, { token: idOf(globex, 'admin_token') })
  })

  it('refuses to delete a task the latest version of a live workflow runs, naming the workflow', async () => {
    const used = await createTask('used')
    const workflow = await create({ name: 'user-of-used', nodes: [{ key: 'x', task: used }], start: 'x' })
    const id = String(workflow.id)

    const conflict = await expectStatus(
      platform.call,
      409,
      'DELETE',
      `/${platform.customer}/task/${used}`,
      as(),
    )
    expect(conflict.body).toMatchObject({
      code: 'CONFLICT',
      details: { workflows: [{ id, name: 'user-of-used' }] },
    })
    expect(conflict.body.message).toContain(`user-of-used (${id})`)
    await expectStatus(platform.call, 200, 'GET', `/${platform.customer}/task/${used}`, as())

    // Version 1 still names the task, but only the latest version counts.
    await expectStatus(platform.call, 200, 'PUT', path(`/${id}`), {
      ...as(),
      json: { name: 'user-of-used', nodes: [{ key: 'x', task: build }], start: 'x' },
    })
    await expectStatus(platform.call, 204, 'DELETE', `/${platform.customer}/task/${used}`, as())

    // A deleted workflow holds no task either.
    const other = await createTask('other')
    const second = await create({ name: 'second', nodes: [{ key: 'y', task: other }], start: 'y' })
    await expectStatus(platform.call, 409, 'DELETE', `/${platform.customer}/task/${other}`, as())
    await expectStatus(platform.call, 204, 'DELETE', path(`/${String(second.id)}`), as())
    await expectStatus(platform.call, 404, 'GET', path(`/${String(second.id)}`), as())
    await expectStatus(platform.call, 404, 'GET', path(`/${String(second.id)}?version=1`), as())
    await expectStatus(platform.call, 204, 'DELETE', `/${platform.customer}/task/${other}`, as())
  })

  it('rebuilds the read model from the events alone, every version included', async () => {
    const id = idOf({ body: await create(diamond('rebuilt')) })
    await expectStatus(platform.call, 200, 'PATCH', path(`/${id}`), { ...as(), json: { description: 'v2' } })
    await expectStatus(platform.call, 200, 'PATCH', path(`/${id}`), { ...as(), json: { acls: ['admin'] } })
    const read = async () => ({
      list: (await expectStatus(platform.call, 200, 'GET', path(), as())).json,
      versions: await Promise.all(
        [1, 2, 3].map(
          async (v) =>
            (await expectStatus(platform.call, 200, 'GET', path(`/${id}?version=${v}`), as())).body,
        ),
      ),
    })
    const before = await read()
    expect(before.versions.map((v) => v.version)).toEqual([1, 2, 3])

    const result = await platform.catalog.projector.rebuild('workflows')
    expect(result.error).toBeUndefined()
    expect(result.results.map((step) => step.status)).toEqual(['Success', 'Success', 'Success', 'Success'])
    expect(await read()).toEqual(before)
  })
})
