import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { expectStatus, idOf, issueToken } from './support/fixtures.js'
import { type GatewayCall, gatewayClient } from './support/gateway-client.js'

const ROLES = ['viewer', 'user', 'admin'] as const
type Role = (typeof ROLES)[number]
const rank = (role: Role) => ROLES.indexOf(role)

/** A caller of the matrix: a token of the organization under test, another's, or none. */
interface Caller {
  label: string
  kind: 'member' | 'foreign' | 'anonymous' | 'root'
  role: Role
  name: string
  tags: string[]
  token?: string
}

type TaskKind = 'open' | 'restricted' | 'users'
const TASK_ACLS: Record<TaskKind, string[]> = {
  open: [],
  restricted: ['alice', 'team:ops'],
  users: ['user'],
}

/** The contract's visibility rule, restated independently of the gateway as the test's oracle. */
function sees(caller: Caller, acls: string[]): boolean {
  if (caller.role === 'admin' || acls.length === 0) return true
  return acls.some(
    (entry) =>
      entry === caller.name ||
      caller.tags.includes(entry) ||
      ((ROLES as readonly string[]).includes(entry) && rank(caller.role) >= rank(entry as Role)),
  )
}

interface Request {
  method: string
  path: string
  json?: unknown
}

/** One route of the matrix: the role it needs, whether task acls apply, and how to call it. */
interface RouteCase {
  name: string
  role: Role | 'root'
  /** The route acts on one task, and callers below admin must see it. */
  acl: boolean
  ok: number
  request(task: TaskKind): Promise<Request>
}

// Every route of the Tasks API, called by every kind of caller on tasks with and without acls: the
// answer must be exactly what the roles, the acls and the organization boundary say.
describe('access control: roles × acls × routes, and organization boundaries', () => {
  let platform: Platform
  let dataDir: string
  let call: GatewayCall
  const customer = 'demo'
  let admin: string
  let botId: string
  let scriptId: string
  const tasks = {} as Record<TaskKind, string>
  const jobs = {} as Record<TaskKind, string>
  const callers: Caller[] = []
  let foreign: Caller
  let foreignTask: string
  let recipe: Record<string, unknown>

  const adminCall = (method: string, path: string, json?: unknown) =>
    expectStatus(call, method === 'POST' ? 201 : 200, method, path, { token: admin, json })

  const newTask = async (kind: TaskKind) =>
    idOf(
      await adminCall('POST', `/${customer}/task`, {
        name: `${kind} task`,
        host_id: botId,
        script_id: scriptId,
        acls: TASK_ACLS[kind],
      }),
    )
  const newScript = async () =>
    idOf(await adminCall('POST', `/${customer}/script`, { filename: 'spare.sh', content: 'echo spare\n' }))

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-access-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      withBot: false,
    })
    call = gatewayClient(platform.credentials.gateway_url)
    admin = platform.credentials.admin_token
    botId = platform.credentials.bot.id
    scriptId = idOf(
      await adminCall('POST', `/${customer}/script`, { filename: 'echo.sh', content: 'echo hi\n' }),
    )
    for (const kind of Object.keys(TASK_ACLS) as TaskKind[]) {
      tasks[kind] = await newTask(kind)
      jobs[kind] = idOf(await adminCall('POST', `/${customer}/task/${tasks[kind]}/job`))
    }
    recipe = (await adminCall('GET', `/${customer}/task/${tasks.open}/recipe`)).body

    const members: [string, Role, string[]][] = [
      ['vera', 'viewer', []],
      ['tim', 'viewer', ['team:ops']],
      ['alice', 'user', []],
      ['bob', 'user', []],
      ['ada', 'admin', []],
    ]
    for (const [name, role, tags] of members) {
      const { token } = await issueToken(call, customer, admin, { name, role, tags })
      callers.push({
        label: `${name} (${role}${tags.length ? ` ${tags}` : ''})`,
        kind: 'member',
        role,
        name,
        tags,
        token,
      })
    }
    const other = await expectStatus(call, 201, 'POST', '/admin/customers', {
      token: platform.rootToken,
      json: { name: 'globex' },
    })
    foreign = {
      label: 'globex admin',
      kind: 'foreign',
      role: 'admin',
      name: 'admin',
      tags: [],
      token: idOf(other, 'admin_token'),
    }
    callers.push(foreign)
    callers.push({ label: 'no token', kind: 'anonymous', role: 'viewer', name: '', tags: [] })
    const foreignScript = idOf(
      await expectStatus(call, 201, 'POST', '/globex/script', {
        token: foreign.token,
        json: { filename: 'g.sh', content: 'echo g\n' },
      }),
    )
    const foreignBot = idOf(
      await expectStatus(call, 201, 'POST', '/globex/bot', { token: foreign.token, json: { name: 'g' } }),
    )
    foreignTask = idOf(
      await expectStatus(call, 201, 'POST', '/globex/task', {
        token: foreign.token,
        json: { name: 'globex task', host_id: foreignBot, script_id: foreignScript },
      }),
    )
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  const taskRoutes: RouteCase[] = [
    {
      name: 'GET task',
      role: 'viewer',
      acl: true,
      ok: 200,
      request: async (k) => ({ method: 'GET', path: `/${customer}/task/${tasks[k]}` }),
    },
    {
      name: 'PUT task',
      role: 'admin',
      acl: true,
      ok: 200,
      request: async (k) => ({
        method: 'PUT',
        path: `/${customer}/task/${tasks[k]}`,
        json: { name: `${k} task`, host_id: botId, script_id: scriptId, acls: TASK_ACLS[k] },
      }),
    },
    {
      name: 'PATCH task',
      role: 'admin',
      acl: true,
      ok: 200,
      request: async (k) => ({
        method: 'PATCH',
        path: `/${customer}/task/${tasks[k]}`,
        json: { description: 'seen' },
      }),
    },
    {
      name: 'DELETE task',
      role: 'admin',
      acl: true,
      ok: 204,
      request: async (k) => ({ method: 'DELETE', path: `/${customer}/task/${await newTask(k)}` }),
    },
    {
      name: 'GET recipe',
      role: 'admin',
      acl: true,
      ok: 200,
      request: async (k) => ({ method: 'GET', path: `/${customer}/task/${tasks[k]}/recipe` }),
    },
    {
      name: 'GET credentials',
      role: 'admin',
      acl: true,
      ok: 200,
      request: async (k) => ({ method: 'GET', path: `/${customer}/task/${tasks[k]}/credentials` }),
    },
    {
      name: 'POST credentials/rotate',
      role: 'admin',
      acl: true,
      ok: 200,
      request: async (k) => ({ method: 'POST', path: `/${customer}/task/${tasks[k]}/credentials/rotate` }),
    },
    {
      name: 'POST task job',
      role: 'user',
      acl: true,
      ok: 201,
      request: async (k) => ({ method: 'POST', path: `/${customer}/task/${tasks[k]}/job`, json: [] }),
    },
    {
      name: 'POST customer job',
      role: 'user',
      acl: true,
      ok: 201,
      request: async (k) => ({ method: 'POST', path: `/${customer}/job`, json: { task: tasks[k] } }),
    },
    {
      name: 'POST /job',
      role: 'user',
      acl: true,
      ok: 201,
      request: async (k) => ({
        method: 'POST',
        path: `/job?customer=${customer}&task=${tasks[k]}`,
        json: { task_arguments: [] },
      }),
    },
    {
      name: 'DELETE task queue',
      role: 'admin',
      acl: true,
      ok: 200,
      request: async (k) => ({ method: 'DELETE', path: `/${customer}/task/${tasks[k]}/job` }),
    },
    {
      name: 'GET jobs of task',
      role: 'viewer',
      acl: true,
      ok: 200,
      request: async (k) => ({ method: 'GET', path: `/${customer}/job?task=${tasks[k]}` }),
    },
    {
      name: 'GET job',
      role: 'viewer',
      acl: true,
      ok: 200,
      request: async (k) => ({ method: 'GET', path: `/${customer}/job/${jobs[k]}` }),
    },
  ]

  const organizationRoutes: RouteCase[] = [
    {
      name: 'GET tasks',
      role: 'viewer',
      acl: false,
      ok: 200,
      request: async () => ({ method: 'GET', path: `/${customer}/task` }),
    },
    {
      name: 'POST task',
      role: 'admin',
      acl: false,
      ok: 201,
      request: async () => ({
        method: 'POST',
        path: `/${customer}/task`,
        json: { name: 'new', host_id: botId, script_id: scriptId },
      }),
    },
    {
      name: 'POST task import',
      role: 'admin',
      acl: false,
      ok: 201,
      request: async () => ({
        method: 'POST',
        path: `/${customer}/task/import`,
        json: { ...recipe, host_id: botId },
      }),
    },
    {
      name: 'GET jobs',
      role: 'viewer',
      acl: false,
      ok: 200,
      request: async () => ({ method: 'GET', path: `/${customer}/job` }),
    },
    {
      name: 'GET scripts',
      role: 'viewer',
      acl: false,
      ok: 200,
      request: async () => ({ method: 'GET', path: `/${customer}/script` }),
    },
    {
      name: 'POST script',
      role: 'admin',
      acl: false,
      ok: 201,
      request: async () => ({
        method: 'POST',
        path: `/${customer}/script`,
        json: { filename: 'n.sh', content: 'echo n' },
      }),
    },
    {
      name: 'GET script',
      role: 'viewer',
      acl: false,
      ok: 200,
      request: async () => ({ method: 'GET', path: `/${customer}/script/${scriptId}` }),
    },
    {
      name: 'PUT script',
      role: 'admin',
      acl: false,
      ok: 200,
      request: async () => ({
        method: 'PUT',
        path: `/${customer}/script/${scriptId}`,
        json: { filename: 'echo.sh', content: 'echo hi\n' },
      }),
    },
    {
      name: 'PATCH script',
      role: 'admin',
      acl: false,
      ok: 200,
      request: async () => ({
        method: 'PATCH',
        path: `/${customer}/script/${scriptId}`,
        json: { description: 'says hi' },
      }),
    },
    {
      name: 'DELETE script',
      role: 'admin',
      acl: false,
      ok: 204,
      request: async () => ({ method: 'DELETE', path: `/${customer}/script/${await newScript()}` }),
    },
    {
      name: 'GET tokens',
      role: 'admin',
      acl: false,
      ok: 200,
      request: async () => ({ method: 'GET', path: `/${customer}/token` }),
    },
    {
      name: 'POST token',
      role: 'admin',
      acl: false,
      ok: 201,
      request: async () => ({
        method: 'POST',
        path: `/${customer}/token`,
        json: { name: 'extra', role: 'viewer' },
      }),
    },
    {
      name: 'DELETE token',
      role: 'admin',
      acl: false,
      ok: 204,
      request: async () => {
        const { id } = await issueToken(call, customer, admin, { name: 'doomed', role: 'viewer' })
        return { method: 'DELETE', path: `/${customer}/token/${id}` }
      },
    },
    {
      name: 'GET bots',
      role: 'viewer',
      acl: false,
      ok: 200,
      request: async () => ({ method: 'GET', path: `/${customer}/bot` }),
    },
    {
      name: 'POST /admin/customers',
      role: 'root',
      acl: false,
      ok: 201,
      request: async () => ({
        method: 'POST',
        path: '/admin/customers',
        json: { name: `org-${Math.random().toString(36).slice(2, 10)}` },
      }),
    },
  ]

  /** What the contract says a caller gets from a route on a task of some kind. */
  function expected(route: RouteCase, caller: Caller, kind: TaskKind): number {
    if (caller.kind === 'anonymous') return 401
    if (route.role === 'root') return 403
    if (caller.kind === 'foreign') return 404
    if (rank(caller.role) < rank(route.role)) return 403
    if (route.acl && !sees(caller, TASK_ACLS[kind])) return 404
    return route.ok
  }

  async function runMatrix(routes: RouteCase[], kinds: TaskKind[]): Promise<string[]> {
    const mismatches: string[] = []
    for (const route of routes) {
      for (const kind of kinds) {
        for (const caller of callers) {
          const request = await route.request(kind)
          const answer = await call(request.method, request.path, { token: caller.token, json: request.json })
          const want = expected(route, caller, kind)
          if (answer.status !== want) {
            mismatches.push(
              `${route.name} on ${kind} by ${caller.label}: ${answer.status}, expected ${want} ${answer.text.slice(0, 160)}`,
            )
          } else if (answer.status >= 400) {
            expect(answer.body, `${route.name} ${caller.label}`).toMatchObject({
              statusCode: want,
              code: expect.any(String),
            })
          }
        }
      }
    }
    return mismatches
  }

  it('answers every task route as roles and acls say', async () => {
    expect(await runMatrix(taskRoutes, ['open', 'restricted', 'users'])).toEqual([])
  })

  it('answers every organization route as roles say', async () => {
    expect(await runMatrix(organizationRoutes, ['open'])).toEqual([])
  })

  it('lists only the tasks, and the jobs of the tasks, a caller may see', async () => {
    for (const caller of callers.filter((c) => c.kind === 'member')) {
      const visible = (Object.keys(TASK_ACLS) as TaskKind[])
        .filter((k) => sees(caller, TASK_ACLS[k]))
        .map((k) => tasks[k])
      const fixture = new Set(Object.values(tasks))
      const list = await expectStatus(call, 200, 'GET', `/${customer}/task`, { token: caller.token })
      const listed = (list.json as { id: string }[]).map((t) => t.id).filter((id) => fixture.has(id))
      expect(listed.sort(), caller.label).toEqual([...visible].sort())

      const jobList = await expectStatus(call, 200, 'GET', `/${customer}/job?limit=1000`, {
        token: caller.token,
      })
      const taskIds = new Set((jobList.json as { task_id: string }[]).map((j) => j.task_id))
      for (const kind of Object.keys(TASK_ACLS) as TaskKind[]) {
        expect(taskIds.has(tasks[kind]), `${caller.label} sees jobs of ${kind}`).toBe(
          sees(caller, TASK_ACLS[kind]),
        )
      }
    }
  })

  it('fills a page of jobs with those the caller may see, however many newer ones it may not', async () => {
    // The organization's newest jobs are of the task only admins and its acl see.
    for (let i = 0; i < 3; i++) {
      await expectStatus(call, 201, 'POST', `/${customer}/task/${tasks.restricted}/job`, {
        token: admin,
        json: [],
      })
    }
    for (const caller of callers.filter((c) => c.kind === 'member')) {
      const visible = new Set(
        (Object.keys(TASK_ACLS) as TaskKind[]).filter((k) => sees(caller, TASK_ACLS[k])).map((k) => tasks[k]),
      )
      const page = await expectStatus(call, 200, 'GET', `/${customer}/job?limit=2`, { token: caller.token })
      const jobs = page.json as { task_id: string }[]
      expect(jobs, caller.label).toHaveLength(2)
      for (const job of jobs) expect(visible.has(job.task_id), caller.label).toBe(true)
    }
  })

  it("never shows one organization another's objects", async () => {
    const demoAdmin = { token: admin }
    const attempts: Request[] = [
      { method: 'GET', path: `/globex/task/${foreignTask}` },
      { method: 'GET', path: `/${customer}/task/${foreignTask}` },
      { method: 'PATCH', path: `/${customer}/task/${foreignTask}`, json: { name: 'mine' } },
      { method: 'DELETE', path: `/${customer}/task/${foreignTask}` },
      { method: 'GET', path: `/${customer}/task/${foreignTask}/recipe` },
      { method: 'GET', path: `/${customer}/task/${foreignTask}/credentials` },
      { method: 'POST', path: `/${customer}/task/${foreignTask}/credentials/rotate` },
      { method: 'POST', path: `/${customer}/task/${foreignTask}/job`, json: [] },
      { method: 'POST', path: `/${customer}/job`, json: { task: foreignTask } },
      { method: 'POST', path: `/job?task=${foreignTask}` },
      { method: 'POST', path: `/job?customer=globex&task=${foreignTask}` },
      { method: 'DELETE', path: `/${customer}/task/${foreignTask}/job` },
      { method: 'GET', path: `/${customer}/job?task=${foreignTask}` },
      { method: 'GET', path: '/globex/task' },
      { method: 'GET', path: '/globex/job' },
      { method: 'GET', path: '/globex/script' },
      { method: 'GET', path: '/globex/token' },
      { method: 'GET', path: '/globex/bot' },
      { method: 'POST', path: '/globex/task/import', json: { ...recipe, host_id: botId } },
      {
        method: 'POST',
        path: `/${customer}/task`,
        json: { name: 'x', host_id: botId, script_id: foreignTask },
      },
      { method: 'GET', path: '/no-such-org/task' },
    ]
    const mismatches: string[] = []
    for (const attempt of attempts) {
      const answer = await call(attempt.method, attempt.path, { ...demoAdmin, json: attempt.json })
      const allowed =
        attempt.path.startsWith(`/${customer}/task`) &&
        attempt.method === 'POST' &&
        attempt.path.endsWith('/task')
      const want = allowed ? 422 : 404
      if (answer.status !== want)
        mismatches.push(`${attempt.method} ${attempt.path}: ${answer.status} ${answer.text.slice(0, 160)}`)
      expect(answer.text).not.toContain('globex task')
    }
    expect(mismatches).toEqual([])
  })
})
