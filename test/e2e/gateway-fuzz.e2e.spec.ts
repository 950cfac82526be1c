import { mkdtemp, rm } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@taskforge/testkit'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { expectStatus, idOf, issueToken } from './support/fixtures.js'
import { type GatewayCall, gatewayClient } from './support/gateway-client.js'

interface RawRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: Buffer
}

interface RawAnswer {
  status: number
  contentType: string
  body: string
}

/** Every route of the API, with placeholders the fixtures or random values fill in. */
const ROUTES: [string, string][] = [
  ['POST', '/admin/customers'],
  ['POST', '/{customer}/token'],
  ['GET', '/{customer}/token'],
  ['DELETE', '/{customer}/token/{id}'],
  ['POST', '/{customer}/script'],
  ['GET', '/{customer}/script'],
  ['GET', '/{customer}/script/{script}'],
  ['PUT', '/{customer}/script/{script}'],
  ['PATCH', '/{customer}/script/{script}'],
  ['DELETE', '/{customer}/script/{id}'],
  ['POST', '/{customer}/task'],
  ['GET', '/{customer}/task'],
  ['GET', '/{customer}/task/{task}'],
  ['PUT', '/{customer}/task/{task}'],
  ['PATCH', '/{customer}/task/{task}'],
  ['DELETE', '/{customer}/task/{id}'],
  ['GET', '/{customer}/task/{task}/recipe'],
  ['POST', '/{customer}/task/import'],
  ['GET', '/{customer}/task/import'],
  ['GET', '/{customer}/task/{task}/credentials'],
  ['POST', '/{customer}/task/{task}/credentials/rotate'],
  ['POST', '/{customer}/task/{task}/job'],
  ['DELETE', '/{customer}/task/{task}/job'],
  ['POST', '/{customer}/task/{task}/secret/{secret}/job'],
  ['POST', '/job/secret/{secret}'],
  ['POST', '/job'],
  ['POST', '/{customer}/job'],
  ['GET', '/{customer}/job'],
  ['GET', '/{customer}/job/{job}'],
  ['PUT', '/{customer}/job/{job}/cancel'],
  ['GET', '/{customer}/job/{job}/log'],
  ['POST', '/{customer}/subscription'],
  ['GET', '/{customer}/subscription'],
  ['GET', '/{customer}/subscription/{id}'],
  ['PATCH', '/{customer}/subscription/{id}'],
  ['DELETE', '/{customer}/subscription/{id}'],
  ['GET', '/{customer}/subscription/{id}/delivery'],
  ['GET', '/{customer}/bot'],
  ['POST', '/{customer}/bot'],
  ['GET', '/openapi.json'],
]

/** Sends a request exactly as given (raw path, any headers, any bytes), as a hostile client would. */
function send(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers: {
          ...request.headers,
          ...(request.body === undefined ? {} : { 'content-length': String(request.body.length) }),
        },
        timeout: 60_000,
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        response.on('error', reject)
      },
    )
    outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 60 s')))
    outgoing.on('error', reject)
    outgoing.end(request.body)
  })
}

/** Characters a raw request line may not carry are escaped; everything else (stray `%` included) stays. */
function rawPath(path: string): string {
  return path.replace(/[^\x21-\x7e]/gu, (c) => {
    try {
      return encodeURIComponent(c)
    } catch {
      // A lone surrogate has no UTF-8 form: send the bytes a broken client would.
      return '%ED%A0%80'
    }
  })
}

// Random and malformed paths, queries, headers, bodies and encodings against every route: the gateway
// answers each with a 4xx or a success, never a 5xx, never crashes, and still serves afterwards.
describe('gateway under random and malformed input', () => {
  let platform: Platform
  let dataDir: string
  let call: GatewayCall
  let baseUrl: string
  const fixture = {
    customer: 'demo',
    admin: '',
    viewer: '',
    task: '',
    script: '',
    secret: '',
    job: '',
    id: '',
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-fuzz-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      withBot: false,
    })
    baseUrl = platform.credentials.gateway_url
    call = gatewayClient(baseUrl)
    fixture.admin = platform.credentials.admin_token
    fixture.viewer = (
      await issueToken(call, 'demo', fixture.admin, { name: 'fuzz-viewer', role: 'viewer' })
    ).token
    fixture.script = idOf(
      await expectStatus(call, 201, 'POST', '/demo/script', {
        token: fixture.admin,
        json: { filename: 'f.sh', content: 'echo f\n' },
      }),
    )
    fixture.task = idOf(
      await expectStatus(call, 201, 'POST', '/demo/task', {
        token: fixture.admin,
        json: {
          name: 'fuzzed',
          host_id: platform.credentials.bot.id,
          script_id: fixture.script,
          task_arguments: [{ order: 0, type: 'input', label: 'x' }],
        },
      }),
    )
    fixture.secret = String(
      (
        await expectStatus(call, 200, 'GET', `/demo/task/${fixture.task}/credentials`, {
          token: fixture.admin,
        })
      ).body.secret,
    )
    fixture.job = idOf(
      await expectStatus(call, 201, 'POST', `/demo/task/${fixture.task}/job`, {
        token: fixture.admin,
        json: ['x'],
      }),
    )
    fixture.id = '00000000-0000-7000-8000-000000000000'
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  /** The generators, built once the fixtures exist (they send the fixtures' ids and tokens). */
  const arbitraries = () => {
    const hostileText = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom(
        '',
        ' ',
        '..',
        '%',
        '%zz',
        '%E0%A4%A',
        '%00',
        '%2F',
        '%C0%AF',
        '\u0000',
        '__proto__',
        'constructor',
      ),
      fc.constantFrom('a'.repeat(300), '%41'.repeat(200), '{}', '[]', 'null', 'import', 'job'),
    )

    /** A value for one path placeholder: the fixture's (so the request goes deep), or something hostile. */
    const segment = (name: keyof typeof fixture) =>
      fc.oneof({ weight: 3, arbitrary: fc.constant(fixture[name]) }, { weight: 2, arbitrary: hostileText })

    const pathOf = fc
      .record({
        route: fc.constantFrom(...ROUTES),
        customer: segment('customer'),
        task: segment('task'),
        script: segment('script'),
        secret: segment('secret'),
        job: segment('job'),
        id: segment('id'),
        query: fc.array(
          fc.tuple(
            fc.oneof(
              fc.constantFrom(
                'access_token',
                'customer',
                'task',
                'wait_result',
                'wait_timeout',
                'tag',
                'host_id',
                'limit',
              ),
              hostileText,
            ),
            fc.oneof(
              fc.constantFrom(fixture.admin, fixture.viewer, fixture.task, 'true', '0', '-1', '1e99'),
              hostileText,
            ),
          ),
          { maxLength: 4 },
        ),
        methodOverride: fc.option(
          fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
          {
            freq: 4,
          },
        ),
      })
      .map(({ route: [method, template], query, methodOverride, ...values }) => {
        const path = template.replace(
          /\{(\w+)\}/g,
          (_, name: string) => values[name as keyof typeof values] ?? '',
        )
        const search = query.map(([k, v]) => `${k}=${v}`).join('&')
        return { method: methodOverride ?? method, path: rawPath(search === '' ? path : `${path}?${search}`) }
      })

    const jsonBody = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({
        name: fc.oneof(fc.string(), fc.jsonValue()),
        host_id: fc.oneof(fc.constant(platform.credentials.bot.id), hostileText),
        script_id: fc.oneof(fc.constant(fixture.script), hostileText),
        task_arguments: fc.oneof(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }), fc.jsonValue()),
        timeout: fc.oneof(fc.integer(), fc.double(), fc.string()),
        env: fc.oneof(fc.dictionary(hostileText, fc.jsonValue({ maxDepth: 1 })), fc.string()),
        acls: fc.jsonValue({ maxDepth: 2 }),
        filename: hostileText,
        content: fc.string({ unit: 'binary', maxLength: 100 }),
        data: hostileText,
        task: fc.oneof(fc.constant(fixture.task), hostileText),
        customer: fc.oneof(fc.constant('demo'), hostileText),
        role: fc.oneof(fc.constantFrom('viewer', 'user', 'admin'), hostileText),
      }),
      fc.constant(JSON.parse('{"__proto__":{"polluted":true}}') as unknown),
    )

    const bodyOf = fc.oneof(
      jsonBody.map((value) => ({
        contentType: 'application/json',
        bytes: Buffer.from(JSON.stringify(value) ?? ''),
      })),
      fc
        .tuple(fc.constantFrom(fixture.task, ''), hostileText, fc.array(hostileText, { maxLength: 3 }))
        .map(([task, customer, args]) => ({
          contentType: 'application/x-www-form-urlencoded',
          bytes: Buffer.from(
            [`customer=${customer}`, `task = ${task}`, ...args.map((a) => `task_arguments[]=${a}`)].join('&'),
          ),
        })),
      fc
        .tuple(
          fc.constantFrom(
            'application/json',
            'application/json; charset=utf-16',
            'application/x-www-form-urlencoded',
            'text/plain',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/vnd.api+json',
            'garbage',
            '',
          ),
          fc.oneof(
            fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
            hostileText.map((text) => Buffer.from(text)),
            fc.constantFrom(
              Buffer.from('{"a":'),
              Buffer.from('\uFEFF{"task_arguments":[]}'),
              Buffer.from('{"__proto__":{"x":1}}'),
              Buffer.from('{"constructor":{"prototype":{"x":1}}}'),
              Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`),
              Buffer.from('customer%20=%20demo&task%20=%20x'),
            ),
          ),
        )
        .map(([contentType, bytes]) => ({ contentType, bytes })),
    )

    const headersOf = fc.record(
      {
        authorization: fc.oneof(
          fc.constantFrom(
            `Bearer ${fixture.admin}`,
            `Bearer ${fixture.viewer}`,
            'Bearer',
            'Basic dXNlcjpwYXNz',
            'Bearer  x y',
          ),
          hostileText.map((t) => `Bearer ${t.replace(/[^\x20-\x7e]/g, '')}`),
        ),
        accept: fc.constantFrom(
          'text/html',
          'application/json',
          '*/*',
          'text/html;q=0.1, application/json;q=0.9',
          'x/y;q=abc',
        ),
        'if-match': fc.constantFrom('"1"', 'W/"2"', '*', 'abc', '"99999999999"', '"0"', ','),
        origin: fc.constantFrom('http://evil.example', 'null', 'http://allowed.example'),
        'content-encoding': fc.constantFrom('gzip', 'br', 'identity'),
        'access-control-request-method': fc.constantFrom('POST', 'DELETE'),
      },
      { requiredKeys: [] },
    )

    const requestOf = fc
      .tuple(pathOf, fc.option(bodyOf, { freq: 3 }), headersOf)
      .map(([{ method, path }, body, headers]): RawRequest => {
        const allHeaders: Record<string, string> = { ...headers }
        if (body !== null && body.contentType !== '') allHeaders['content-type'] = body.contentType
        const sendsBody = body !== null && !['GET', 'HEAD'].includes(method)
        return { method, path, headers: allHeaders, ...(sendsBody ? { body: body.bytes } : {}) }
      })
    return { requestOf, bodyOf }
  }

  const answersWithoutServerError = async (request: RawRequest) => {
    const answer = await send(baseUrl, request)
    const shown = `${request.method} ${request.path} ${JSON.stringify(request.headers)} ${request.body?.toString('utf8').slice(0, 200)}`
    expect(answer.status, `${shown} -> ${answer.body.slice(0, 300)}`).toBeLessThan(500)
    if (answer.contentType.startsWith('application/json') && answer.body !== '') {
      expect(() => JSON.parse(answer.body), shown).not.toThrow()
    }
  }

  it('never answers a 5xx to any route, whatever the path, query, headers and body', async () => {
    const { requestOf } = arbitraries()
    await fc.assert(fc.asyncProperty(requestOf, answersWithoutServerError), { numRuns: 3000 })
  }, 600_000)

  it('never answers a 5xx to well-authenticated requests with random bodies on every route', async () => {
    const { bodyOf } = arbitraries()
    const authenticated = fc
      .tuple(fc.constantFrom(...ROUTES), bodyOf, fc.constantFrom(fixture.admin, fixture.viewer))
      .map(
        ([[method, template], body, token]): RawRequest => ({
          method,
          path: template.replace(
            /\{(\w+)\}/g,
            (_, name: string) => fixture[name as keyof typeof fixture] ?? '',
          ),
          headers: {
            authorization: `Bearer ${token}`,
            ...(body.contentType === '' ? {} : { 'content-type': body.contentType }),
          },
          ...(method === 'GET' ? {} : { body: body.bytes }),
        }),
      )
    await fc.assert(fc.asyncProperty(authenticated, answersWithoutServerError), { numRuns: 1500 })
  }, 600_000)

  it('still answers afterwards, and every service process is still running', async () => {
    // The fuzzing may have changed or deleted the fixtures (it holds an admin token): the API must still work.
    const script = await expectStatus(call, 201, 'POST', '/demo/script', {
      token: fixture.admin,
      json: { filename: 'calm.sh', content: 'echo calm\n' },
    })
    const created = await expectStatus(call, 201, 'POST', '/demo/task', {
      token: fixture.admin,
      json: { name: 'after the storm', host_id: platform.credentials.bot.id, script_id: idOf(script) },
    })
    const list = await expectStatus(call, 200, 'GET', '/demo/task', { token: fixture.admin })
    expect(list.json).toEqual(expect.arrayContaining([expect.objectContaining({ id: idOf(created) })]))
    for (const [name, child] of platform.processes) {
      expect({ name, exitCode: child.exitCode, signal: child.signalCode }).toEqual({
        name,
        exitCode: null,
        signal: null,
      })
    }
    // A process that died meanwhile would have been restarted: none was.
    for (const [name, restarts] of platform.restarts())
      expect({ name, restarts }).toEqual({ name, restarts: 0 })
  })
})
