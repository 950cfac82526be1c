import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installBodyParsers, nestsDeeperThan } from './body-parsers.js'
import { installErrorHandling } from './errors.js'
import { installInputGuard } from './input-guard.js'

describe('body parsing', () => {
  let app: FastifyInstance
  const post = async (payload: string, contentType?: string) => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      payload,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
    })
    return { status: response.statusCode, body: response.json() as unknown }
  }

  beforeAll(async () => {
    app = Fastify()
    installErrorHandling(app)
    installBodyParsers(app)
    installInputGuard(app)
    app.post('/echo', async (request) => ({ body: request.body ?? null }))
    app.post('/files/:id', { config: { nulAllowed: ['content'] } }, async (request) => ({
      body: request.body,
    }))
    app.get('/things/:id', async () => ({ ok: true }))
    await app.ready()
  })

  afterAll(() => app.close())

  it("reads JSON, and a JSON-typed body that is really a form (the documentation's curl example)", async () => {
    expect(await post('{"task_arguments":["a"]}', 'application/json')).toEqual({
      status: 200,
      body: { body: { task_arguments: ['a'] } },
    })
    expect(await post('customer =+demo&task =+abc', 'application/json')).toEqual({
      status: 200,
      body: { body: { customer: 'demo', task: 'abc' } },
    })
    expect(await post('["x"]', 'application/vnd.api+json; charset=utf-8')).toMatchObject({
      body: { body: ['x'] },
    })
  })

  it('reads forms, and a form-typed body that is really JSON (curl -d without a header)', async () => {
    expect(await post('task_arguments[]=1&task_arguments[]=2', 'application/x-www-form-urlencoded')).toEqual({
      status: 200,
      body: { body: { task_arguments: ['1', '2'] } },
    })
    expect(await post('{"task_arguments":[]}', 'application/x-www-form-urlencoded')).toEqual({
      status: 200,
      body: { body: { task_arguments: [] } },
    })
  })

  it('takes an empty body for no body', async () => {
    expect(await post('', 'application/json')).toEqual({ status: 200, body: { body: null } })
    expect(await post('  ', 'text/plain')).toEqual({ status: 200, body: { body: null } })
  })

  it('refuses broken JSON, poisoned prototypes, deep nesting and unknown types with 4xx JSON', async () => {
    expect(await post('{"a":', 'application/json')).toMatchObject({ status: 400, body: { statusCode: 400 } })
    expect(await post('{"__proto__":{"x":1}}', 'application/json')).toMatchObject({ status: 400 })
    expect(await post(`${'['.repeat(100)}${']'.repeat(100)}`, 'application/json')).toMatchObject({
      status: 400,
      body: { details: { field: 'body' } },
    })
    expect(await post('<a/>', 'application/xml')).toMatchObject({ status: 415, body: { statusCode: 415 } })
  })

  it('refuses NUL anywhere but in raw file content, and answers 404 for ids that are no uuid', async () => {
    expect(await post('{"name":"a\\u0000b"}', 'application/json')).toMatchObject({
      status: 400,
      body: { details: { field: 'body.name' } },
    })
    const file = await app.inject({
      method: 'POST',
      url: '/files/00000000-0000-7000-8000-000000000000',
      payload: { content: 'a\u0000b' },
    })
    expect(file.statusCode).toBe(200)
    const thing = await app.inject({ method: 'GET', url: '/things/not-an-id' })
    expect(thing.statusCode).toBe(404)
    expect(thing.json()).toMatchObject({ code: 'NOT_FOUND', message: 'things not-an-id not found' })
  })

  it('measures depth without recursion', () => {
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false)
    expect(nestsDeeperThan({ a: [1, { b: {} }] }, 3)).toBe(true)
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(nestsDeeperThan(deep, 32)).toBe(true)
  })
})
