import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoPath } from './support/shapes.js'

// The images' health check script, run as the container runs it, against a real HTTP server.

const SCRIPT = repoPath('deploy/docker/healthcheck.mjs')

function check(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (error) => {
        resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1)
      },
    )
  })
}

describe('deploy/docker/healthcheck.mjs', () => {
  let server: Server
  let port = 0
  const seen: string[] = []

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '')
      res.writeHead(req.url === '/readyz' ? 503 : 200, { 'content-type': 'application/json' })
      res.end('{}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('passes on a 200 from /healthz, the default path', async () => {
    expect(await check([], { HEALTH_PORT: String(port) })).toBe(0)
    expect(seen.at(-1)).toBe('/healthz')
  })

  it('fails on any other status of the path it is given', async () => {
    expect(await check(['/readyz'], { HEALTH_PORT: String(port) })).toBe(1)
    expect(seen.at(-1)).toBe('/readyz')
  })

  it('fails when nothing listens on the health port', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const unused = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    expect(await check([], { HEALTH_PORT: String(unused) })).toBe(1)
  })

  it('refuses to guess without HEALTH_PORT', async () => {
    expect(await check([], {})).toBe(2)
  })
})
