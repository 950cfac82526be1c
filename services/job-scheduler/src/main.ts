import { fileURLToPath } from 'node:url'
import { Bus, Streams, subjects } from '@taskforge/bus'
import { createDb, EventStore, OutboxRelay, Projector } from '@taskforge/event-store'
import { TaskCatalogServiceClient } from '@taskforge/proto/catalog/v1/catalog_service'
import { JobSchedulerServiceService } from '@taskforge/proto/jobs/v1/scheduler_service'
import { addService, createClient, createGrpcServer, startGrpcServer, stopGrpcServer } from '@taskforge/rpc'
import { type RunningService, runService } from '@taskforge/runtime'
import { createLogger, type Logger } from '@taskforge/telemetry'
import { sql } from 'kysely'
import { loadSchedulerConfig, type SchedulerConfig } from './config.js'
import { schedulerService } from './grpc/scheduler-service.js'
import { jobsProjection } from './projection/jobs-projection.js'
import { consumeReports, REPORTS_DURABLE } from './reports/reports-consumer.js'

export { loadSchedulerConfig, type SchedulerConfig, schedulerSettings } from './config.js'

export const SERVICE_NAME = 'job-scheduler'

export interface StartSchedulerOptions {
  logger?: Logger
  /** Install signal and crash handlers that end the process (default true; tests turn it off). */
  handleProcessEvents?: boolean
  /** Start tracing (default true). */
  telemetry?: boolean
}

export interface RunningScheduler extends RunningService {
  /** The port the gRPC server bound (useful when 0 was asked for). */
  grpcPort: number
}

/**
 * Composition root of job-scheduler: event store and `jobs` projection, outbox relay to EVENTS, the
 * REPORTS consumer and the `JobSchedulerService` gRPC server, under one service lifecycle.
 *
 * @example
 * const scheduler = await startScheduler(loadSchedulerConfig())
 * await scheduler.stop()
 */
export async function startScheduler(
  config: SchedulerConfig,
  options: StartSchedulerOptions = {},
): Promise<RunningScheduler> {
  let grpcPort = config.grpcPort
  const running = await runService({
    name: SERVICE_NAME,
    healthPort: config.healthPort,
    logger: options.logger ?? createLogger(SERVICE_NAME),
    ...(options.handleProcessEvents === undefined
      ? {}
      : { handleProcessEvents: options.handleProcessEvents }),
    ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
    async start(ctx) {
      const { logger } = ctx
      const db = createDb(config.databaseUrl)
      ctx.onStop(() => db.destroy())
      const store = new EventStore(db)
      await store.migrate()
      await jobsProjection.setup(db)
      ctx.addReadiness('database', async () => {
        await sql`select 1`.execute(db)
        return true
      })

      const projector = new Projector(store, [jobsProjection], { logger })
      await projector.start()
      ctx.onStop(() => projector.stop())

      const bus = await Bus.connect({ servers: config.natsUrl.split(','), name: SERVICE_NAME, logger })
      ctx.onStop(() => bus.close())
      ctx.addReadiness('nats', () => bus.connected)
      await bus.ensureStream(Streams.EVENTS)
      await bus.ensureStream(Streams.REPORTS)
      await bus.ensureConsumer(Streams.REPORTS.name, {
        durable: REPORTS_DURABLE,
        filterSubjects: [subjects.report('>')],
      })

      const relay = new OutboxRelay(store, {
        name: SERVICE_NAME,
        publish: (events) => bus.publishEvents(events),
        logger,
      })
      await relay.start()
      ctx.onStop(() => relay.stop())

      const reports = await consumeReports({ bus, store })
      ctx.onStop(() => reports.stop())

      const catalog = createClient(TaskCatalogServiceClient, config.catalogGrpcUrl)
      ctx.onStop(async () => catalog.close())
      const server = createGrpcServer()
      addService(server, JobSchedulerServiceService, schedulerService({ store, projector, db, catalog }), {
        logger,
      })
      grpcPort = await startGrpcServer(server, config.grpcPort)
      ctx.onStop(() => stopGrpcServer(server))
      logger.info({ grpcPort }, 'JobSchedulerService listening')
    },
  })
  return { healthPort: running.healthPort, stop: running.stop, grpcPort }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  Promise.resolve()
    .then(() => startScheduler(loadSchedulerConfig()))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error)
      process.exit(1)
    })
}
