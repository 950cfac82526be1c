import cors from '@fastify/cors'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { corsDelegate } from './cors-options.js'

async function preflight(allowed: string[], origin: string) {
  const app = Fastify()
  await app.register(cors, { delegator: corsDelegate(allowed) })
  app.get('/x', async () => ({}))
  const response = await app.inject({
    method: 'OPTIONS',
    url: '/x',
    headers: { origin, 'access-control-request-method': 'GET' },
  })
  await app.close()
  return response.headers
}

describe('CORS', () => {
  it('answers an allowed origin as itself, with credentials', async () => {
    const headers = await preflight(['https://app.example/'], 'https://APP.example')
    expect(headers['access-control-allow-origin']).toBe('https://APP.example')
    expect(headers['access-control-allow-credentials']).toBe('true')
  })

  it('gives other origins nothing, or with * the answer but never credentials', async () => {
    const denied = await preflight(['https://app.example'], 'https://evil.example')
    expect(denied['access-control-allow-origin']).toBeUndefined()
    expect(denied['access-control-allow-credentials']).toBeUndefined()
    const open = await preflight(['*'], 'https://evil.example')
    expect(open['access-control-allow-origin']).toBe('*')
    expect(open['access-control-allow-credentials']).toBeUndefined()
  })
})
