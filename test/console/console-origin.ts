import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
export const CONSOLE_DIST = join(root, 'clients/console/dist')

/** Builds the console when its dist is missing (npm test builds it before the tests). */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(CONSOLE_DIST, 'index.html'))) return
  const result = spawnSync(join(root, 'clients/console/node_modules/.bin/vite'), ['build'], {
    cwd: join(root, 'clients/console'),
    stdio: 'inherit',
  })
  if (result.status !== 0) throw new Error('the console did not build')
}

/** Debian's Chromium, or CHROMIUM_PATH. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!existsSync(path) || !statSync(path).isFile())
    throw new Error(`no Chromium at ${path}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH`)
  return path
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
}

export interface ConsoleOrigin {
  url: string
  close(): Promise<void>
}

/**
 * Where the browser opens the console: the gateway itself when it serves `/console/`; otherwise a
 * test-only origin that serves the built console under `/console/` and passes every other request
 * (API, session, events stream) through to the gateway, as the gateway's own static serving would.
 */
export async function consoleOrigin(gatewayUrl: string): Promise<ConsoleOrigin> {
  const served = await fetch(`${gatewayUrl}/console/`).catch(() => undefined)
  if (served?.ok && (served.headers.get('content-type') ?? '').includes('html'))
    return { url: gatewayUrl, close: async () => {} }
  await served?.body?.cancel()
  const gateway = new URL(gatewayUrl)
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path === '/console' || path.startsWith('/console/')) {
      const relative = normalize(path.slice('/console'.length)).replace(/^(\.\.[/\\])+/, '')
      const file = join(CONSOLE_DIST, relative === '/' || relative === '.' ? 'index.html' : relative)
      readFile(file.startsWith(CONSOLE_DIST) ? file : join(CONSOLE_DIST, 'index.html'))
        .catch(() => readFile(join(CONSOLE_DIST, 'index.html')))
        .then((body) => {
          res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
          res.end(body)
        })
      return
    }
    const upstream = httpRequest(
      {
        host: gateway.hostname,
        port: gateway.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: gateway.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
