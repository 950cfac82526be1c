import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { expectStatus, idOf, issueToken } from '../e2e/support/fixtures.js'
import { type Answer, type GatewayCall, gatewayClient } from '../e2e/support/gateway-client.js'

// Every route of the running gateway's OpenAPI document, called by every kind of caller: the answer
// must be the one the rules below give. A route the document gains is called the day it is added,
// and fails here until ROUTES says what it needs.

const ROLES = ['viewer', 'user', 'admin'] as const
type Role = (typeof ROLES)[number]
const rank = (role: Role) => ROLES.indexOf(role)

/**
 * What a route asks of its caller: a token of the organization it names with at least a role, the
 * operator's root token, the secret of the object in its path (no token), or nothing.
 */
type Need = Role | 'root' | 'secret' | 'anyone'

/** The objects routes act on. */
type Kind =
  | 'task'
  | 'job'
  | 'script'
  | 'token'
  | 'bot'
  | 'webhook'
  | 'subscription'
  | 'delivery'
  | 'quarantined'
  | 'schedule'
  | 'workflow'
  | 'workflow_run'

/**
 * What a task's acls hide from the callers below admin they do not show: the task, and what is
 * reached through it (its jobs, its script). The other objects are the whole organization's.
 */
const GUARDED: ReadonlySet<Kind> = new Set(['task', 'job', 'script', 'schedule', 'workflow', 'workflow_run'])

/** One object a request names: its id, and what else its path holds. */
interface Target {
  id: string
  secret?: string
  /** A delivery's id (`id` is its subscription's). */
  delivery?: string
}

/** What a request is built from: the organization it names, its object, the fixture. */
interface RequestContext {
  org: string
  target: Target
  fixture: Fixture
}

interface Fixture {
  botId: string
  scriptId: string
  /** The restricted task, which workflows run. */
  taskId: string
  recipe: Record<string, unknown>
  receiverUrl: string
}

interface Rule {
  need: Need
  /** The status of a caller the rules let through. */
  ok: number
  /** The object the path (or the query or body) names; one of another organization is never found. */
  object?: Kind
  /** The answer lists objects of this kind: the restricted one is listed to those who see it only. */
  lists?: Kind
  query?: (ctx: RequestContext) => Record<string, string>
  body?: (ctx: RequestContext) => unknown
  /** The answer is a stream that does not end (server-sent events): only its status and error body are read. */
  stream?: boolean
  /** More ways of calling the route (a query string each), each held to the same rules; `ok` if it answers otherwise. */
  variants?: { query: string; ok?: number }[]
}

let counter = 0
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`
const taskBody = (fixture: Fixture) => ({
  name: unique('task'),
  host_id: fixture.botId,
  script_id: fixture.scriptId,
  acls: RESTRICTED_ACLS,
})

/** A restricted workflow of one node running the restricted task. */
const workflowBody = (fixture: Fixture) => ({
  name: unique('workflow'),
  nodes: [{ key: 'only', task: fixture.taskId }],
  start: 'only',
  acls: RESTRICTED_ACLS,
})

/** The acls of the restricted task; callers "inside" carry the tag, callers "outside" another. */
const RESTRICTED_ACLS = ['team:ops']

/**
 * THE TABLE: every route of the OpenAPI document (`METHOD path`), what it needs and what it acts
 * on. A route missing here fails the test: classify it.
 */
const ROUTES: Record<string, Rule> = {
  'POST /admin/customers': { need: 'root', ok: 201, body: () => ({ name: unique('org') }) },
  'GET /admin/quarantine': { need: 'root', ok: 200 },
  // Nothing is quarantined: the root token reaches the route, which finds no such item.
  'POST /admin/quarantine/{service}/{id}/replay': { need: 'root', ok: 404, object: 'quarantined' },

  'POST /{customer}/token': {
    need: 'admin',
    ok: 201,
    body: () => ({ name: unique('token'), role: 'viewer' }),
  },
  'GET /{customer}/token': { need: 'admin', ok: 200 },
  'DELETE /{customer}/token/{id}': { need: 'admin', ok: 204, object: 'token' },

  'POST /{customer}/script': {
    need: 'admin',
    ok: 201,
    body: () => ({ filename: 'new.sh', content: 'echo new\n' }),
  },
  'GET /{customer}/script': { need: 'viewer', ok: 200, lists: 'script' },
  'GET /{customer}/script/{id}': { need: 'viewer', ok: 200, object: 'script' },
  'PUT /{customer}/script/{id}': {
    need: 'admin',
    ok: 200,
    object: 'script',
    body: () => ({ filename: 'put.sh', content: 'echo put\n' }),
  },
  'PATCH /{customer}/script/{id}': {
    need: 'admin',
    ok: 200,
    object: 'script',
    body: () => ({ description: 'patched' }),
  },
  'DELETE /{customer}/script/{id}': { need: 'admin', ok: 204, object: 'script' },

  'POST /{customer}/task': { need: 'admin', ok: 201, body: ({ fixture }) => taskBody(fixture) },
  'GET /{customer}/task': { need: 'viewer', ok: 200, lists: 'task' },
  'GET /{customer}/task/{id}': { need: 'viewer', ok: 200, object: 'task' },
  'PUT /{customer}/task/{id}': {
    need: 'admin',
    ok: 200,
    object: 'task',
    body: ({ fixture }) => taskBody(fixture),
  },
  'PATCH /{customer}/task/{id}': {
    need: 'admin',
    ok: 200,
    object: 'task',
    body: () => ({ description: 'patched' }),
  },
  'DELETE /{customer}/task/{id}': { need: 'admin', ok: 204, object: 'task' },
  'POST /{customer}/workflow': { need: 'admin', ok: 201, body: ({ fixture }) => workflowBody(fixture) },
  'GET /{customer}/workflow': { need: 'viewer', ok: 200, lists: 'workflow' },
  'GET /{customer}/workflow/{id}': {
    need: 'viewer',
    ok: 200,
    object: 'workflow',
    variants: [{ query: '' }, { query: 'version=1' }],
  },
  'PUT /{customer}/workflow/{id}': {
    need: 'admin',
    ok: 200,
    object: 'workflow',
    body: ({ fixture }) => workflowBody(fixture),
  },
  'PATCH /{customer}/workflow/{id}': {
    need: 'admin',
    ok: 200,
    object: 'workflow',
    body: () => ({ description: unique('patched') }),
  },
  'DELETE /{customer}/workflow/{id}': { need: 'admin', ok: 204, object: 'workflow' },
  'POST /{customer}/workflow/{id}/job': {
    need: 'user',
    ok: 201,
    object: 'workflow',
    body: () => ({ task_arguments: [] }),
  },
  'POST /{customer}/workflow/{id}/secret/{secret}/job': {
    need: 'secret',
    ok: 201,
    object: 'workflow',
    body: () => ({ task_arguments: [] }),
  },
  'GET /{customer}/workflow/{id}/credentials': { need: 'admin', ok: 200, object: 'workflow' },
  'POST /{customer}/workflow/{id}/credentials/rotate': { need: 'admin', ok: 200, object: 'workflow' },
  // The runs of the restricted workflow, to those who see it: the shared run is among them.
  'GET /{customer}/workflow/{id}/job': {
    need: 'viewer',
    ok: 200,
    object: 'workflow',
    lists: 'workflow_run',
  },
  'GET /{customer}/workflow/job/{id}': { need: 'viewer', ok: 200, object: 'workflow_run' },
  'PUT /{customer}/workflow/job/{id}/cancel': {
    need: 'user',
    ok: 200,
    object: 'workflow_run',
    body: () => ({}),
  },
  // No bot runs the shared run's job: the run is still running, and a retry of it is refused once the
  // caller passed the rules.
  'POST /{customer}/workflow/job/{id}/retry': { need: 'user', ok: 409, object: 'workflow_run' },
  'GET /{customer}/task/{id}/recipe': { need: 'admin', ok: 200, object: 'task' },
  'POST /{customer}/task/import': {
    need: 'admin',
    ok: 201,
    body: ({ fixture }) => ({ ...fixture.recipe, host_id: fixture.botId }),
  },
  'GET /{customer}/task/{id}/credentials': { need: 'admin', ok: 200, object: 'task' },
  'POST /{customer}/task/{id}/credentials/rotate': { need: 'admin', ok: 200, object: 'task' },

  'POST /{customer}/task/{id}/job': {
    need: 'user',
    ok: 201,
    object: 'task',
    body: () => [],
    // No bot runs the job: a run that waits for it answers 202 once the wait is over.
    variants: [{ query: '' }, { query: 'wait_result=true&wait_timeout=1', ok: 202 }],
  },
  'POST /{customer}/job': {
    need: 'user',
    ok: 201,
    object: 'task',
    body: ({ target }) => ({ task: target.id }),
  },
  'POST /job': {
    need: 'user',
    ok: 201,
    object: 'task',
    query: ({ org, target }) => ({ customer: org, task: target.id }),
    body: () => ({ task_arguments: [] }),
  },
  'POST /{customer}/task/{id}/secret/{secret}/job': {
    need: 'secret',
    ok: 201,
    object: 'task',
    body: () => [],
  },
  'POST /job/secret/{secret}': {
    need: 'secret',
    ok: 201,
    object: 'task',
    body: ({ org, target }) => ({ customer: org, task: target.id, task_arguments: [] }),
  },
  'DELETE /{customer}/task/{id}/job': { need: 'admin', ok: 200, object: 'task' },

  'GET /{customer}/job': { need: 'viewer', ok: 200, lists: 'job', query: () => ({ limit: '1000' }) },
  'GET /{customer}/job/{id}': { need: 'viewer', ok: 200, object: 'job' },
  'PUT /{customer}/job/{id}/cancel': { need: 'user', ok: 200, object: 'job', body: () => ({}) },
  'GET /{customer}/job/{id}/log': {
    need: 'viewer',
    ok: 200,
    object: 'job',
    variants: [{ query: '' }, { query: 'raw=true' }, { query: 'follow=true' }],
  },

  'POST /{customer}/task/{id}/schedule': {
    need: 'admin',
    ok: 201,
    object: 'task',
    body: () => ({ cron: '0 0 1 1 *', enabled: false }),
  },
  'GET /{customer}/task/{id}/schedule': { need: 'viewer', ok: 200, object: 'task' },
  'GET /{customer}/schedule': { need: 'viewer', ok: 200, lists: 'schedule' },
  'GET /{customer}/schedule/{id}': { need: 'viewer', ok: 200, object: 'schedule' },
  'PATCH /{customer}/schedule/{id}': {
    need: 'admin',
    ok: 200,
    object: 'schedule',
    body: () => ({ note: 'x' }),
  },
  'DELETE /{customer}/schedule/{id}': { need: 'admin', ok: 204, object: 'schedule' },
  'POST /{customer}/schedule/{id}/trigger': { need: 'admin', ok: 200, object: 'schedule' },
  'POST /{customer}/schedule/{id}/backfill': {
    need: 'admin',
    ok: 200,
    object: 'schedule',
    body: () => ({ from: '2020-06-01T00:00:00Z', to: '2020-06-02T00:00:00Z' }),
  },
  'GET /{customer}/schedule/{id}/preview': { need: 'viewer', ok: 200, object: 'schedule' },
  'GET /{customer}/schedule/{id}/fires': { need: 'viewer', ok: 200, object: 'schedule' },

  'POST /{customer}/bot': { need: 'admin', ok: 201, body: () => ({ name: unique('bot') }) },
  'GET /{customer}/bot': { need: 'viewer', ok: 200 },
  'GET /{customer}/events': { need: 'viewer', ok: 200, stream: true },
  // Console sessions take a token in the body and then a cookie, never a bearer token: an unknown
  // token is refused whoever sends it, a bearer token is no session, and signing out is harmless.
  'POST /session': { need: 'anyone', ok: 401, body: () => ({ token: 'not-a-token' }) },
  'GET /session': { need: 'anyone', ok: 401 },
  'DELETE /session': { need: 'anyone', ok: 204 },
  'POST /{customer}/bot/{id}/credentials': { need: 'admin', ok: 200, object: 'bot' },
  'DELETE /{customer}/bot/{id}': { need: 'admin', ok: 204, object: 'bot' },

  'POST /{customer}/subscription': {
    need: 'admin',
    ok: 201,
    body: ({ fixture }) => ({ url: fixture.receiverUrl }),
  },
  'GET /{customer}/subscription': { need: 'admin', ok: 200 },
  'GET /{customer}/subscription/{id}': { need: 'admin', ok: 200, object: 'subscription' },
  'PATCH /{customer}/subscription/{id}': {
    need: 'admin',
    ok: 200,
    object: 'subscription',
    body: () => ({ description: 'patched' }),
  },
  'DELETE /{customer}/subscription/{id}': { need: 'admin', ok: 204, object: 'subscription' },
  'POST /{customer}/subscription/{id}/secret/rotate': { need: 'admin', ok: 200, object: 'subscription' },
  'GET /{customer}/subscription/{id}/delivery': { need: 'admin', ok: 200, object: 'subscription' },
  'POST /{customer}/subscription/{id}/delivery/{delivery}/retry': {
    need: 'admin',
    ok: 202,
    object: 'delivery',
  },

  'POST /{customer}/webhook': { need: 'admin', ok: 201, body: () => ({ name: unique('hook') }) },
  'GET /{customer}/webhook': { need: 'admin', ok: 200 },
  'GET /{customer}/webhook/{id}': { need: 'admin', ok: 200, object: 'webhook' },
  'DELETE /{customer}/webhook/{id}': { need: 'admin', ok: 204, object: 'webhook' },
  'POST /{customer}/webhook/{id}/trigger/secret/{secret}': {
    need: 'secret',
    ok: 202,
    object: 'webhook',
    body: () => ({ fired: true }),
  },
}

/** One caller of the matrix. Members carry the restricted task's tag (inside) or another (outside). */
interface Caller {
  label: string
  kind: 'member' | 'root' | 'anonymous'
  /** A member's organization. */
  org?: string
  role: Role
  inside: boolean
  token?: string
}

/** Whether the caller sees the restricted task, and what is reached through it. */
const seesRestricted = (caller: Caller) => caller.role === 'admin' || caller.inside

/**
 * THE RULES: the status a caller gets from a route when the request names the organization `org`;
 * every object of the matrix belongs to `own`.
 */
function expected(rule: Rule, caller: Caller, org: string, own: string): number {
  if (rule.need === 'anyone') return rule.ok
  // The secret in the path is the credential, and a token changes nothing. It opens its own object
  // only: named with another organization it is a wrong secret (401, as for an unknown object).
  if (rule.need === 'secret') return org === own ? rule.ok : 401
  if (caller.kind === 'anonymous') return 401
  if (rule.need === 'root') return caller.kind === 'root' ? rule.ok : 403
  // The root token acts as an admin of every organization.
  if (caller.kind === 'member' && caller.org !== org) return 404
  if (rank(caller.role) < rank(rule.need)) return 403
  if (rule.object !== undefined && org !== own) return 404
  if (rule.object !== undefined && GUARDED.has(rule.object) && !seesRestricted(caller)) return 404
  return rule.ok
}

/** `METHOD path` of every operation of an OpenAPI document, with whether it asks for no credential. */
function documentedRoutes(document: unknown): Map<string, { anonymous: boolean }> {
  const paths = (document as { paths?: Record<string, Record<string, { security?: unknown[] }>> }).paths
  const routes = new Map<string, { anonymous: boolean }>()
  for (const [path, operations] of Object.entries(paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method)) continue
      routes.set(`${method.toUpperCase()} ${path}`, {
        anonymous: Array.isArray(operation.security) && operation.security.length === 0,
      })
    }
  }
  return routes
}

describe('security: every route of the OpenAPI document × role × acl × organization', () => {
  /** A GET whose answer may be an endless stream: its status, and its JSON body when it is an error. */
  async function streamStatus(path: string, token: string | undefined) {
    const controller = new AbortController()
    const response = await fetch(`${platform.gatewayUrl}${path}`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      signal: controller.signal,
    })
    const text = response.status >= 400 ? await response.text() : ''
    controller.abort()
    const body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
    return { status: response.status, text, body, json: body, headers: response.headers }
  }
  let platform: Platform
  let dataDir: string
  let receiver: Server
  let call: GatewayCall
  let own: string
  let other: string
  let admin: string
  let document: unknown
  const fixture = {} as Fixture
  const callers: Caller[] = []
  /** One object of each kind, of the organization `own`; the guarded ones are restricted. */
  const shared = {} as Record<Kind, Target>
  /** Makes a new object of a kind, for a request that may change or use up the one it names. */
  const fresh = {} as Partial<Record<Kind, () => Promise<Target>>>

  /** An admin call of the fixture, which must succeed. */
  const asAdmin = async (method: string, path: string, json?: unknown) =>
    expectStatus(call, method === 'POST' ? 201 : 200, method, path, { token: admin, json })

  beforeAll(async () => {
    receiver = createServer((_request, response) => response.writeHead(204).end())
    receiver.listen(0, '127.0.0.1')
    await once(receiver, 'listening')
    fixture.receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`

    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-route-matrix-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      // No bot runs: jobs stay queued, so each can be canceled, and a log ends once its job is.
      withBot: false,
      env: { WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8' },
    })
    call = gatewayClient(platform.gatewayUrl)
    own = platform.credentials.customer
    admin = platform.credentials.admin_token
    fixture.botId = platform.credentials.bot.id
    document = (await expectStatus(call, 200, 'GET', '/openapi.json')).json

    const newScript = async () =>
      ({
        id: idOf(await asAdmin('POST', `/${own}/script`, { filename: 'job.sh', content: 'echo job\n' })),
      }) satisfies Target
    // Only the restricted task runs the shared script: below admin it is seen through that task.
    fixture.scriptId = (await newScript()).id
    const newTask = async (): Promise<Target> => {
      const id = idOf(await asAdmin('POST', `/${own}/task`, taskBody(fixture)))
      const credentials = await asAdmin('GET', `/${own}/task/${id}/credentials`)
      return { id, secret: idOf(credentials, 'secret') }
    }
    shared.task = await newTask()
    fixture.taskId = shared.task.id
    const newWorkflow = async (): Promise<Target> => {
      const id = idOf(await asAdmin('POST', `/${own}/workflow`, workflowBody(fixture)))
      const credentials = await asAdmin('GET', `/${own}/workflow/${id}/credentials`)
      return { id, secret: idOf(credentials, 'secret') }
    }
    // Runs of the restricted workflow: below admin they are seen through its acls.
    const newWorkflowRun = async () => ({
      id: idOf(await asAdmin('POST', `/${own}/workflow/${shared.workflow.id}/job`, { task_arguments: [] })),
    })
    fixture.recipe = (await asAdmin('GET', `/${own}/task/${shared.task.id}/recipe`)).body
    const newJob = async () => ({ id: idOf(await asAdmin('POST', `/${own}/task/${shared.task.id}/job`, [])) })
    const newToken = async () => ({
      id: (await issueToken(call, own, admin, { name: unique('spare'), role: 'viewer' })).id,
    })
    const newBot = async () => ({ id: idOf(await asAdmin('POST', `/${own}/bot`, { name: unique('bot') })) })
    const newWebhook = async () => {
      const created = await asAdmin('POST', `/${own}/webhook`, { name: unique('hook') })
      return { id: idOf(created), secret: idOf(created, 'secret') }
    }
    // Schedules of the restricted task, paused: below admin they are seen through its acls.
    const newSchedule = async () => ({
      id: idOf(
        await asAdmin('POST', `/${own}/task/${shared.task.id}/schedule`, {
          cron: '0 0 1 1 *',
          enabled: false,
        }),
      ),
    })
    const newSubscription = async () => ({
      id: idOf(await asAdmin('POST', `/${own}/subscription`, { url: fixture.receiverUrl })),
    })
    Object.assign(fresh, {
      task: newTask,
      job: newJob,
      script: newScript,
      token: newToken,
      bot: newBot,
      webhook: newWebhook,
      subscription: newSubscription,
      schedule: newSchedule,
      workflow: newWorkflow,
      workflow_run: newWorkflowRun,
    })

    // The shared job has ended (canceled), so following its log ends at once.
    shared.job = await newJob()
    await expectStatus(call, 200, 'PUT', `/${own}/job/${shared.job.id}/cancel`, { token: admin, json: {} })
    shared.script = { id: fixture.scriptId }
    shared.token = await newToken()
    shared.bot = await newBot()
    shared.webhook = await newWebhook()
    shared.subscription = await newSubscription()
    shared.schedule = await newSchedule()
    shared.workflow = await newWorkflow()
    shared.workflow_run = await newWorkflowRun()
    shared.delivery = { id: shared.subscription.id, delivery: await firstDelivery(shared.subscription.id) }
    shared.quarantined = { id: '00000000-0000-4000-8000-000000000000' }

    const otherOrganization = await expectStatus(call, 201, 'POST', '/admin/customers', {
      token: platform.rootToken,
      json: { name: 'globex' },
    })
    other = 'globex'
    const tokens = { [own]: admin, [other]: idOf(otherOrganization, 'admin_token') }
    for (const org of [own, other]) {
      for (const role of ROLES) {
        for (const inside of [true, false]) {
          const name = `${role}-${inside ? 'inside' : 'outside'}`
          const tags = [inside ? RESTRICTED_ACLS[0]! : 'team:dev']
          const { token } = await issueToken(call, org, tokens[org]!, { name, role, tags })
          callers.push({ label: `${org} ${name}`, kind: 'member', org, role, inside, token })
        }
      }
    }
    callers.push({ label: 'root', kind: 'root', role: 'admin', inside: true, token: platform.rootToken })
    callers.push({ label: 'no token', kind: 'anonymous', role: 'viewer', inside: false })
  }, 240_000)

  afterAll(async () => {
    await platform?.stop()
    receiver?.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  /** The subscription's first delivery (the ping it is sent when created). */
  async function firstDelivery(subscriptionId: string): Promise<string> {
    for (let tries = 0; tries < 300; tries++) {
      const list = await asAdmin('GET', `/${own}/subscription/${subscriptionId}/delivery`)
      const [first] = list.json as { id: string }[]
      if (first !== undefined) return first.id
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`subscription ${subscriptionId} got no delivery`)
  }

  /** The request a route is called with, naming `org` and `target`. */
  function requestOf(route: string, rule: Rule, ctx: RequestContext, variant: string) {
    const [method, template] = route.split(' ') as [string, string]
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value =
        name === 'customer'
          ? ctx.org
          : name === 'id'
            ? ctx.target.id
            : name === 'secret'
              ? ctx.target.secret
              : name === 'delivery'
                ? ctx.target.delivery
                : name === 'service'
                  ? 'task-catalog'
                  : undefined
      if (value === undefined) throw new Error(`${route}: nothing fills {${name}}; say how in requestOf`)
      return encodeURIComponent(value)
    })
    const query = new URLSearchParams(rule.query?.(ctx)).toString()
    const search = [query, variant].filter(Boolean).join('&')
    return { method, path: search === '' ? path : `${path}?${search}`, json: rule.body?.(ctx) }
  }

  /** Whether a list answer holds the object. */
  const lists = (answer: Answer, id: string) =>
    Array.isArray(answer.json) && (answer.json as { id?: unknown }[]).some((item) => item.id === id)

  it('knows every route of the document, and only those', () => {
    const documented = documentedRoutes(document)
    const unknown = [...documented.keys()].filter((route) => !(route in ROUTES))
    expect(unknown, 'routes to classify in ROUTES (test/security/route-matrix.e2e.spec.ts)').toEqual([])
    const gone = Object.keys(ROUTES).filter((route) => !documented.has(route))
    expect(gone, 'rows of ROUTES no route of the document has').toEqual([])
    // The document and the table agree on which routes take no token.
    const disagree = [...documented]
      .filter(
        ([route, { anonymous }]) =>
          ROUTES[route]?.need !== 'anyone' && (ROUTES[route]?.need === 'secret') !== anonymous,
      )
      .map(([route]) => route)
    expect(disagree, 'routes whose security in the document contradicts ROUTES').toEqual([])
  })

  it('answers every route as the rules say, for every role, inside and outside the acls, in and out of the organization', async () => {
    const mismatches: string[] = []
    let cells = 0
    for (const route of documentedRoutes(document).keys()) {
      const rule = ROUTES[route]
      if (rule === undefined) continue
      const [method] = route.split(' ')
      for (const caller of callers) {
        // A member of another organization names ours, and, where the route lists or names an
        // object, its own with our object.
        const orgs =
          caller.kind === 'member' && caller.org !== own
            ? rule.object !== undefined || rule.lists !== undefined
              ? [own, other]
              : [own]
            : [own]
        for (const org of orgs) {
          for (const variant of rule.variants ?? [{ query: '' }]) {
            const want = expected({ ...rule, ok: variant.ok ?? rule.ok }, caller, org, own)
            // A request that may change or use up its object, and is to succeed, gets its own.
            const make = rule.object === undefined ? undefined : fresh[rule.object]
            const target =
              rule.object === undefined
                ? { id: '' }
                : method !== 'GET' && want < 300 && make !== undefined
                  ? await make()
                  : shared[rule.object]
            const request = requestOf(route, rule, { org, target, fixture }, variant.query)
            const answer = rule.stream
              ? await streamStatus(request.path, caller.token)
              : await call(request.method, request.path, {
                  token: caller.token,
                  json: request.json,
                })
            cells++
            const where = `${route}${variant.query ? `?${variant.query}` : ''} by ${caller.label} naming ${org}`
            if (answer.status !== want) {
              mismatches.push(`${where}: ${answer.status}, expected ${want}: ${answer.text.slice(0, 200)}`)
              continue
            }
            if (answer.status >= 400 && answer.status !== 405) {
              expect(answer.body, where).toMatchObject({ statusCode: want, code: expect.any(String) })
            }
            if (rule.lists !== undefined && answer.status === 200) {
              const seen = org === own && seesRestricted(caller)
              if (lists(answer, shared[rule.lists].id) !== seen)
                mismatches.push(`${where}: the restricted ${rule.lists} is ${seen ? 'missing' : 'listed'}`)
            }
          }
        }
      }
    }
    expect(mismatches).toEqual([])
    expect(cells).toBeGreaterThan(Object.keys(ROUTES).length * callers.length)
  }, 900_000)
})
