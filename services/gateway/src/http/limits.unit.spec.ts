import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Limits } from '@taskforge/core'
import { Task } from '@taskforge/proto/catalog/v1/model'
import { Job } from '@taskforge/proto/jobs/v1/model'
import type { RunTaskRequest } from '@taskforge/proto/jobs/v1/scheduler_service'
import { createLogger } from '@taskforge/telemetry'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Accounts } from '../accounts/accounts.js'
import type { Clients } from '../clients/clients.js'
import { buildHttpServer } from './server.js'

const ROOT = 'r'.repeat(64)
const TASK = '0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d'
const BOT = '0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2e'

const ARGUMENT = Limits.taskArgument.value
/** Exactly `n` bytes of UTF-8 mixing 1-, 2-, 3- and 4-byte characters (n ≥ 10). */
function text(n: number): string {
  const head = 'aé€😀'
  return head + 'x'.repeat(n - Buffer.byteLength(head))
}

// The gateway's limits at N and N + 1, through its real routes, schemas and error handling; the
// services behind it are stand-ins that record what reached them.
describe('the gateway holds every input to its limit', () => {
  let app: FastifyInstance
  const runs: RunTaskRequest[] = []
  const created: unknown[] = []

  beforeAll(async () => {
    const accounts = {
      authenticate: async () => undefined,
      customerExists: async () => true,
    } as unknown as Accounts
    const clients = {
      scheduler: {
        runTask: async (request: RunTaskRequest) => {
          runs.push(request)
          return { job: Job.fromPartial({ id: TASK, customer: request.customer, lifecycle: 'ready' }) }
        },
      },
      catalog: {
        createTask: async (request: { customer: string; definition: unknown }) => {
          created.push(request.definition)
          return { task: Task.fromPartial({ id: TASK, customer: request.customer, version: 1 }) }
        },
        authorizeSecretRun: async (request: { customer: string; taskId: string }) => ({
          task: Task.fromPartial({ id: request.taskId, customer: request.customer }),
        }),
        fireWebhook: async () => ({
          fireId: TASK,
          webhookId: TASK,
          name: 'w',
          payloadJson: 'null',
          taskIds: [],
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
      // Runs here are many and quick: no quota in the way of the limits.
      runsPerSecond: 1_000_000,
      timeouts: { requestMs: 30_000, headersMs: 10_000, idleMs: 120_000 },
      logFollowMaxMs: 3_600_000,
      publicUrl: () => 'http://127.0.0.1:8080',
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
  })

  afterAll(() => app.close())

  const post = async (url: string, payload: unknown, contentType = 'application/json') => {
    const response = await app.inject({
      method: 'POST',
      url,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers: { authorization: `Bearer ${ROOT}`, 'content-type': contentType },
    })
    return { status: response.statusCode, body: response.json() as { code?: string; message?: string } }
  }
  const run = (payload: unknown, contentType?: string) => post(`/acme/task/${TASK}/job`, payload, contentType)

  describe('a run', () => {
    it('takes an argument of exactly N bytes and refuses N + 1, naming the limit', async () => {
      const atLimit = text(ARGUMENT)
      expect((await run({ task_arguments: ['x', atLimit] })).status).toBe(201)
      expect(runs.at(-1)?.taskArguments).toEqual(['x', atLimit])
      expect(await run({ task_arguments: ['x', text(ARGUMENT + 1)] })).toEqual({
        status: 422,
        body: {
          statusCode: 422,
          code: 'LIMIT_EXCEEDED',
          message: `task_arguments[1] is ${ARGUMENT + 1} bytes; the limit is ${ARGUMENT} bytes (task argument size)`,
          details: {
            field: 'task_arguments[1]',
            limit: 'task argument size',
            maximum: ARGUMENT,
            unit: 'bytes',
            actual: ARGUMENT + 1,
          },
        },
      })
    })

    it('counts a value that is not a string as its JSON text', async () => {
      const object = { k: 'v'.repeat(ARGUMENT - 8) }
      expect(JSON.stringify(object)).toHaveLength(ARGUMENT)
      expect((await run([object])).status).toBe(201)
      expect((await run([{ k: 'v'.repeat(ARGUMENT - 7) }])).body.message).toMatch(
        /^task_arguments\[0\] is 65537 bytes/,
      )
    })

    it('holds a bare array body and a form to the same limits', async () => {
      const count = Limits.taskArgumentCount.value
      expect((await run(Array(count).fill('a'))).status).toBe(201)
      expect((await run(Array(count + 1).fill('a'))).body).toMatchObject({
        code: 'LIMIT_EXCEEDED',
        message: `body has ${count + 1} items; the limit is ${count} items (task argument count)`,
      })
      const form = (value: string) => `task_arguments[]=a&task_arguments[]=${encodeURIComponent(value)}`
      expect((await run(form(text(ARGUMENT)), 'application/x-www-form-urlencoded')).status).toBe(201)
      expect(await run(form(text(ARGUMENT + 1)), 'application/x-www-form-urlencoded')).toMatchObject({
        status: 422,
        body: {
          message: `task_arguments[1] is ${ARGUMENT + 1} bytes; the limit is ${ARGUMENT} bytes (task argument size)`,
        },
      })
      const many = Array.from({ length: count + 1 }, () => 'task_arguments[]=a').join('&')
      expect((await run(many, 'application/x-www-form-urlencoded')).body.message).toMatch(/has 1001 items/)
    })

    it('holds the values together to the total', async () => {
      const total = Limits.taskArguments.value
      const full = Array.from({ length: total / ARGUMENT }, () => text(ARGUMENT))
      expect((await run(full)).status).toBe(201)
      expect((await run([...full, 'a'])).body.message).toBe(
        `task_arguments is ${total + 1} bytes; the limit is ${total} bytes (task arguments total size)`,
      )
    })

    it('holds runs by secret key to the same limits', async () => {
      const response = await app.inject({
        method: 'POST',
        url: `/job/secret/${'a'.repeat(64)}`,
        payload: `customer=acme&task=${TASK}&task_arguments[]=${encodeURIComponent(text(ARGUMENT + 1))}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
      expect(response.statusCode).toBe(422)
      expect(response.json()).toMatchObject({ code: 'LIMIT_EXCEEDED' })
    })
  })

  describe('a task', () => {
    const task = (fields: Record<string, unknown>) =>
      post('/acme/task', { name: 'n', host_id: BOT, script_id: TASK, ...fields })

    it('counts a name in bytes: fewer characters than the limit may be too many bytes', async () => {
      expect((await task({ name: `${'€'.repeat(66)}xx` })).status).toBe(201)
      expect(await task({ name: '€'.repeat(67) })).toMatchObject({
        status: 422,
        body: { message: 'name is 201 bytes; the limit is 200 bytes (task name size)' },
      })
      // Past it in characters too: the schema notices first, the answer is the same.
      expect((await task({ name: 'n'.repeat(201) })).body.message).toBe(
        'name is 201 bytes; the limit is 200 bytes (task name size)',
      )
    })

    it('holds lists and env to their counts and sizes, env as JSON text too', async () => {
      expect((await task({ tags: Array(101).fill('t') })).body.message).toBe(
        'tags has 101 items; the limit is 100 items (tag count)',
      )
      expect((await task({ tags: ['t'.repeat(101)] })).body.message).toBe(
        'tags[0] is 101 bytes; the limit is 100 bytes (tag size)',
      )
      const value = 'v'.repeat(Limits.envValue.value + 1)
      expect((await task({ env: { A: value } })).body.message).toBe(
        'env.A is 65537 bytes; the limit is 65536 bytes (env value size)',
      )
      expect((await task({ env: JSON.stringify({ A: value }) })).body.message).toBe(
        'env.A is 65537 bytes; the limit is 65536 bytes (env value size)',
      )
      expect(
        (await task({ task_arguments: [{ type: 'fixed', value: text(ARGUMENT + 1) }] })).body.message,
      ).toBe('task_arguments[0].value is 65537 bytes; the limit is 65536 bytes (task argument size)')
    })
  })

  it('refuses a script past its size as the bytes it decodes to', async () => {
    const data = Buffer.alloc(Limits.scriptContent.value + 1).toString('base64')
    expect(await post('/acme/script', { filename: 's.sh', data })).toMatchObject({
      status: 422,
      body: { message: 'data is 262145 bytes; the limit is 262144 bytes (script size)' },
    })
  })

  it('answers 413 for a webhook payload past its size, and for a body past the whole-body limit', async () => {
    const path = `/acme/webhook/${TASK}/trigger/secret/${'a'.repeat(64)}`
    const payload = Limits.webhookPayload.value
    expect((await post(path, JSON.stringify('p'.repeat(payload - 2)))).status).toBe(202)
    expect(await post(path, JSON.stringify('p'.repeat(payload - 1)))).toMatchObject({
      status: 413,
      body: {
        code: 'PAYLOAD_TOO_LARGE',
        message: `payload is ${payload + 1} bytes; the limit is ${payload} bytes (webhook payload size)`,
      },
    })
    const body = Limits.requestBody.value
    expect(await post('/acme/task', JSON.stringify('b'.repeat(body - 1)))).toMatchObject({
      status: 413,
      body: {
        code: 'PAYLOAD_TOO_LARGE',
        message: `body is ${body + 1} bytes; the limit is ${body} bytes (request body size)`,
      },
    })
  })

  it('answers 431 with the JSON error body for headers past their limit', async () => {
    const { port } = app.server.address() as AddressInfo
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/acme/task',
          headers: { 'x-big': 'h'.repeat(Limits.requestHeaders.value) },
        },
        (response) => {
          let body = ''
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString()
          })
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
        },
      )
      outgoing.on('error', reject)
      outgoing.end()
    })
    expect(answer.status).toBe(431)
    expect(JSON.parse(answer.body)).toMatchObject({
      statusCode: 431,
      code: 'HEADERS_TOO_LARGE',
      message: 'headers is over 16384 bytes; the limit is 16384 bytes (request header size)',
    })
  })

  it('shows the limits in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>
      >
    }
    const schema = doc.paths['/{customer}/task']?.post?.requestBody?.content['application/json']?.schema as {
      properties: Record<string, { maxLength?: number; maxItems?: number; description?: string }>
    }
    expect(schema.properties.name).toMatchObject({ maxLength: 200, 'x-limit': 'taskName' })
    expect(schema.properties.name?.description).toMatch(/At most 200 bytes of UTF-8 \(task name size\)/)
    expect(schema.properties.tags).toMatchObject({ maxItems: 100 })
  })
})
