import { str } from '@taskforge/core'
import { createServiceMetrics, metricsRoute, type ServiceMetrics } from '@taskforge/metrics'
import { createLogger, initTelemetry, type Logger, type Telemetry } from '@taskforge/telemetry'
import { HealthServer, type ReadinessCheck, type RouteHandler } from './health-server.js'

/**
 * Where the health port (`/healthz`, `/readyz`, `/metrics`) listens: loopback unless a deployment
 * says otherwise (probes and scrapes from outside a container need every interface).
 */
export const healthHostSetting = str(
  'HEALTH_HOST',
  'Address the health port (/healthz, /readyz, /metrics) binds to: 0.0.0.0 in a container, loopback on a shared machine',
  '127.0.0.1',
)

/** What a service's `start` receives to register its resources. */
export interface ServiceContext {
  logger: Logger
  /** Registers a stop hook; hooks run in reverse order of registration, each failure logged on its own. */
  onStop(fn: () => Promise<void>): void
  /** Adds a readiness check reported by `GET /readyz`. */
  addReadiness(name: string, check: ReadinessCheck): void
  /** Serves another path on the health port. */
  addRoute(path: string, handler: RouteHandler): void
  /** The service's metrics registry, served as Prometheus text on `GET /metrics` of the health port. */
  metrics: ServiceMetrics
}

/** A started service. */
export interface RunningService {
  /** The port the health server listens on (useful when 0 was asked for). */
  healthPort: number
  /** Graceful stop: not ready first, then stop hooks in reverse order, then the health server. */
  stop(): Promise<void>
}

export interface RunServiceOptions {
  name: string
  /** 0 picks a free port. */
  healthPort: number
  /** Address of the health server (default loopback, see {@link healthHostSetting}). */
  healthHost?: string
  logger?: Logger
  /** After a signal, exit 1 if stopping takes longer than this (default 15s). */
  shutdownTimeoutMs?: number
  /**
   * Install SIGTERM/SIGINT, unhandledRejection and uncaughtException handlers that stop the service and
   * end the process (default true). Tests turn it off, or pass `exit` to observe the exit code.
   */
  handleProcessEvents?: boolean
  /** How the process ends after a signal or a crash (default `process.exit`). */
  exit?: (code: number) => void
  /** Start tracing for the service name (default true; `initTelemetry` is shared, so this is harmless). */
  telemetry?: boolean
  /** The registry `/metrics` serves (default: a new one for `name`, with process metrics). */
  metrics?: ServiceMetrics
  start(ctx: ServiceContext): Promise<void>
}

/**
 * Runs a service: health server on `healthPort`, the service's `start`, and graceful shutdown on
 * SIGTERM/SIGINT (readiness 503 first, stop hooks in reverse order, exit 0; a second signal or the
 * shutdown timeout exits 1). An unhandled rejection or uncaught exception is logged and stops the
 * service with exit code 1. Answers once `start` resolved; if `start` fails, what it registered is stopped
 * and the error rethrown.
 *
 * @example
 * await runService({ name: 'job-scheduler', healthPort: config.healthPort, async start(ctx) {
 *   const bus = await Bus.connect({ servers: config.natsUrl, name: 'job-scheduler' })
 *   ctx.onStop(() => bus.close())
 *   ctx.addReadiness('nats', () => !bus.nc.isClosed())
 * } })
 */
export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const logger = options.logger ?? createLogger(options.name)
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 15_000
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const telemetry: Telemetry | undefined =
    options.telemetry === false ? undefined : initTelemetry({ serviceName: options.name })
  const health = new HealthServer(logger)
  const metrics = options.metrics ?? createServiceMetrics(options.name)
  health.addRoute('/metrics', metricsRoute(metrics))
  const stopHooks: (() => Promise<void>)[] = []
  let stopping: Promise<void> | undefined
  let exiting = false

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      health.phase = 'stopping'
      logger.info('stopping')
      for (const hook of [...stopHooks].reverse()) {
        try {
          await hook()
        } catch (error) {
          logger.error({ err: error }, 'stop hook failed')
        }
      }
      await health.close()
      detachProcessHandlers()
      logger.info('stopped')
      await telemetry?.shutdown()
    })()
    return stopping
  }

  const shutdownAndExit = (reason: string, code: number): void => {
    if (exiting) {
      logger.warn({ reason }, 'second shutdown request: exiting now')
      exit(1)
      return
    }
    exiting = true
    logger.info({ reason }, 'shutting down')
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: shutdownTimeoutMs }, 'shutdown timed out')
      exit(1)
    }, shutdownTimeoutMs)
    stop().then(
      () => {
        clearTimeout(timer)
        exit(code)
      },
      (error: unknown) => {
        clearTimeout(timer)
        logger.error({ err: error }, 'shutdown failed')
        exit(1)
      },
    )
  }

  const onSignal = (signal: NodeJS.Signals) => shutdownAndExit(signal, 0)
  const onRejection = (reason: unknown) => {
    logger.fatal({ err: reason }, 'unhandled rejection')
    shutdownAndExit('unhandledRejection', 1)
  }
  const onException = (error: Error) => {
    logger.fatal({ err: error }, 'uncaught exception')
    shutdownAndExit('uncaughtException', 1)
  }
  const handleProcessEvents = options.handleProcessEvents ?? true
  function detachProcessHandlers(): void {
    if (!handleProcessEvents) return
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    process.off('unhandledRejection', onRejection)
    process.off('uncaughtException', onException)
  }
  if (handleProcessEvents) {
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
    process.on('unhandledRejection', onRejection)
    process.on('uncaughtException', onException)
  }

  const ctx: ServiceContext = {
    logger,
    onStop: (fn) => {
      stopHooks.push(fn)
    },
    addReadiness: (name, check) => health.addReadiness(name, check),
    addRoute: (path, handler) => health.addRoute(path, handler),
    metrics,
  }

  let healthPort: number
  try {
    healthPort = await health.listen(options.healthPort, options.healthHost ?? '127.0.0.1')
    logger.info({ healthPort }, 'health server listening')
    await options.start(ctx)
  } catch (error) {
    logger.error({ err: error }, 'start failed')
    await stop()
    throw error
  }
  if (stopping === undefined) {
    health.phase = 'running'
    logger.info('started')
  }
  return { healthPort, stop }
}
