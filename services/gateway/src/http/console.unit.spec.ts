import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync } from 'node:zlib'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONSOLE_CSP, cacheControlFor, consoleDirectory, installConsole, namesAFile } from './console.js'
import { installErrorHandling } from './errors.js'

const INDEX =
  '<!doctype html><html><head><script type="module" src="/console/assets/app-1a2b3c4d.js"></script></head><body></body></html>'
const SCRIPT = `export const big = ${JSON.stringify('x'.repeat(5000))}\n`

async function server(dir: string | undefined): Promise<FastifyInstance> {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } })
  installErrorHandling(app)
  await installConsole(app, dir)
  app.get('/acme/job', async () => [{ id: 'a' }])
  await app.ready()
  return app
}

describe('the console build served by the gateway', () => {
  let dir: string
  let app: FastifyInstance
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), INDEX)
    writeFileSync(join(dir, 'assets', 'app-1a2b3c4d.js'), SCRIPT)
    writeFileSync(join(dir, 'assets', 'app-1a2b3c4d.js.br'), brotliCompressSync(SCRIPT))
    writeFileSync(join(dir, 'assets', 'style-9f8e7d6c.css'), `body{color:red}${' '.repeat(4000)}`)
    app = await server(dir)
  })
  afterAll(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('sends / to the console', async () => {
    const answer = await app.inject({ url: '/' })
    expect(answer.statusCode).toBe(302)
    expect(answer.headers.location).toBe('/console/')
  })

  it('answers index.html, not cached, with a strict CSP, for the root and any page of the app', async () => {
    for (const url of ['/console/', '/console', '/console/jobs', '/console/acme/job/123?state=failure']) {
      const answer = await app.inject({ url })
      expect(answer.statusCode, url).toBe(200)
      expect(answer.body).toBe(INDEX)
      expect(answer.headers['content-type']).toMatch(/^text\/html/)
      expect(answer.headers['cache-control']).toBe('no-cache')
      expect(answer.headers['content-security-policy']).toBe(CONSOLE_CSP)
      expect(CONSOLE_CSP).not.toMatch(/script-src[^;]*unsafe/)
    }
  })

  it('serves hashed assets forever, precompressed when the build has them, compressed otherwise', async () => {
    const br = await app.inject({
      url: '/console/assets/app-1a2b3c4d.js',
      headers: { 'accept-encoding': 'br' },
    })
    expect(br.statusCode).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(br.rawPayload.length).toBeLessThan(SCRIPT.length)
    const gzip = await app.inject({
      url: '/console/assets/style-9f8e7d6c.css',
      headers: { 'accept-encoding': 'gzip' },
    })
    expect(gzip.statusCode).toBe(200)
    expect(gzip.headers['content-encoding']).toBe('gzip')
    const plain = await app.inject({ url: '/console/assets/app-1a2b3c4d.js' })
    expect(plain.body).toBe(SCRIPT)
  })

  it('answers 404 for a missing file, and never a file outside the build', async () => {
    expect((await app.inject({ url: '/console/assets/missing-00000000.js' })).statusCode).toBe(404)
    for (const url of [
      '/console/..%2f..%2fetc%2fpasswd',
      '/console/../../etc/passwd',
      '/console/%2e%2e/package.json',
    ]) {
      const outside = await app.inject({ url })
      expect(outside.body, url).not.toMatch(/root:|"name"/)
    }
  })

  it('leaves the API alone: no CSP, no compression', async () => {
    const answer = await app.inject({ url: '/acme/job', headers: { 'accept-encoding': 'br, gzip' } })
    expect(answer.json()).toEqual([{ id: 'a' }])
    expect(answer.headers['content-security-policy']).toBeUndefined()
    expect(answer.headers['content-encoding']).toBeUndefined()
  })
})

describe('without a console build', () => {
  it('says so with 503 JSON, and still sends / there', async () => {
    const app = await server(consoleDirectory(join(tmpdir(), 'no-console-build-here')))
    const answer = await app.inject({ url: '/console/jobs' })
    expect(answer.statusCode).toBe(503)
    expect(answer.json().message).toMatch(/console is not built/)
    expect((await app.inject({ url: '/' })).headers.location).toBe('/console/')
    await app.close()
  })
})

describe('console paths', () => {
  it('tells files from pages', () => {
    expect(namesAFile('/console/assets/a-1.js')).toBe(true)
    expect(namesAFile('/console/favicon.ico?x=1')).toBe(true)
    expect(namesAFile('/console/jobs')).toBe(false)
    expect(namesAFile('/console/job/0190.a')).toBe(true)
    expect(cacheControlFor('/x/dist/assets/a-1.js')).toMatch(/immutable/)
    expect(cacheControlFor('/x/dist/index.html')).toBe('no-cache')
  })
})
