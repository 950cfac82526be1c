import { fileURLToPath } from 'node:url'
import { Bus, Streams } from '@taskforge/bus'
import { createDb, EventStore, OutboxRelay, Projector } from '@taskforge/event-store'
import { BotDispatchServiceService } from '@taskforge/proto/bots/v1/bot_service'
import { addService, createGrpcServer, startGrpcServer, stopGrpcServer } from '@taskforge/rpc'
import { type RunningService, runService } from '@taskforge/runtime'
import { createLogger, type Logger } from '@taskforge/telemetry'
import { sql } from 'kysely'
import { createBotNameClaimsTable } from './app/bot-name-claims.js'
import {
  ASSIGNMENTS_DURABLE,
  ASSIGNMENTS_SUBJECT,
  carryAssignments,
} from './assignments/assignment-carrier.js'
import { ensureAllBotConsumers } from './assignments/ensure-bot-consumers.js'
import { type DispatchConfig, loadDispatchConfig } from './config.js'
import { botDispatchService } from './grpc/bot-dispatch-service.js'
import { listenToHeartbeats } from './presence/heartbeat-listener.js'
import { botsProjection } from './projection/bots-projection.js'
import { createBotPresenceTable } from './projection/bots-table.js'

export { type DispatchConfig, dispatchSettings, loadDispatchConfig } from './config.js'

export const SERVICE_NAME = 'bot-dispatch'

export interface StartDispatchOptions {
  logger?: Logger
  /** Install signal and crash handlers that end the process (default true; tests turn it off). */
  handleProcessEvents?: boolean
  /** Start tracing (default true). */
  telemetry?: boolean
}

export interface RunningDispatch extends RunningService {
  /** The port the gRPC server bound (useful when 0 was asked for). */
  grpcPort: number
}

/**
 * Composition root of bot-dispatch: bot streams and the `bots` projection, outbox relay to EVENTS,
 * presence from heartbeats, the assignment carrier (EVENTS → DISPATCH) and the `BotDispatchService`
 * gRPC server, under one service lifecycle.
 *
 * @example
 * const dispatch = await startDispatch(loadDispatchConfig())
 * await dispatch.stop()
 */
export async function startDispatch(
  config: DispatchConfig,
  options: StartDispatchOptions = {},
): Promise<RunningDispatch> {
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
      await botsProjection.setup(db)
      await createBotPresenceTable(db)
      await createBotNameClaimsTable(db)
      ctx.addReadiness('database', async () => {
        await sql`select 1`.execute(db)
        return true
      })

      const projector = new Projector(store, [botsProjection], { logger })
      await projector.start()
      ctx.onStop(() => projector.stop())

      const natsServers = config.natsUrl.split(',')
      const bus = await Bus.connect({ servers: natsServers, name: SERVICE_NAME, logger })
      ctx.onStop(() => bus.close())
      ctx.addReadiness('nats', () => bus.connected)
      await bus.ensureStream(Streams.EVENTS)
      await bus.ensureStream(Streams.DISPATCH)
      await bus.ensureConsumer(Streams.EVENTS.name, {
        durable: ASSIGNMENTS_DURABLE,
        filterSubjects: [ASSIGNMENTS_SUBJECT],
      })
      const bots = await ensureAllBotConsumers(store, bus)
      logger.info({ bots }, 'bot dispatch consumers ensured')

      const relay = new OutboxRelay(store, {
        name: SERVICE_NAME,
        publish: (events) => bus.publishEvents(events),
        logger,
      })
      await relay.start()
      ctx.onStop(() => relay.stop())

      const heartbeats = listenToHeartbeats({ bus, db, logger })
      ctx.onStop(() => heartbeats.stop())
      const assignments = await carryAssignments({ bus, store })
      ctx.onStop(() => assignments.stop())

      const server = createGrpcServer()
      addService(
        server,
        BotDispatchServiceService,
        botDispatchService({
          store,
          projector,
          db,
          bus,
          publicNatsUrl: config.publicNatsUrl || natsServers[0] || config.natsUrl,
        }),
        { logger },
      )
      grpcPort = await startGrpcServer(server, config.grpcPort)
      ctx.onStop(() => stopGrpcServer(server))
      logger.info({ grpcPort }, 'BotDispatchService listening')
    },
  })
  return { healthPort: running.healthPort, stop: running.stop, grpcPort }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  Promise.resolve()
    .then(() => startDispatch(loadDispatchConfig()))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error)
      process.exit(1)
    })
}
