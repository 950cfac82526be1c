import { fileURLToPath } from 'node:url'
import type { ServiceMetrics } from '@taskforge/metrics'
import { createLogger, type Logger } from '@taskforge/telemetry'
import { type RunningService, runService, type ServiceContext } from './run-service.js'

/** Where a service's health port listens, as every service's configuration holds it. */
export interface HealthConfig {
  healthPort: number
  healthHost: string
}

/** How a service is started: by its `main` (the defaults) or embedded by tests and tools. */
export interface StartServiceOptions {
  logger?: Logger
  /** Install signal and crash handlers that end the process (default true; tests turn it off). */
  handleProcessEvents?: boolean
  /** Start tracing (default true). */
  telemetry?: boolean
  /** The registry `/metrics` serves (default: a new one for the service). */
  metrics?: ServiceMetrics
}

/**
 * The one composition-root shape: configuration in, then `start` opens the service's resources in
 * order (each registering its stop with `ctx.onStop` and its readiness with `ctx.addReadiness`), and
 * answers what callers need of it (ports, in-process handles). Runs under {@link runService}: stops
 * go in reverse order, a start that fails half-way stops what it opened.
 *
 * @example
 * export function startCatalog(config: CatalogConfig, options: StartServiceOptions = {}) {
 *   return startService('task-catalog', config, options, async (ctx) => {
 *     const db = createDb(config.databaseUrl)
 *     ctx.onStop(() => db.destroy())
 *     return { grpcPort: await startGrpc(ctx) }
 *   })
 * }
 */
export async function startService<T extends object>(
  name: string,
  config: HealthConfig,
  options: StartServiceOptions,
  start: (ctx: ServiceContext) => Promise<T>,
): Promise<RunningService & T> {
  let started: T | undefined
  const running = await runService({
    name,
    healthPort: config.healthPort,
    healthHost: config.healthHost,
    logger: options.logger ?? createLogger(name),
    ...(options.handleProcessEvents === undefined
      ? {}
      : { handleProcessEvents: options.handleProcessEvents }),
    ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    async start(ctx) {
      started = await start(ctx)
    },
  })
  return { ...(started as T), healthPort: running.healthPort, stop: running.stop }
}

/**
 * Runs `start` when the module `moduleUrl` (its `import.meta.url`) is the process's entry point; a
 * failure to start is logged and ends the process with exit code 1.
 *
 * @example
 * runMain(import.meta.url, 'task-catalog', () => startCatalog(loadCatalogConfig()))
 */
export function runMain(moduleUrl: string, name: string, start: () => Promise<unknown>): void {
  if (process.argv[1] === undefined || fileURLToPath(moduleUrl) !== process.argv[1]) return
  Promise.resolve()
    .then(start)
    .catch((error: unknown) => {
      createLogger(name).fatal({ err: error }, 'failed to start')
      process.exit(1)
    })
}
