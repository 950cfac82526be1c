import { connect } from 'node:net'
import type { Limit, LimitKey } from '@taskforge/core'
import { WorkflowDefinition } from '@taskforge/proto/catalog/v1/model'
import { expect } from 'vitest'
import { expectStatus, idOf } from './fixtures.js'
import type { CallOptions, GatewayCall } from './gateway-client.js'

/** What the inputs need of a running platform: an organization, its bot, script, task and webhook. */
export interface LimitFixture {
  customer: string
  rootToken: string
  adminToken: string
  botId: string
  scriptId: string
  /** A task on the bot whose 8 arguments are all optional inputs. */
  taskId: string
  webhook: { id: string; secret: string }
  /** A new job that has not started (its bot is offline): it can be canceled. */
  newIdleJob(): Promise<string>
}

/** A request through the gateway client, or a whole HTTP/1.1 request sent as is (for the headers). */
export type LimitRequest = { method: string; path: string; options: CallOptions } | { raw: string }

/** How to reach one limit through the public API. */
export interface LimitInput {
  /** A request whose input for the limit has size `n` (bytes, items or entries, as the limit counts). */
  request(n: number, fixture: LimitFixture): LimitRequest | Promise<LimitRequest>
  /**
   * The status at the limit. Absent where an input of exactly the limit cannot otherwise be valid (an
   * id of 100 bytes names no bot): the answer at the limit is then only not the limit's refusal.
   */
  accepted?: number
}

const HEAD = 'aé€😀'
/** Exactly `n` bytes of UTF-8, mixing 1- to 4-byte characters when there is room, so bytes ≠ length. */
export function textOfBytes(n: number): string {
  return n >= 10 ? HEAD + 'x'.repeat(n - 10) : 'x'.repeat(n)
}

const workflow = (f: LimitFixture, fields: Record<string, unknown>) =>
  asAdmin(f, 'POST', `/${f.customer}/workflow`, {
    name: 'limits',
    nodes: [{ key: 'a', task: f.taskId }],
    start: 'a',
    ...fields,
  })
/** `n` task nodes of the fixture's task, `k0` first, and an edge from `k0` to each other one. */
const fan = (f: LimitFixture, n: number) => ({
  nodes: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, task: f.taskId })),
  edges: Array.from({ length: n - 1 }, (_, i) => ({ from: 'k0', to: `k${i + 1}` })),
  start: 'k0',
})
/** `n` distinct edges between 40 nodes, each from a node to a later one, `k0` reaching every node. */
function manyEdges(f: LimitFixture, n: number) {
  const edges: { from: string; to: string }[] = []
  for (let i = 0; i < 40 && edges.length < n; i++)
    for (let j = i + 1; j < 40 && edges.length < n; j++) edges.push({ from: `k${i}`, to: `k${j}` })
  return { ...fan(f, 40), edges }
}

/**
 * A workflow whose definition, as the catalog stores it (protobuf), is exactly `n` bytes: a chain of
 * task nodes whose fixed arguments fill it, three values of at most 64 KiB per node (a node's fixed
 * values are held to a run's 256 KiB). Every default is given as the catalog fills it in, so the
 * gateway's count and the catalog's agree.
 */
function workflowOfSize(f: LimitFixture, n: number) {
  const nodesOf = (values: string[]) =>
    Array.from({ length: Math.ceil(values.length / 3) }, (_, i) => ({
      key: `n${i}`,
      task: f.taskId,
      arguments: values.slice(i * 3, i * 3 + 3),
      join: 'all',
    }))
  const sizeOf = (values: string[]) => {
    const nodes = nodesOf(values)
    return WorkflowDefinition.encode(
      WorkflowDefinition.fromPartial({
        name: 'n',
        nodes: nodes.map((node) => ({
          key: node.key,
          step: { $case: 'taskId', value: node.task },
          arguments: node.arguments.map((value) => ({ source: { $case: 'value', value } })),
          retry: { max: 0, backoff: 0 },
          join: 'all',
        })),
        edges: nodes.slice(1).map((node, i) => ({ from: `n${i}`, to: node.key, on: 'success' })),
        start: 'n0',
        multitasking: true,
      }),
    ).finish().length
  }
  let text = n
  let values = split(text, 64 * 1024)
  for (let tries = 0; tries < 20 && sizeOf(values) !== n; tries++) {
    text -= sizeOf(values) - n
    values = split(text, 64 * 1024)
  }
  if (sizeOf(values) !== n) throw new Error(`no workflow of exactly ${n} bytes`)
  const nodes = nodesOf(values)
  return {
    name: 'n',
    nodes,
    edges: nodes.slice(1).map((node, i) => ({ from: `n${i}`, to: node.key, on: 'success' })),
    start: 'n0',
    multitasking: true,
  }
}

/** `n` bytes split into values of at most `each` bytes. */
function split(n: number, each: number): string[] {
  const values: string[] = []
  for (let left = n; left > 0; left -= each) values.push(textOfBytes(Math.min(each, left)))
  return values
}

const asAdmin = (f: LimitFixture, method: string, path: string, json: unknown): LimitRequest => ({
  method,
  path,
  options: { token: f.adminToken, json },
})
const run = (f: LimitFixture, options: CallOptions): LimitRequest => ({
  method: 'POST',
  path: `/${f.customer}/task/${f.taskId}/job`,
  options: { token: f.adminToken, ...options },
})
const task = (f: LimitFixture, fields: Record<string, unknown>) =>
  asAdmin(f, 'POST', `/${f.customer}/task`, {
    name: 'limits',
    host_id: f.botId,
    script_id: f.scriptId,
    ...fields,
  })
const script = (f: LimitFixture, fields: Record<string, unknown>) =>
  asAdmin(f, 'POST', `/${f.customer}/script`, { filename: 'limits.sh', content: 'echo\n', ...fields })
const subscription = (f: LimitFixture, fields: Record<string, unknown>) =>
  asAdmin(f, 'POST', `/${f.customer}/subscription`, { url: 'https://receiver.example/hook', ...fields })
/** `n` distinct names of one letter and digits, valid as env names. */
const names = (n: number) => Array.from({ length: n }, (_, i) => `V${i}`)
/** A name of exactly `n` characters no other call gave, from `[a-z0-9]`. */
const unique = (n: number) => `${Math.random().toString(36).slice(2, 10)}${'z'.repeat(n)}`.slice(0, n)

/**
 * Every limit of core's `Limits`, with a request that puts an input of a chosen size where the limit
 * applies. A suite tries each at `value` (accepted) and `value + 1` (refused with the limit's status
 * and a message naming it).
 */
export const LIMIT_INPUTS: Record<LimitKey, LimitInput> = {
  requestBody: {
    // Unknown fields of a run body are ignored: padding makes the body exactly n bytes.
    request: (n, f) =>
      run(f, { raw: { contentType: 'application/json', body: `{"pad":"${'x'.repeat(n - 10)}"}` } }),
    accepted: 201,
  },
  requestHeaders: {
    // Node counts the URL, header names and header values (not the method, separators or line ends).
    request: (n, f) => {
      const path = `/${f.customer}/task`
      const headers: [string, string][] = [
        ['Host', 'gateway'],
        ['Authorization', `Bearer ${f.adminToken}`],
        ['Connection', 'close'],
      ]
      const counted = headers.reduce((sum, [name, value]) => sum + name.length + value.length, path.length)
      headers.push(['X-Pad', 'p'.repeat(n - counted - 'X-Pad'.length)])
      return { raw: `GET ${path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n` }
    },
    accepted: 200,
  },
  idempotencyKey: {
    request: (n, f) => run(f, { json: [], headers: { 'idempotency-key': `k${'-'.repeat(n - 2)}k` } }),
    accepted: 201,
  },
  taskArgument: { request: (n, f) => run(f, { json: { task_arguments: [textOfBytes(n)] } }), accepted: 201 },
  taskArguments: {
    request: (n, f) => run(f, { json: { task_arguments: split(n, 64 * 1024) } }),
    accepted: 201,
  },
  // A run gives one value per argument definition (100 at most): past that the scheduler refuses the
  // count of values (422 VALIDATION_FAILED) before any limit could; the limit holds for triggers too.
  taskArgumentCount: { request: (n, f) => run(f, { json: Array(n).fill('') }) },
  taskName: { request: (n, f) => task(f, { name: textOfBytes(n) }), accepted: 201 },
  taskDescription: { request: (n, f) => task(f, { description: textOfBytes(n) }), accepted: 201 },
  taskRunAs: { request: (n, f) => task(f, { run_as: textOfBytes(n) }), accepted: 201 },
  objectId: { request: (n, f) => task(f, { host_id: 'b'.repeat(n) }) },
  taskTag: { request: (n, f) => task(f, { tags: [textOfBytes(n)] }), accepted: 201 },
  taskTagCount: { request: (n, f) => task(f, { tags: Array(n).fill('t') }), accepted: 201 },
  taskAcl: { request: (n, f) => task(f, { acls: [textOfBytes(n)] }), accepted: 201 },
  taskAclCount: { request: (n, f) => task(f, { acls: Array(n).fill('admin') }), accepted: 201 },
  taskTriggerCount: {
    request: (n, f) => task(f, { triggers: Array(n).fill({ webhook_id: f.webhook.id }) }),
    accepted: 201,
  },
  taskArgumentDefinitionCount: {
    request: (n, f) =>
      task(f, { task_arguments: Array.from({ length: n }, (_, order) => ({ order, type: 'input' })) }),
    accepted: 201,
  },
  // Only known types are valid, and none is that long.
  taskArgumentType: { request: (n, f) => task(f, { task_arguments: [{ order: 0, type: 't'.repeat(n) }] }) },
  taskArgumentLabel: {
    request: (n, f) => task(f, { task_arguments: [{ order: 0, type: 'input', label: textOfBytes(n) }] }),
    accepted: 201,
  },
  taskArgumentOptionCount: {
    request: (n, f) =>
      task(f, { task_arguments: [{ order: 0, type: 'select', options: Array(n).fill('o') }] }),
    accepted: 201,
  },
  envCount: {
    request: (n, f) => task(f, { env: Object.fromEntries(names(n).map((name) => [name, ''])) }),
    accepted: 201,
  },
  envName: { request: (n, f) => task(f, { env: { ['E'.repeat(n)]: '' } }), accepted: 201 },
  envValue: { request: (n, f) => task(f, { env: { E: textOfBytes(n) } }), accepted: 201 },
  env: {
    // Three names of 3 bytes, the values sharing the rest (each within its own limit).
    request: (n, f) => {
      const left = n - 9
      const sizes = [0, 1, 2].map((i) => Math.floor(left / 3) + (i < left % 3 ? 1 : 0))
      return task(f, { env: Object.fromEntries(sizes.map((size, i) => [`V0${i}`, textOfBytes(size)])) })
    },
    accepted: 201,
  },
  taskDefinition: {
    // name, host_id and script_id, then fixed arguments (their type counts) filling the rest.
    request: (n, f) => {
      const base = 1 + f.botId.length + f.scriptId.length
      const count = Math.ceil((n - base) / (64 * 1024 + 5))
      const values = split(n - base - 5 * count, 64 * 1024)
      return task(f, {
        name: 'n',
        task_arguments: values.map((value, order) => ({ order, type: 'fixed', value })),
      })
    },
    accepted: 201,
  },
  scriptContent: { request: (n, f) => script(f, { content: textOfBytes(n) }), accepted: 201 },
  scriptFilename: { request: (n, f) => script(f, { filename: textOfBytes(n) }), accepted: 201 },
  scriptDescription: { request: (n, f) => script(f, { description: textOfBytes(n) }), accepted: 201 },
  webhookName: {
    request: (n, f) => asAdmin(f, 'POST', `/${f.customer}/webhook`, { name: textOfBytes(n) }),
    accepted: 201,
  },
  webhookPayload: {
    // The payload's JSON text: a string of n - 2 ASCII characters and its quotes.
    request: (n, f) => ({
      method: 'POST',
      path: `/${f.customer}/webhook/${f.webhook.id}/trigger/secret/${f.webhook.secret}`,
      options: { json: 'w'.repeat(n - 2) },
    }),
    accepted: 202,
  },
  subscriptionUrl: {
    request: (n, f) => {
      const base = 'https://receiver.example/'
      return subscription(f, { url: base + 'u'.repeat(n - base.length) })
    },
    accepted: 201,
  },
  subscriptionEventCount: {
    request: (n, f) => subscription(f, { events: Array(n).fill('*') }),
    accepted: 201,
  },
  // Only known event names are valid, and none is that long.
  subscriptionEvent: { request: (n, f) => subscription(f, { events: ['e'.repeat(n)] }) },
  subscriptionDescription: {
    request: (n, f) => subscription(f, { description: textOfBytes(n) }),
    accepted: 201,
  },
  organizationName: {
    request: (n, f) => ({
      method: 'POST',
      path: '/admin/customers',
      options: { token: f.rootToken, json: { name: unique(n) } },
    }),
    accepted: 201,
  },
  tokenName: {
    request: (n, f) => asAdmin(f, 'POST', `/${f.customer}/token`, { name: textOfBytes(n), role: 'viewer' }),
    accepted: 201,
  },
  tokenTag: {
    request: (n, f) =>
      asAdmin(f, 'POST', `/${f.customer}/token`, { name: 't', role: 'viewer', tags: [textOfBytes(n)] }),
    accepted: 201,
  },
  tokenTagCount: {
    request: (n, f) =>
      asAdmin(f, 'POST', `/${f.customer}/token`, { name: 't', role: 'viewer', tags: Array(n).fill('t') }),
    accepted: 201,
  },
  botName: {
    request: (n, f) => asAdmin(f, 'POST', `/${f.customer}/bot`, { name: unique(n) }),
    accepted: 201,
  },
  cancelReason: {
    request: async (n, f) =>
      asAdmin(f, 'PUT', `/${f.customer}/job/${await f.newIdleJob()}/cancel`, { reason: textOfBytes(n) }),
    accepted: 200,
  },
  stepComment: {
    // A job that is no workflow step: at the limit the vote is refused for that (not for its
    // comment), past it for the comment, which is checked first.
    request: async (n, f) =>
      asAdmin(f, 'PUT', `/${f.customer}/job/${await f.newIdleJob()}/approve`, { comment: textOfBytes(n) }),
  },
  workflowNodeCount: {
    request: (n, f) => asAdmin(f, 'POST', `/${f.customer}/workflow`, { name: 'nodes', ...fan(f, n) }),
    accepted: 201,
  },
  workflowEdgeCount: {
    request: (n, f) => asAdmin(f, 'POST', `/${f.customer}/workflow`, { name: 'edges', ...manyEdges(f, n) }),
    accepted: 201,
  },
  workflowNodeKey: {
    request: (n, f) => {
      const key = `k${'e'.repeat(n - 1)}`
      return workflow(f, { nodes: [{ key, task: f.taskId }], start: key })
    },
    accepted: 201,
  },
  workflowEventName: {
    request: (n, f) =>
      workflow(f, {
        nodes: [
          { key: 'a', task: f.taskId },
          { key: 'b', task: f.taskId },
        ],
        edges: [{ from: 'a', to: 'b', on: `e${'v'.repeat(n - 1)}` }],
      }),
    accepted: 201,
  },
  workflowApproverCount: {
    request: (n, f) =>
      workflow(f, { nodes: [{ key: 'a', approval: { approvers: Array(n).fill('admin') } }] }),
    accepted: 201,
  },
  workflowDefinition: {
    request: (n, f) => asAdmin(f, 'POST', `/${f.customer}/workflow`, workflowOfSize(f, n)),
    accepted: 201,
  },
  scheduleCron: {
    // Spaces between fields count and change nothing: a yearly cron padded to n bytes.
    request: (n, f) =>
      asAdmin(f, 'POST', `/${f.customer}/task/${f.taskId}/schedule`, {
        cron: `0${' '.repeat(n - 8)}0 1 1 *`,
        enabled: false,
      }),
    accepted: 201,
  },
  scheduleNote: {
    request: (n, f) =>
      asAdmin(f, 'POST', `/${f.customer}/task/${f.taskId}/schedule`, {
        cron: '0 0 1 1 *',
        enabled: false,
        note: textOfBytes(n),
      }),
    accepted: 201,
  },
}

/** A gateway's answer to a limit request. */
export interface LimitAnswer {
  status: number
  body: Record<string, unknown>
}

/** Sends a whole HTTP/1.1 request as is and reads the answer's status and body. */
function sendRaw(url: string, raw: string): Promise<LimitAnswer> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(raw))
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const [head = '', body = ''] = text.split('\r\n\r\n')
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0)
      let json: unknown
      try {
        json = JSON.parse(body)
      } catch {
        json = {}
      }
      resolve({ status, body: (json ?? {}) as Record<string, unknown> })
    })
  })
}

/** Sends a limit request to the gateway at `gatewayUrl`: through `call`, or raw. */
export function limitSender(
  gatewayUrl: string,
  call: GatewayCall,
): (request: LimitRequest) => Promise<LimitAnswer> {
  return async (request) => {
    if ('raw' in request) return sendRaw(gatewayUrl, request.raw)
    const answer = await call(request.method, request.path, request.options)
    return { status: answer.status, body: answer.body }
  }
}

/**
 * What the limit inputs need, made in an organization through its admin: a script (`script`), a task
 * on `botId` with 8 optional inputs, an incoming webhook, and a task on a bot no agent runs (its jobs
 * wait, so they can be canceled).
 */
export async function limitFixture(
  call: GatewayCall,
  organization: { customer: string; adminToken: string; rootToken: string; botId: string },
  script: string,
): Promise<LimitFixture> {
  const { customer, adminToken, rootToken, botId } = organization
  const as = { token: adminToken }
  const scriptId = idOf(
    await expectStatus(call, 201, 'POST', `/${customer}/script`, {
      ...as,
      json: { filename: 'report.sh', content: script },
    }),
  )
  const inputs = Array.from({ length: 8 }, (_, order) => ({ order, type: 'input', label: `a${order}` }))
  const taskId = idOf(
    await expectStatus(call, 201, 'POST', `/${customer}/task`, {
      ...as,
      json: {
        name: 'report',
        host_id: botId,
        script_id: scriptId,
        task_arguments: inputs,
        run_as: 'sh %script%',
      },
    }),
  )
  const webhook = await expectStatus(call, 201, 'POST', `/${customer}/webhook`, {
    ...as,
    json: { name: 'hook' },
  })
  const idleBot = idOf(
    await expectStatus(call, 201, 'POST', `/${customer}/bot`, { ...as, json: { name: 'idle' } }),
  )
  const idleTask = idOf(
    await expectStatus(call, 201, 'POST', `/${customer}/task`, {
      ...as,
      json: { name: 'waits', host_id: idleBot, script_id: scriptId },
    }),
  )
  return {
    customer,
    rootToken,
    adminToken,
    botId,
    scriptId,
    taskId,
    webhook: { id: idOf(webhook), secret: idOf(webhook, 'secret') },
    newIdleJob: async () =>
      idOf(await expectStatus(call, 201, 'POST', `/${customer}/task/${idleTask}/job`, { ...as, json: [] })),
  }
}

const LIMIT_CODES = ['LIMIT_EXCEEDED', 'PAYLOAD_TOO_LARGE', 'HEADERS_TOO_LARGE']

/** An input of exactly the limit is accepted; one more byte or item is refused with its status, naming it. */
export async function expectLimitHeld(
  limit: Limit & { readonly key: LimitKey },
  fixture: LimitFixture,
  send: (request: LimitRequest) => Promise<LimitAnswer>,
): Promise<void> {
  const input = LIMIT_INPUTS[limit.key]
  const atLimit = await send(await input.request(limit.value, fixture))
  if (input.accepted !== undefined) {
    expect(atLimit.status, JSON.stringify(atLimit.body).slice(0, 300)).toBe(input.accepted)
  } else {
    expect(atLimit.status).toBeLessThan(500)
    expect(LIMIT_CODES).not.toContain(atLimit.body.code)
  }
  const past = await send(await input.request(limit.value + 1, fixture))
  expect(past.status, JSON.stringify(past.body).slice(0, 300)).toBe(limit.status)
  expect(past.body.message).toMatch(
    new RegExp(`the limit is ${limit.value} ${limit.unit} \\(${limit.name}\\)$`),
  )
  expect(past.body.details).toMatchObject({ limit: limit.name, maximum: limit.value })
}
