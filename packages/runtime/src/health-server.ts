import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from '@taskforge/telemetry'

/** Answers one HTTP request on the health port (for example `/metrics`). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

/** A named readiness check: false or a throw (or no answer in time) means not ready. */
export type ReadinessCheck = () => Promise<boolean> | boolean

/** Where the service is in its life: only `running` can be ready. */
export type Phase = 'starting' | 'running' | 'stopping'

const CHECK_TIMEOUT_MS = 2_000

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

async function passes(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS)
  })
  try {
    return await Promise.race([Promise.resolve().then(check), timeout])
  } catch {
    return false
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The health endpoints of a service: `GET /healthz` answers 200 while the process serves requests,
 * `GET /readyz` answers 200 only while running and every readiness check passes, else 503 with the
 * names of what fails. More routes can be added (metrics).
 */
export class HealthServer {
  readonly #logger: Logger
  readonly #routes = new Map<string, RouteHandler>()
  readonly #checks = new Map<string, ReadinessCheck>()
  readonly #server: Server
  #phase: Phase = 'starting'

  constructor(logger: Logger) {
    this.#logger = logger
    this.#routes.set('/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }))
    this.#routes.set('/readyz', (_req, res) => this.#answerReadiness(res))
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#logger.error({ err: error, path: req.url }, 'health route failed')
        if (!res.headersSent) sendJson(res, 500, { status: 'error' })
        else res.destroy()
      })
    })
  }

  set phase(phase: Phase) {
    this.#phase = phase
  }

  get phase(): Phase {
    return this.#phase
  }

  addRoute(path: string, handler: RouteHandler): void {
    this.#routes.set(path, handler)
  }

  addReadiness(name: string, check: ReadinessCheck): void {
    this.#checks.set(name, check)
  }

  /** Names of the checks that fail now (the phase counts as one when not running). */
  async failing(): Promise<string[]> {
    const results = await Promise.all(
      [...this.#checks].map(async ([name, check]) => ((await passes(check)) ? undefined : name)),
    )
    const failing = results.filter((name): name is string => name !== undefined)
    return this.#phase === 'running' ? failing : [this.#phase, ...failing]
  }

  /** Listens on `port` (0 picks a free one) and answers the bound port. */
  listen(port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error)
      this.#server.once('error', onError)
      this.#server.listen({ port, ...(host === undefined ? {} : { host }) }, () => {
        this.#server.off('error', onError)
        resolve((this.#server.address() as AddressInfo).port)
      })
    })
  }

  close(): Promise<void> {
    if (!this.#server.listening) return Promise.resolve()
    return new Promise((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://health').pathname
    const route = this.#routes.get(path)
    if (route === undefined) {
      sendJson(res, 404, { status: 'not found' })
      return
    }
    if ((path === '/healthz' || path === '/readyz') && req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { status: 'method not allowed' })
      return
    }
    await route(req, res)
  }

  async #answerReadiness(res: ServerResponse): Promise<void> {
    const failing = await this.failing()
    if (failing.length === 0) sendJson(res, 200, { status: 'ready' })
    else sendJson(res, 503, { status: 'not ready', failing })
  }
}
