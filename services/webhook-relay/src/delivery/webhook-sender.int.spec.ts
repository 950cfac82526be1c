import type { LookupAddress } from 'node:dns'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AddressPolicy } from '../ssrf/address-policy.js'
import { TestReceiver } from '../test-support/receiver.js'
import { EXCERPT_CHARS, WebhookSender } from './webhook-sender.js'

const headers = { 'content-type': 'application/json' }
const body = '{"event_name":"ping","event_data":{}}'

describe('WebhookSender against a local receiver', () => {
  let receiver: TestReceiver
  const names: Record<string, LookupAddress[]> = {
    'hooks.test': [{ address: '127.0.0.1', family: 4 }],
    'mixed.test': [
      { address: '127.0.0.1', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ],
  }
  const resolver = async (hostname: string) => names[hostname] ?? []
  const allowing = (options: { timeoutMs?: number; maxResponseBytes?: number } = {}) =>
    new WebhookSender({
      policy: new AddressPolicy(['127.0.0.0/8']),
      timeoutMs: options.timeoutMs ?? 5_000,
      maxResponseBytes: options.maxResponseBytes ?? 65_536,
      resolver,
    })
  const guarded = new WebhookSender({
    policy: new AddressPolicy(),
    timeoutMs: 5_000,
    maxResponseBytes: 65_536,
  })

  beforeAll(async () => {
    receiver = await TestReceiver.start()
  })
  afterAll(() => receiver.close())

  it('posts the body with its headers to the pinned address, the Host header naming the host', async () => {
    receiver.behave(() => ({ status: 204 }))
    const before = receiver.requests.length
    const result = await allowing().send({
      url: `http://hooks.test:${receiver.port}/in?token=abc`,
      body,
      headers: { ...headers, 'webhook-id': 'd1' },
    })
    expect(result).toMatchObject({ outcome: 'success', statusCode: 204, error: '' })
    const request = receiver.requests[before]
    expect(request).toMatchObject({ method: 'POST', path: '/in', body })
    expect(request?.query.get('token')).toBe('abc')
    expect(request?.headers.host).toBe(`hooks.test:${receiver.port}`)
    expect(request?.headers['webhook-id']).toBe('d1')
  })

  it.each([
    '127.0.0.1',
    '2130706433',
    '0x7f000001',
    '0177.0.0.1',
    '127.1',
    '0',
    '[::1]',
    '[::]',
    '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]',
    'localhost',
  ])('refuses http://%s without connecting', async (host) => {
    const before = receiver.requests.length
    const result = await guarded.send({ url: `http://${host}:${receiver.port}/`, body, headers })
    expect(result.outcome).toBe('refused')
    expect(result.error).toMatch(/^refused: .*(loopback|unspecified)/)
    expect(result.statusCode).toBeUndefined()
    expect(receiver.requests.length).toBe(before)
  })

  it('refuses metadata and private addresses, and a name with any refused address', async () => {
    for (const host of ['169.254.169.254', '0xa9fea9fe', '10.1.2.3', '[fd00:ec2::254]']) {
      const result = await guarded.send({ url: `http://${host}/latest/meta-data/`, body, headers })
      expect(result.outcome).toBe('refused')
    }
    const mixed = await allowing().send({ url: `http://mixed.test:${receiver.port}/`, body, headers })
    expect(mixed).toMatchObject({ outcome: 'refused' })
    expect(mixed.error).toContain('10.0.0.1 is private')
  })

  it('never follows a redirect', async () => {
    const before = receiver.requests.length
    receiver.behave((request) =>
      request.path === '/moved' ? { status: 302, headers: { location: '/target' } } : { status: 200 },
    )
    const result = await allowing().send({ url: `${receiver.origin}/moved`, body, headers })
    expect(result).toMatchObject({ outcome: 'failure', statusCode: 302 })
    expect(result.error).toBe('redirect to /target not followed')
    expect(receiver.requests.slice(before).map((request) => request.path)).toEqual(['/moved'])
  })

  it('keeps an excerpt of a large answer and the Retry-After it asks for', async () => {
    receiver.behave(() => ({ status: 503, body: 'x'.repeat(500_000), headers: { 'retry-after': '7' } }))
    const result = await allowing({ maxResponseBytes: 4096 }).send({ url: receiver.origin, body, headers })
    expect(result).toMatchObject({
      outcome: 'failure',
      statusCode: 503,
      error: 'HTTP 503',
      retryAfterMs: 7000,
    })
    expect(result.responseExcerpt).toHaveLength(EXCERPT_CHARS)
  })

  it('gives up on a receiver that does not answer within the deadline', async () => {
    receiver.behave(() => ({ hang: true }))
    const result = await allowing({ timeoutMs: 300 }).send({ url: receiver.origin, body, headers })
    expect(result).toMatchObject({ outcome: 'failure', error: 'no complete answer within 300 ms' })
  })

  it('abandons an attempt at once when the relay stops, and says so', async () => {
    receiver.behave(() => ({ hang: true }))
    const stopping = new AbortController()
    const sent = allowing({ timeoutMs: 60_000 }).send({
      url: receiver.origin,
      body,
      headers,
      signal: stopping.signal,
    })
    setTimeout(() => stopping.abort(), 100)
    const result = await sent
    expect(result).toMatchObject({ outcome: 'failure', error: 'abandoned: the relay is stopping' })
    const already = await allowing().send({ url: receiver.origin, body, headers, signal: stopping.signal })
    expect(already).toMatchObject({ outcome: 'failure', error: 'abandoned: the relay is stopping' })
  })

  it('reports a refused connection as a failure to retry', async () => {
    const gone = await TestReceiver.start()
    const url = gone.origin
    await gone.close()
    const result = await allowing().send({ url, body, headers })
    expect(result.outcome).toBe('failure')
    expect(result.error).toMatch(/ECONNREFUSED/)
  })
})

describe('WebhookSender connections', () => {
  it('keeps a connection alive per checked address, and checks the name on every attempt', async () => {
    let connections = 0
    const server = createServer((request, response) => {
      request.resume()
      request.on('end', () => response.writeHead(204).end())
    })
    server.on('connection', () => {
      connections += 1
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const names: Record<string, LookupAddress[]> = { 'hooks.test': [{ address: '127.0.0.1', family: 4 }] }
    const sender = new WebhookSender({
      policy: new AddressPolicy(['127.0.0.1/32']),
      timeoutMs: 5_000,
      maxResponseBytes: 1_024,
      resolver: async (hostname) => names[hostname] ?? [],
    })
    try {
      for (let i = 0; i < 3; i++) {
        const result = await sender.send({ url: `http://hooks.test:${port}/in`, body, headers })
        expect(result).toMatchObject({ outcome: 'success', statusCode: 204 })
      }
      expect(connections).toBe(1)
      // The name now resolves to an address the policy refuses: the pooled connection is not used.
      names['hooks.test'] = [{ address: '127.0.0.2', family: 4 }]
      const refused = await sender.send({ url: `http://hooks.test:${port}/in`, body, headers })
      expect(refused.outcome).toBe('refused')
      expect(connections).toBe(1)
    } finally {
      sender.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
