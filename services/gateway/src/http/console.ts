import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import compress from '@fastify/compress'
import fastifyStatic from '@fastify/static'
import { unavailable } from '@taskforge/core'
import type { FastifyInstance, FastifyReply } from 'fastify'

/** Where the console is served: one origin with the API, so its session cookie is first-party. */
export const CONSOLE_PREFIX = '/console/'

/**
 * The console pages' Content-Security-Policy: scripts, styles, images and connections from this
 * origin only; no inline script, no eval, no framing. Styles may be inline (components set them),
 * which runs no code.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** Vite names the files it writes under `assets/` by their content hash: they never change. */
const IMMUTABLE = 'public, max-age=31536000, immutable'

/** What a file of the build is served with: hashed assets forever, everything else revalidated. */
export function cacheControlFor(path: string): string {
  return /[\\/]assets[\\/]/.test(path) ? IMMUTABLE : 'no-cache'
}

/** A path that names a file (its last segment has an extension): missing, it is a 404, not the app. */
export function namesAFile(url: string): boolean {
  const path = url.split('?')[0] ?? ''
  const last = path.slice(path.lastIndexOf('/') + 1)
  return /\.[A-Za-z0-9]+$/.test(last)
}

/**
 * The directory of the console's static build: `setting` (CONSOLE_DIR) when given, else the `dist`
 * of the `@taskforge/console` package as Node resolves it from here; undefined when no build is there.
 */
export function consoleDirectory(setting: string): string | undefined {
  let dir: string | undefined
  if (setting !== '') dir = resolve(setting)
  else {
    try {
      const manifest = createRequire(import.meta.url).resolve('@taskforge/console/package.json')
      dir = join(dirname(manifest), 'dist')
    } catch {
      return undefined
    }
  }
  return existsSync(join(dir, 'index.html')) ? dir : undefined
}

function securityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CONSOLE_CSP)
  reply.header('x-content-type-options', 'nosniff')
  reply.header('referrer-policy', 'no-referrer')
  reply.header('cross-origin-opener-policy', 'same-origin')
}

/**
 * Serves the console's build under {@link CONSOLE_PREFIX} (an unknown page answers `index.html`, the
 * app routes it), compressed (the build's `.br`/`.gz` files when it has them, else on the fly), and
 * sends `/` there. Without a build, the console's paths answer 503 saying so.
 */
export async function installConsole(app: FastifyInstance, dir: string | undefined): Promise<void> {
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect(CONSOLE_PREFIX, 302))
  if (dir === undefined) {
    const notBuilt = async () => {
      throw unavailable(
        'the console is not built: build the @taskforge/console package, or set CONSOLE_DIR to a build',
      )
    }
    app.get('/console', { schema: { hide: true } }, notBuilt)
    app.get('/console/*', { schema: { hide: true } }, notBuilt)
    return
  }
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (_request, reply) => securityHeaders(reply))
    // Only here: the API's answers (log follows and event streams among them) are never buffered by it.
    await scope.register(compress, { global: true, encodings: ['br', 'gzip'], threshold: 1024 })
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: CONSOLE_PREFIX,
      wildcard: false,
      preCompressed: true,
      cacheControl: false,
      setHeaders: (res, path) => res.setHeader('cache-control', cacheControlFor(path)),
    })
    scope.get('/console/*', { schema: { hide: true } }, (request, reply) => {
      if (namesAFile(request.url)) return reply.callNotFound()
      return reply.sendFile('index.html')
    })
  })
}
