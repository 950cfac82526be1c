import { Bus, Streams } from '@taskforge/bus'
import {
  ConfigError,
  type ConfigOf,
  duration,
  int,
  list,
  loadConfig,
  Quotas,
  quotaSetting,
  str,
} from '@taskforge/core'
import { OutboxRelay, Projector, withSchemaLock } from '@taskforge/event-store'
import { grpcAuthSetting, quarantineService, readGrpcAuth } from '@taskforge/rpc'
import {
  healthHostSetting,
  openServiceStore,
  type RunningService,
  runMain,
  type StartServiceOptions,
  startService,
} from '@taskforge/runtime'
import type { Kysely } from 'kysely'
import { Accounts } from './accounts/accounts.js'
import { type AccountsTables, accountsProjection } from './accounts/accounts-projection.js'
import { Sessions, type SessionTables } from './accounts/sessions.js'
import { createClients } from './clients/clients.js'
import { consoleDirectory } from './http/console.js'
import { buildHttpServer } from './http/server.js'
import { LiveHub } from './live/live-events.js'
import { LiveFeed } from './live/live-feed.js'
import { TaskReads } from './tasks/task-reads.js'

/** Events kept per organization for streams resuming with Last-Event-ID, and organizations kept. */
const LIVE_EVENTS_PER_ORGANIZATION = 1_000
const LIVE_ORGANIZATIONS = 1_000

export const gatewaySettings = {
  port: int('GATEWAY_PORT', 'Port of the public REST API', 8080),
  host: str('GATEWAY_HOST', 'Address the REST API binds to', '127.0.0.1'),
  healthPort: int('HEALTH_PORT', 'Port of /healthz and /readyz', 9101),
  healthHost: healthHostSetting,
  databaseUrl: str('DATABASE_URL', "Postgres URL of the gateway's own database (organizations, tokens)"),
  natsUrl: str('NATS_URL', 'NATS server URL(s), comma separated', 'nats://127.0.0.1:4222'),
  rootToken: str('ROOT_TOKEN', "The operator's credential: creates organizations"),
  catalogUrl: str('CATALOG_GRPC_URL', 'task-catalog gRPC address', '127.0.0.1:50051'),
  schedulerUrl: str('SCHEDULER_GRPC_URL', 'job-scheduler gRPC address', '127.0.0.1:50052'),
  dispatchUrl: str('DISPATCH_GRPC_URL', 'bot-dispatch gRPC address', '127.0.0.1:50053'),
  webhookRelayUrl: str('WEBHOOK_RELAY_GRPC_URL', 'webhook-relay gRPC address', '127.0.0.1:50054'),
  publicUrl: str(
    'GATEWAY_PUBLIC_URL',
    "The URL clients reach the REST API at, the OpenAPI document's server (default: the address it listens on)",
    '',
  ),
  consoleDir: str(
    'CONSOLE_DIR',
    "Directory of the console's static build (default: the build of the @taskforge/console package)",
    '',
  ),
  corsOrigins: list('CORS_ORIGINS', 'Browser origins allowed to call the API (comma separated)', []),
  grpcAuthFile: grpcAuthSetting,
  runsPerSecond: quotaSetting(Quotas.runsPerToken),
  signInsPerMinute: quotaSetting(Quotas.sessionAttemptsPerAddress),
  eventStreamsPerOrganization: quotaSetting(Quotas.eventStreamsPerOrganization),
  eventStreamsMax: int(
    'EVENT_STREAMS_MAX',
    'Live event streams (GET /:customer/events) one gateway keeps open, every organization together; past it, 503',
    2000,
  ),
  eventStreamMaxMs: duration(
    'EVENT_STREAM_MAX',
    'The longest one live event stream stays open; the client reconnects with Last-Event-ID',
    '1h',
  ),
  sessionTtlMs: duration('SESSION_TTL', 'How long a console session lives from sign-in', '12h'),
  sessionsPerToken: int(
    'SESSIONS_PER_TOKEN',
    'Console sessions one token may hold at once; a sign-in past it ends the oldest',
    20,
  ),
  requestTimeoutMs: duration(
    'GATEWAY_REQUEST_TIMEOUT',
    'How long a client may take to send a whole request, headers and body; past it, 408 and the connection is closed',
    '30s',
  ),
  headersTimeoutMs: duration(
    'GATEWAY_HEADERS_TIMEOUT',
    "How long a client may take to send a request's headers (at most GATEWAY_REQUEST_TIMEOUT); past it, 408 and the connection is closed",
    '10s',
  ),
  idleTimeoutMs: duration(
    'GATEWAY_IDLE_TIMEOUT',
    'A connection with nothing received or sent for this long is closed (a log follow has its own bounds); 0 never',
    '120s',
  ),
  taskCacheTtlMs: duration(
    'TASK_CACHE_TTL',
    "How long a gateway answers an organization's tasks from memory; every change is told to every gateway before it is answered, this bounds one that went untold (decision 33); 0 reads task-catalog each time",
    '5s',
  ),
  taskCacheMaxBytes: int(
    'TASK_CACHE_MAX_BYTES',
    "Memory one gateway gives to organizations' task lists (estimated); an organization above a sixteenth of it is read from task-catalog each time",
    64 * 1024 * 1024,
  ),
  logFollowMaxMs: duration(
    'LOG_FOLLOW_MAX',
    'The longest a log follow (GET /:customer/job/:id/log?follow=true) streams; the client may follow again',
    '1h',
  ),
}
export type GatewayConfig = ConfigOf<typeof gatewaySettings>

/** Reads the gateway's configuration and checks what Node would refuse only once listening. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const config = loadConfig(gatewaySettings, env)
  if (config.requestTimeoutMs < 1 || config.headersTimeoutMs < 1 || config.logFollowMaxMs < 1)
    throw new ConfigError('invalid configuration: the gateway timeouts and LOG_FOLLOW_MAX must be positive')
  if (config.headersTimeoutMs > config.requestTimeoutMs)
    throw new ConfigError(
      'invalid configuration: GATEWAY_HEADERS_TIMEOUT must not exceed GATEWAY_REQUEST_TIMEOUT',
    )
  if (config.eventStreamsPerOrganization < 1 || config.eventStreamsMax < 1 || config.eventStreamMaxMs < 1)
    throw new ConfigError(
      `invalid configuration: ${Quotas.eventStreamsPerOrganization.setting}, EVENT_STREAMS_MAX and EVENT_STREAM_MAX must be positive`,
    )
  if (config.signInsPerMinute < 1 || config.sessionsPerToken < 1 || config.sessionTtlMs < 1)
    throw new ConfigError(
      `invalid configuration: ${Quotas.sessionAttemptsPerAddress.setting}, SESSIONS_PER_TOKEN and SESSION_TTL must be positive`,
    )
  if (config.taskCacheTtlMs < 0 || config.taskCacheMaxBytes < 0)
    throw new ConfigError(
      'invalid configuration: TASK_CACHE_TTL and TASK_CACHE_MAX_BYTES must not be negative',
    )
  if (config.runsPerSecond < 1)
    throw new ConfigError(`invalid configuration: ${Quotas.runsPerToken.setting} must be at least 1`)
  return config
}

const SERVICE = 'gateway'

export interface RunningGateway extends RunningService {
  url: string
}

/**
 * Composition root of the gateway: its event store (organizations, tokens) and projector, outbox
 * relay to EVENTS, the gRPC clients of every other service and the HTTP server, under one service
 * lifecycle.
 *
 * @example
 * const gateway = await startGateway(loadGatewayConfig())
 * await gateway.stop()
 */
export function startGateway(
  config: GatewayConfig,
  options: StartServiceOptions = {},
): Promise<RunningGateway> {
  return startService(SERVICE, config, options, async (ctx) => {
    const { logger } = ctx
    const { db, store, quarantine } = await openServiceStore(ctx, {
      databaseUrl: config.databaseUrl,
      tables: (connection) => accountsProjection.setup(connection),
    })
    const projector = new Projector(store, [accountsProjection], { logger, quarantine })
    await projector.start()
    ctx.onStop(() => projector.stop())

    const bus = await Bus.connect({ servers: config.natsUrl.split(','), name: SERVICE })
    ctx.onStop(() => bus.close())
    bus.useQuarantine(quarantine)
    await bus.ensureStream(Streams.EVENTS)
    const relay = new OutboxRelay(store, {
      name: SERVICE,
      publish: (events) => bus.publishEvents(events),
      probe: () => bus.probe(),
      quarantine,
      logger,
    })
    await relay.start()
    ctx.onStop(() => relay.stop())

    const auth = readGrpcAuth(config.grpcAuthFile, SERVICE)
    const clients = createClients(
      {
        catalog: config.catalogUrl,
        scheduler: config.schedulerUrl,
        dispatch: config.dispatchUrl,
        webhooks: config.webhookRelayUrl,
      },
      auth.credential,
    )
    ctx.onStop(async () => clients.close())
    const tasks = new TaskReads(clients.catalog, {
      ttlMs: config.taskCacheTtlMs,
      maxBytes: config.taskCacheMaxBytes,
    })
    ctx.onStop(await tasks.watch(bus))
    const accounts = new Accounts(store, projector, db as unknown as Kysely<AccountsTables>)
    const sessions = new Sessions(db as unknown as Kysely<SessionTables>, {
      ttlMs: config.sessionTtlMs,
      maxPerToken: config.sessionsPerToken,
    })
    await withSchemaLock(db, (connection) => sessions.setup(connection))
    ctx.onStop(await accounts.watchChanges())
    const liveHub = new LiveHub({
      perOrganization: LIVE_EVENTS_PER_ORGANIZATION,
      organizations: LIVE_ORGANIZATIONS,
    })
    const liveFeed = new LiveFeed({
      bus,
      hub: liveHub,
      logger,
      taskOfJob: async (customer, jobId) => (await clients.scheduler.getJob({ customer, jobId })).job?.taskId,
      taskOfSchedule: async (customer, scheduleId) =>
        (await clients.scheduler.getSchedule({ customer, scheduleId })).schedule?.taskId,
      workflowOfRun: async (customer, runId) =>
        (await clients.scheduler.getWorkflowRun({ customer, runId })).run?.workflowId,
    })
    await liveFeed.start()
    ctx.onStop(() => liveFeed.stop())
    const listeningUrl = () => {
      const address = app.server.address()
      const port = typeof address === 'object' && address ? address.port : config.port
      return `http://${config.host}:${port}`
    }
    const app = await buildHttpServer({
      accounts,
      sessions,
      signInsPerMinute: config.signInsPerMinute,
      clients,
      tasks,
      rootToken: config.rootToken,
      corsOrigins: config.corsOrigins,
      logger,
      quarantines: { gateway: quarantineService(quarantine), ...clients.quarantines },
      runsPerSecond: config.runsPerSecond,
      timeouts: {
        requestMs: config.requestTimeoutMs,
        headersMs: config.headersTimeoutMs,
        idleMs: config.idleTimeoutMs,
      },
      logFollowMaxMs: config.logFollowMaxMs,
      publicUrl: () => config.publicUrl || listeningUrl(),
      consoleDir: consoleDirectory(config.consoleDir),
      liveHub,
      eventStreams: {
        perOrganization: config.eventStreamsPerOrganization,
        perGateway: config.eventStreamsMax,
        maxDurationMs: config.eventStreamMaxMs,
      },
    })
    await app.listen({ port: config.port, host: config.host })
    ctx.onStop(() => app.close())
    ctx.addReadiness('nats', () => !bus.nc.isClosed())
    logger.info({ url: listeningUrl() }, 'gateway listening')
    return { url: listeningUrl() }
  })
}

runMain(import.meta.url, SERVICE, () => startGateway(loadGatewayConfig()))
