import { Bus, Streams } from '@taskforge/bus'
import { type ConfigOf, int, list, loadConfig, str } from '@taskforge/core'
import { databaseReachable, OutboxRelay, Projector } from '@taskforge/event-store'
import { BotDispatchServiceClient } from '@taskforge/proto/bots/v1/bot_service'
import { TaskCatalogServiceService } from '@taskforge/proto/catalog/v1/catalog_service'
import {
  addService,
  createClient,
  grpcAuthSetting,
  grpcHostSetting,
  readGrpcAuth,
  serveGrpc,
} from '@taskforge/rpc'
import {
  healthHostSetting,
  openServiceStore,
  type RunningService,
  runMain,
  type StartServiceOptions,
  startService,
} from '@taskforge/runtime'
import { botDirectory } from './commands/bot-directory.js'
import { CatalogCommands } from './commands/catalog-commands.js'
import { WebhookCommands } from './commands/webhook-commands.js'
import { WorkflowCommands } from './commands/workflow-commands.js'
import { announceCatalogChanges } from './events/catalog-changes.js'
import { withoutClearSecrets } from './events/published-events.js'
import { catalogService } from './grpc/catalog-service.js'
import { CatalogReadModel } from './projections/catalog-read-model.js'
import { scriptsProjection } from './projections/scripts-projection.js'
import { tasksProjection } from './projections/tasks-projection.js'
import { WebhookReadModel } from './projections/webhook-read-model.js'
import { webhooksProjection } from './projections/webhooks-projection.js'
import { WorkflowReadModel } from './projections/workflow-read-model.js'
import { workflowsProjection } from './projections/workflows-projection.js'
import { serveScriptContent } from './script-content/script-content-server.js'
import { serveSecretEnv } from './secrets/secret-env-server.js'
import { SecretSealer } from './secrets/secret-sealer.js'

const SERVICE = 'task-catalog'
/** Who calls the catalog: the gateway, and the scheduler reading what a run needs. */
export const GRPC_CALLERS: readonly string[] = ['gateway', 'job-scheduler']

/** Every environment variable the catalog reads. */
export const catalogSettings = {
  databaseUrl: str('DATABASE_URL', 'Postgres URL of the catalog database (event store and read tables)'),
  natsUrl: str(
    'NATS_URL',
    'NATS server(s) the outbox relay publishes domain events to, bots ask script contents and secret variables on, and the gateways hear of task changes on',
    'nats://127.0.0.1:4222',
  ),
  grpcPort: int('GRPC_PORT', 'port of the TaskCatalogService gRPC server (0 picks a free one)', 50051),
  grpcHost: grpcHostSetting,
  healthPort: int('HEALTH_PORT', 'port of /healthz and /readyz', 9102),
  healthHost: healthHostSetting,
  dispatchGrpcUrl: str(
    'DISPATCH_GRPC_URL',
    'host:port of BotDispatchService, asked whether a bot (a host_id, a bot asking for a script or secret variables) is of the organization',
    '127.0.0.1:50053',
  ),
  grpcAuthFile: grpcAuthSetting,
  secretsKeys: list(
    'SECRETS_KEYS',
    'keys sealing task secret keys, webhook secrets and secret variables: 32 bytes each (base64 or 64 hex), comma separated; the first seals, all open (decision 18)',
  ),
}
export type CatalogConfig = ConfigOf<typeof catalogSettings>

/** Reads the catalog's configuration from the environment. */
export function loadCatalogConfig(env: NodeJS.ProcessEnv = process.env): CatalogConfig {
  return loadConfig(catalogSettings, env)
}

/** A started catalog: its bound gRPC port, readiness checks and a graceful stop. */
export interface RunningCatalog extends RunningService {
  grpcPort: number
  /** db reachable, NATS connected, projector running (also served on `/readyz`). */
  readiness: Record<'db' | 'nats' | 'projector', () => Promise<boolean>>
  /** The command and query sides, for in-process callers (tests, future gRPC methods). */
  commands: CatalogCommands
  readModel: CatalogReadModel
  /** Rebuilds and waits of the read tables (tests of a rebuild from events). */
  projector: Projector
}

/**
 * Composition root of task-catalog: event store and read tables, projector, outbox relay to
 * JetStream, the bots' script content and secret variables servers and the gRPC server, under one
 * service lifecycle (stopped in reverse order).
 *
 * @example
 * const catalog = await startCatalog({ ...loadCatalogConfig(), grpcPort: 0 })
 * await catalog.stop()
 */
export function startCatalog(
  config: CatalogConfig,
  options: StartServiceOptions = {},
): Promise<RunningCatalog> {
  return startService(SERVICE, config, options, async (ctx) => {
    const { logger } = ctx
    const auth = readGrpcAuth(config.grpcAuthFile, SERVICE)
    const { db, store, quarantine } = await openServiceStore(ctx, { databaseUrl: config.databaseUrl })
    const sealer = SecretSealer.fromKeys(config.secretsKeys)
    const projections = [
      scriptsProjection(),
      tasksProjection(sealer),
      webhooksProjection(sealer),
      workflowsProjection(),
    ]

    const bus = await Bus.connect({ servers: config.natsUrl, name: SERVICE })
    ctx.onStop(() => bus.close())
    bus.useQuarantine(quarantine)
    await bus.ensureStream(Streams.EVENTS)

    // start() also creates the read tables, and rebuilds them when a projection's version changed.
    const projector = new Projector(store, projections, { logger, quarantine })
    await projector.start()
    let projectorRunning = true
    ctx.onStop(() => {
      projectorRunning = false
      return projector.stop()
    })

    const relay = new OutboxRelay(store, {
      name: SERVICE,
      publish: (events) => bus.publishEvents(events.map(withoutClearSecrets)),
      probe: () => bus.probe(),
      quarantine,
      logger,
    })
    await relay.start()
    ctx.onStop(() => relay.stop())

    const dispatch = createClient(BotDispatchServiceClient, config.dispatchGrpcUrl, {
      credential: auth.credential,
    })
    ctx.onStop(async () => dispatch.close())

    const bots = botDirectory(dispatch)
    const workflowReadModel = new WorkflowReadModel(db, sealer)
    const commands = new CatalogCommands({
      store,
      projector,
      bots,
      sealer,
      catalogChanged: announceCatalogChanges(bus, logger),
      workflowsUsingTask: (customer, taskId) => workflowReadModel.workflowsUsingTask(customer, taskId),
    })
    const readModel = new CatalogReadModel(db, sealer)
    const scriptContent = serveScriptContent(bus.nc, { readModel, bots, logger })
    ctx.onStop(() => scriptContent.stop())
    const secretEnv = serveSecretEnv(bus.nc, { bots, sealer, logger })
    ctx.onStop(() => secretEnv.stop())
    const webhookCommands = new WebhookCommands({ store, projector, sealer })
    const webhookReadModel = new WebhookReadModel(db, sealer)
    const workflowCommands = new WorkflowCommands({ store, projector, readModel: workflowReadModel, sealer })
    const grpcPort = await serveGrpc(
      {
        auth,
        callers: GRPC_CALLERS,
        port: config.grpcPort,
        host: config.grpcHost,
        logger,
        quarantine,
        onStop: ctx.onStop,
        name: 'task catalog',
      },
      (server) =>
        addService(
          server,
          TaskCatalogServiceService,
          catalogService({
            commands,
            readModel,
            webhookCommands,
            webhookReadModel,
            workflowCommands,
            workflowReadModel,
          }),
          { logger },
        ),
    )

    const readiness = {
      db: () => databaseReachable(db),
      nats: async () => bus.connected,
      projector: async () => projectorRunning,
    }
    for (const [name, check] of Object.entries(readiness)) ctx.addReadiness(name, check)
    return { grpcPort, commands, readModel, projector, readiness }
  })
}

runMain(import.meta.url, SERVICE, () => startCatalog(loadCatalogConfig()))
