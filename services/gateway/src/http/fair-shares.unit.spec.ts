import { type AddressInfo, connect } from 'node:net'
import { Quotas, quotaExceeded } from '@taskforge/core'
import { Task } from '@taskforge/proto/catalog/v1/model'
import { Job } from '@taskforge/proto/jobs/v1/model'
import type { RunTaskRequest } from '@taskforge/proto/jobs/v1/scheduler_service'
import { createLogger } from '@taskforge/telemetry'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Accounts, Caller } from '../accounts/accounts.js'
import type { Clients } from '../clients/clients.js'
import { buildHttpServer } from './server.js'

const ROOT = 'r'.repeat(64)
const TASK = '0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d'
const FULL_TASK = '0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2f'
const SECRET = 'ab'.repeat(32)
const RUNS_PER_SECOND = 3

const callers: Record<string, Caller> = {
  'token-a': { kind: 'token', customer: 'acme', role: 'admin', name: 'a', tokenId: 'id-a', tags: [] },
  'token-b': { kind: 'token', customer: 'acme', role: 'admin', name: 'b', tokenId: 'id-b', tags: [] },
}

// The gateway's quotas and timeouts through its real server, routes and error handling; the services
// behind it are stand-ins. What the services decide (queued jobs, subscriptions) is tested with them.
describe('the gateway keeps each caller to its share', () => {
  let app: FastifyInstance
  let port: number

  beforeAll(async () => {
    const accounts = {
      authenticate: async (token: string) => callers[token],
      customerExists: async () => true,
    } as unknown as Accounts
    const clients = {
      scheduler: {
        runTask: async (request: RunTaskRequest) => {
          if (request.taskId === FULL_TASK)
            throw quotaExceeded(Quotas.queuedJobsPerTask, 1000, `task ${FULL_TASK} has 1000 jobs not started`)
          return { job: Job.fromPartial({ id: TASK, customer: request.customer, lifecycle: 'ready' }) }
        },
      },
      catalog: {
        authorizeSecretRun: async (request: { customer: string; taskId: string }) => ({
          task: Task.fromPartial({ id: request.taskId, customer: 'acme' }),
        }),
      },
    } as unknown as Clients
    app = await buildHttpServer({
      accounts,
      clients,
      rootToken: ROOT,
      corsOrigins: [],
      logger: createLogger('test'),
      quarantines: {
        gateway: {
          listQuarantine: async () => ({ items: [] }),
          replayQuarantined: async () => ({ item: undefined }),
        },
      },
      runsPerSecond: RUNS_PER_SECOND,
      timeouts: { requestMs: 1_000, headersMs: 500, idleMs: 120_000 },
      logFollowMaxMs: 60_000,
      publicUrl: () => 'http://127.0.0.1',
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    port = (app.server.address() as AddressInfo).port
  })

  afterAll(() => app.close())

  const run = (token: string, taskId = TASK) =>
    app.inject({
      method: 'POST',
      url: `/acme/task/${taskId}/job`,
      headers: { authorization: `Bearer ${token}` },
      payload: [],
    })
  const secretRun = (address: string) =>
    app.inject({
      method: 'POST',
      url: `/acme/task/${TASK}/secret/${SECRET}/job`,
      remoteAddress: address,
      payload: [],
    })

  /** The answers of `count` calls made at once: within one window of the quota, whatever the clock. */
  const statuses = async (calls: (() => Promise<{ statusCode: number }>)[]) =>
    (await Promise.all(calls.map((call) => call()))).map((response) => response.statusCode)

  it('answers 429 with Retry-After and the quota named past the runs of one token in a second; other tokens run', async () => {
    const answers = await Promise.all(Array.from({ length: RUNS_PER_SECOND + 1 }, () => run('token-a')))
    const refused = answers.filter((answer) => answer.statusCode === 429)
    // Calls sent together may straddle two windows: at least one is refused, and the rest ran.
    expect(refused.length).toBeGreaterThanOrEqual(1)
    expect(answers.filter((answer) => answer.statusCode === 201).length + refused.length).toBe(
      RUNS_PER_SECOND + 1,
    )
    const [first] = refused
    expect(Number(first!.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(first!.json()).toMatchObject({
      statusCode: 429,
      code: 'TOO_MANY_REQUESTS',
      details: { limit: 'runs per token per second', maximum: RUNS_PER_SECOND },
    })
    expect(await statuses([() => run('token-b')])).toEqual([201])
  })

  it('counts runs by secret key per task and client address', async () => {
    const one = await statuses(Array.from({ length: RUNS_PER_SECOND + 1 }, () => () => secretRun('10.0.0.1')))
    expect(one).toContain(429)
    expect(await statuses([() => secretRun('10.0.0.2')])).toEqual([201])
  })

  it("answers a scheduler's queue quota as 429 with its Retry-After", async () => {
    const answer = await run(ROOT, FULL_TASK)
    expect(answer.statusCode).toBe(429)
    expect(answer.headers['retry-after']).toBe('5')
    expect(answer.json()).toEqual({
      statusCode: 429,
      code: 'TOO_MANY_REQUESTS',
      message: `task ${FULL_TASK} has 1000 jobs not started; the limit is 1000 jobs (queued jobs per task)`,
      details: { limit: 'queued jobs per task', maximum: 1000, unit: 'jobs', retry_after_seconds: 5 },
    })
  })

  it('documents the 429 and its Retry-After on every run route and on subscribing', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[]; responses: Record<string, unknown> }>>
    }
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    )
    const concerned = operations.filter(
      ({ path, method, operation }) =>
        (method === 'post' && operation.tags?.includes('runs')) ||
        (method === 'post' && path === '/{customer}/subscription'),
    )
    expect(concerned).toHaveLength(6)
    for (const { operation } of concerned) {
      expect(operation.responses['429']).toMatchObject({
        headers: { 'retry-after': { schema: { type: 'integer' } } },
      })
    }
  })

  /** What the server wrote to a raw socket before closing it. */
  const rawExchange = (send: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      const chunks: Buffer[] = []
      socket.on('data', (chunk) => chunks.push(chunk))
      socket.on('error', reject)
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
      socket.write(send)
    })

  it('cuts off a client that does not finish its headers in time, with 408', async () => {
    const answer = await rawExchange('GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
      statusCode: 408,
      code: 'TIMEOUT',
    })
  })

  it('cuts off a client that does not finish its body in time, with 408', async () => {
    const answer = await rawExchange(
      `POST /acme/task/${TASK}/job HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer token-b\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[`,
    )
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
  })
})
