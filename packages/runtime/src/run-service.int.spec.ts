import { createServer } from 'node:net'
import { createLogger } from '@taskforge/telemetry'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type RunningService, runService } from './run-service.js'

const logger = createLogger('runtime-test', {}, { level: 'silent' })
const running: RunningService[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()))
})

async function get(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('runService', () => {
  it('is live at once, ready only after start and while every check passes', async () => {
    let databaseUp = true
    const service = await runService({
      name: 'svc',
      healthPort: 0,
      healthHost: '127.0.0.1',
      logger,
      handleProcessEvents: false,
      async start(ctx) {
        ctx.addReadiness('database', () => databaseUp)
        ctx.addReadiness('nats', async () => {
          throw new Error('not connected yet')
        })
        ctx.addReadiness('nats', () => true)
        ctx.addRoute('/metrics', (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' })
          res.end('{"up":1}')
        })
      },
    })
    running.push(service)

    expect(await get(service.healthPort, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } })
    expect(await get(service.healthPort, '/readyz')).toEqual({ status: 200, body: { status: 'ready' } })
    databaseUp = false
    expect(await get(service.healthPort, '/readyz')).toEqual({
      status: 503,
      body: { status: 'not ready', failing: ['database'] },
    })
    expect(await get(service.healthPort, '/metrics')).toEqual({ status: 200, body: { up: 1 } })
    expect((await get(service.healthPort, '/nope')).status).toBe(404)
  })

  it('answers 503 while starting', async () => {
    const port = await freePort()
    const finishStart = deferred()
    let duringStart: { status: number; body: Record<string, unknown> } | undefined
    const starting = runService({
      name: 'svc',
      healthPort: port,
      healthHost: '127.0.0.1',
      logger,
      handleProcessEvents: false,
      async start() {
        duringStart = await get(port, '/readyz')
        expect((await get(port, '/healthz')).status).toBe(200)
        await finishStart.promise
      },
    })
    await until(() => duringStart !== undefined)
    expect(duringStart).toEqual({ status: 503, body: { status: 'not ready', failing: ['starting'] } })
    finishStart.resolve()
    const service = await starting
    running.push(service)
    expect(service.healthPort).toBe(port)
    expect((await get(port, '/readyz')).status).toBe(200)
  })

  it('turns not ready first, then runs stop hooks in reverse order, each failure on its own', async () => {
    const calls: string[] = []
    let readinessDuringStop: { status: number; body: Record<string, unknown> } | undefined
    let port = 0
    const service = await runService({
      name: 'svc',
      healthPort: 0,
      healthHost: '127.0.0.1',
      logger,
      handleProcessEvents: false,
      async start(ctx) {
        ctx.onStop(async () => {
          calls.push('database')
        })
        ctx.onStop(async () => {
          calls.push('bus')
          throw new Error('bus close failed')
        })
        ctx.onStop(async () => {
          readinessDuringStop = await get(port, '/readyz')
          calls.push('grpc')
        })
      },
    })
    port = service.healthPort
    await Promise.all([service.stop(), service.stop()])
    expect(calls).toEqual(['grpc', 'bus', 'database'])
    expect(readinessDuringStop).toEqual({ status: 503, body: { status: 'not ready', failing: ['stopping'] } })
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow()
  })

  it('stops what a failed start registered and rethrows', async () => {
    const calls: string[] = []
    await expect(
      runService({
        name: 'svc',
        healthPort: 0,
        logger,
        handleProcessEvents: false,
        async start(ctx) {
          ctx.onStop(async () => {
            calls.push('database')
          })
          throw new Error('cannot connect')
        },
      }),
    ).rejects.toThrow('cannot connect')
    expect(calls).toEqual(['database'])
  })

  it('exits 0 after a graceful stop on SIGTERM', async () => {
    const exit = vi.fn<(code: number) => void>()
    const calls: string[] = []
    await runService({
      name: 'svc',
      healthPort: 0,
      logger,
      exit,
      async start(ctx) {
        ctx.onStop(async () => {
          calls.push('stopped')
        })
      },
    })
    process.emit('SIGTERM', 'SIGTERM')
    await until(() => exit.mock.calls.length > 0)
    expect(calls).toEqual(['stopped'])
    expect(exit.mock.calls).toEqual([[0]])
    expect(process.listenerCount('SIGTERM')).toBe(0)
  })

  it('exits 1 on a second signal or when stopping takes too long', async () => {
    const hang = deferred()
    const exit = vi.fn<(code: number) => void>()
    const service = await runService({
      name: 'svc',
      healthPort: 0,
      logger,
      exit,
      shutdownTimeoutMs: 60_000,
      async start(ctx) {
        ctx.onStop(() => hang.promise)
      },
    })
    process.emit('SIGINT', 'SIGINT')
    process.emit('SIGINT', 'SIGINT')
    expect(exit.mock.calls).toEqual([[1]])
    hang.resolve()
    await service.stop()

    const timedOut = vi.fn<(code: number) => void>()
    const never = deferred()
    const slow = await runService({
      name: 'svc',
      healthPort: 0,
      logger,
      exit: timedOut,
      shutdownTimeoutMs: 1,
      async start(ctx) {
        ctx.onStop(() => never.promise)
      },
    })
    process.emit('SIGTERM', 'SIGTERM')
    await until(() => timedOut.mock.calls.length > 0)
    expect(timedOut.mock.calls).toEqual([[1]])
    never.resolve()
    await slow.stop()
  })
})
