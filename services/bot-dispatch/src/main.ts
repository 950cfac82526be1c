import { Bus, Streams } from '@taskforge/bus'
import { OutboxRelay, Projector } from '@taskforge/event-store'
import { heartbeatMetrics, trackConsumerLag } from '@taskforge/metrics'
import { BotDispatchServiceService } from '@taskforge/proto/bots/v1/bot_service'
import { Durables } from '@taskforge/protocol'
import { addService, readGrpcAuth, serveGrpc } from '@taskforge/rpc'
import {
  openServiceStore,
  type RunningService,
  runMain,
  type StartServiceOptions,
  startService,
} from '@taskforge/runtime'
import { type Kysely, sql } from 'kysely'
import { createBotNameClaimsTable } from './app/bot-name-claims.js'
import { ASSIGNMENTS_SUBJECT, carryAssignments } from './assignments/assignment-carrier.js'
import { ensureAllBotConsumers } from './assignments/ensure-bot-consumers.js'
import { type DispatchConfig, loadDispatchConfig } from './config.js'
import { CANCELS_SUBJECT, carryCancels } from './control/cancel-carrier.js'
import { ensureControlStream } from './control/control-channel.js'
import {
  AccountRevocations,
  type BotCredentialIssuer,
  loadBotCredentialIssuer,
  loadRevocationConfig,
  type RevocationConfig,
} from './credentials/index.js'
import { BotOwners } from './domain/bot-owners.js'
import { botDispatchService } from './grpc/bot-dispatch-service.js'
import { listenToHeartbeats } from './presence/heartbeat-listener.js'
import { OfflineSweeper } from './presence/offline-sweeper.js'
import { botsProjection } from './projection/bots-projection.js'
import { createBotPresenceTable } from './projection/bots-table.js'
import {
  type BotRevocationsDatabase,
  botRevocationsProjection,
  readRevocations,
} from './projection/revocations-projection.js'

export { type DispatchConfig, dispatchSettings, loadDispatchConfig } from './config.js'
export { loadBotCredentialIssuer, loadRevocationConfig, natsAccountSettings } from './credentials/index.js'

export const SERVICE_NAME = 'bot-dispatch'
/** Who calls bot-dispatch: the gateway, and the catalog asking whether a bot is an organization's. */
export const GRPC_CALLERS: readonly string[] = ['gateway', 'task-catalog']

export interface StartDispatchOptions extends StartServiceOptions {
  /**
   * Issues each registered bot its own NATS user (see `loadBotCredentialIssuer`: NATS_ACCOUNT_SIGNING_SEED,
   * NATS_ACCOUNT). Without it bots get no NATS credentials, which only works with an open server.
   */
  credentialIssuer?: BotCredentialIssuer
  /**
   * Revokes the NATS users of deleted bots and replaced credentials (see `loadRevocationConfig`);
   * given whenever `credentialIssuer` is.
   */
  revocation?: RevocationConfig
}

export interface RunningDispatch extends RunningService {
  /** The port the gRPC server bound (useful when 0 was asked for). */
  grpcPort: number
}

/**
 * Composition root of bot-dispatch: bot streams and the `bots` projection, outbox relay to EVENTS,
 * presence from heartbeats (cameOnline / wentOffline), the assignment carrier (EVENTS → DISPATCH), the
 * cancel carrier (EVENTS → CONTROL) and the `BotDispatchService` gRPC server, under one service lifecycle.
 *
 * @example
 * const dispatch = await startDispatch(loadDispatchConfig())
 * await dispatch.stop()
 */
export async function startDispatch(
  config: DispatchConfig,
  options: StartDispatchOptions = {},
): Promise<RunningDispatch> {
  return startService(SERVICE_NAME, config, options, async (ctx) => {
    const { logger } = ctx
    const auth = readGrpcAuth(config.grpcAuthFile, SERVICE_NAME)
    const { db, store, quarantine } = await openServiceStore(ctx, {
      databaseUrl: config.databaseUrl,
      tables: async (connection) => {
        await botsProjection.setup(connection)
        await createBotPresenceTable(connection)
        await createBotNameClaimsTable(connection)
      },
    })
    const projector = new Projector(store, [botsProjection, botRevocationsProjection], {
      logger,
      quarantine,
    })
    await projector.start()
    ctx.onStop(() => projector.stop())

    const natsServers = config.natsUrl.split(',')
    const bus = await Bus.connect({ servers: natsServers, name: SERVICE_NAME, logger })
    ctx.onStop(() => bus.close())
    bus.useQuarantine(quarantine)
    ctx.addReadiness('nats', () => bus.connected)
    await bus.ensureStream(Streams.EVENTS)
    await bus.ensureStream(Streams.DISPATCH)
    await ensureControlStream(bus)
    await bus.ensureConsumer(Streams.EVENTS.name, {
      durable: Durables.assignments,
      filterSubjects: [ASSIGNMENTS_SUBJECT],
    })
    await bus.ensureConsumer(Streams.EVENTS.name, {
      durable: Durables.cancels,
      filterSubjects: [CANCELS_SUBJECT],
    })
    const bots = await ensureAllBotConsumers(store, bus)
    // The bots' durables' lag is their queue depth as NATS sees it: dispatched, not yet pulled.
    trackConsumerLag(ctx.metrics, bus.jsm, [
      { stream: Streams.EVENTS.name, durable: Durables.assignments },
      { stream: Streams.EVENTS.name, durable: Durables.cancels },
      { stream: Streams.DISPATCH.name, prefix: 'bot-' },
    ])
    logger.info({ bots }, 'bot dispatch consumers ensured')

    let revocations: AccountRevocations | undefined
    if (options.revocation !== undefined) {
      const revocation = options.revocation
      revocations = new AccountRevocations({
        servers: natsServers,
        signer: revocation.signer,
        systemUser: revocation.systemUser,
        logger,
        // One replica pushes at a time, the list read under the lock: an older list never follows a newer.
        withRevocations: (push) =>
          store.transaction(async (trx) => {
            await sql`SELECT pg_advisory_xact_lock(hashtext('bot-dispatch:nats-revocations'))`.execute(trx)
            await push(await readRevocations(trx as unknown as Kysely<BotRevocationsDatabase>))
          }),
      })
      await revocations.start()
      const pusher = revocations
      ctx.onStop(() => pusher.stop())
    }

    const relay = new OutboxRelay(store, {
      name: SERVICE_NAME,
      publish: (events) => bus.publishEvents(events),
      probe: () => bus.probe(),
      quarantine,
      logger,
    })
    await relay.start()
    ctx.onStop(() => relay.stop())

    const heartbeats = listenToHeartbeats({
      bus,
      db,
      store,
      logger,
      onlineWindowMs: config.offlineAfterMs,
      onDropped: heartbeatMetrics(ctx.metrics, 'presence'),
    })
    ctx.onStop(() => heartbeats.stop())
    const offline = new OfflineSweeper({
      store,
      db,
      windowMs: config.offlineAfterMs,
      intervalMs: config.presenceSweepIntervalMs,
      logger,
    })
    offline.start()
    ctx.onStop(() => offline.stop())
    const owners = new BotOwners(store)
    const assignments = await carryAssignments({ bus, owners })
    ctx.onStop(() => assignments.stop())
    const cancels = await carryCancels({ bus, owners })
    ctx.onStop(() => cancels.stop())

    const grpcPort = await serveGrpc(
      {
        auth,
        callers: GRPC_CALLERS,
        port: config.grpcPort,
        host: config.grpcHost,
        logger,
        quarantine,
        onStop: ctx.onStop,
        name: 'BotDispatchService',
        logFields: { botNatsUsers: options.credentialIssuer !== undefined },
      },
      (server) =>
        addService(
          server,
          BotDispatchServiceService,
          botDispatchService({
            store,
            projector,
            db,
            bus,
            publicNatsUrl: config.publicNatsUrl || natsServers[0] || config.natsUrl,
            onlineWindowMs: config.offlineAfterMs,
            ...(options.credentialIssuer === undefined ? {} : { credentialIssuer: options.credentialIssuer }),
            ...(revocations === undefined ? {} : { revocations }),
            logger,
          }),
          { logger },
        ),
    )
    return { grpcPort }
  })
}

runMain(import.meta.url, SERVICE_NAME, () => {
  const credentialIssuer = loadBotCredentialIssuer()
  const revocation = loadRevocationConfig()
  return startDispatch(loadDispatchConfig(), {
    ...(credentialIssuer === undefined ? {} : { credentialIssuer }),
    ...(revocation === undefined ? {} : { revocation }),
  })
})
