import { Bus, decodeEnvelope, Streams } from '@taskforge/bus'
import { badRequest } from '@taskforge/core'
import { databaseReachable, OutboxRelay, Projector } from '@taskforge/event-store'
import { trackConsumerLag, webhookMetrics } from '@taskforge/metrics'
import type { Envelope } from '@taskforge/proto/events/v1/envelope'
import { WebhookRelayServiceService } from '@taskforge/proto/webhooks/v1/webhook_relay_service'
import { Durables } from '@taskforge/protocol'
import { addService, readGrpcAuth, serveGrpc } from '@taskforge/rpc'
import {
  openServiceStore,
  type RunningService,
  runMain,
  type StartServiceOptions,
  startService,
} from '@taskforge/runtime'
import type { Kysely } from 'kysely'
import { SubscriptionCommands } from './app/subscription-commands.js'
import { checkWebhookRelayConfig, loadWebhookRelayConfig, type WebhookRelayConfig } from './config.js'
import { DeliveryStore } from './delivery/delivery-store.js'
import { createDeliveryTables, type RelayTables } from './delivery/delivery-tables.js'
import { Dispatcher } from './delivery/dispatcher.js'
import { EventIntake } from './delivery/event-intake.js'
import { FollowedCustomers } from './delivery/followed-customers.js'
import { PreparedStatements } from './delivery/prepared-statements.js'
import { parseSchedule, retryPolicy } from './delivery/retry-policy.js'
import { WebhookSender } from './delivery/webhook-sender.js'
import { redactForPublishing } from './events/subscription-codec.js'
import { webhookRelayService } from './grpc/webhook-relay-service.js'
import { SubscriptionQueries } from './projection/subscription-queries.js'
import { subscriptionsProjection } from './projection/subscriptions-projection.js'
import { AddressPolicy } from './ssrf/address-policy.js'
import type { Resolver } from './ssrf/pinned-destination.js'

export { type WebhookRelayConfig, webhookRelaySettings } from './config.js'

const SERVICE = 'webhook-relay'
/** Who calls webhook-relay: the gateway only. */
export const GRPC_CALLERS: readonly string[] = ['gateway']
/** Domain events pulled ahead of the intake, which handles them one at a time in stream order. */
const EVENTS_PREFETCH = 32

/** A started relay: its bound gRPC port, readiness checks and a graceful stop. */
export interface RunningWebhookRelay extends RunningService {
  grpcPort: number
  /** Also served on `/readyz`. */
  readiness: Record<'database' | 'nats' | 'projector', () => Promise<boolean>>
}

export interface StartWebhookRelayOptions extends StartServiceOptions {
  /** How receivers' host names are resolved (tests point names at local receivers). */
  resolver?: Resolver
}

/**
 * Composition root of webhook-relay: subscriptions (event-sourced, read table by projector), the
 * intake that turns every domain event into deliveries, the dispatcher that sends them, and the
 * gRPC server, under one service lifecycle. On stop the dispatcher's attempts in flight go back to
 * the queue.
 *
 * @example
 * const relay = await startWebhookRelay({ ...loadWebhookRelayConfig(), grpcPort: 0 })
 * await relay.stop()
 */
export function startWebhookRelay(
  config: WebhookRelayConfig,
  options: StartWebhookRelayOptions = {},
): Promise<RunningWebhookRelay> {
  checkWebhookRelayConfig(config)
  return startService(SERVICE, config, options, async (ctx) => {
    const { logger, metrics } = ctx
    const auth = readGrpcAuth(config.grpcAuthFile, SERVICE)
    const { db, store, quarantine } = await openServiceStore(ctx, {
      databaseUrl: config.databaseUrl,
      maxConnections: 20,
      tables: (connection) => createDeliveryTables(connection as unknown as Kysely<RelayTables>),
    })
    const relayDb = db as unknown as Kysely<RelayTables>

    const bus = await Bus.connect({ servers: config.natsUrl.split(','), name: SERVICE })
    ctx.onStop(() => bus.close())
    bus.useQuarantine(quarantine)
    await bus.ensureStream(Streams.EVENTS)
    await bus.ensureConsumer(Streams.EVENTS.name, {
      durable: Durables.webhookEvents,
      filterSubjects: ['events.>'],
    })
    trackConsumerLag(metrics, bus.jsm, [{ stream: Streams.EVENTS.name, durable: Durables.webhookEvents }])
    const attempts = webhookMetrics(metrics)

    const projector = new Projector(store, [subscriptionsProjection()], { logger, quarantine })
    await projector.start()
    let projectorRunning = true
    ctx.onStop(() => {
      projectorRunning = false
      return projector.stop()
    })

    const relay = new OutboxRelay(store, {
      name: SERVICE,
      publish: (events) => bus.publishEvents(events.map(redactForPublishing)),
      probe: () => bus.probe(),
      quarantine,
      logger,
    })
    await relay.start()
    ctx.onStop(() => relay.stop())

    const followed = new FollowedCustomers(relayDb)
    await followed.adoptExisting()
    // Any replica's subscription command appends to this store: reload who is followed.
    const unlisten = await store.onAppended(() => {
      followed
        .reload()
        .catch((error: unknown) => logger.error({ err: error }, 'cannot reload followed customers'))
    })
    ctx.onStop(unlisten)

    const prepared = new PreparedStatements(config.databaseUrl)
    ctx.onStop(() => prepared.close())
    const deliveries = new DeliveryStore(relayDb, prepared)
    const queries = new SubscriptionQueries(relayDb)
    let commands: SubscriptionCommands | undefined
    const dispatcher = new Dispatcher({
      deliveries,
      sender: new WebhookSender({
        policy: new AddressPolicy(config.allowNetworks),
        timeoutMs: config.timeoutMs,
        maxResponseBytes: config.maxResponseBytes,
        ...(options.resolver === undefined ? {} : { resolver: options.resolver }),
      }),
      retry: retryPolicy(parseSchedule(config.retrySchedule)),
      limits: {
        concurrency: config.concurrency,
        perOrganization: config.perOrganizationConcurrency,
        perSubscription: config.perSubscriptionConcurrency,
        perHost: config.perHostConcurrency,
      },
      pollIntervalMs: config.pollIntervalMs,
      leaseMs: config.timeoutMs + 30_000,
      logger,
      onAttempt: (result) => attempts.attempt(result.outcome, result.durationMs / 1000),
      async disable(subscription, reason) {
        logger.warn({ subscription_id: subscription.id, reason }, 'subscription disabled')
        await commands?.disable(subscription.customer, subscription.id, reason)
      },
    })
    const wake = () => dispatcher.wake()
    commands = new SubscriptionCommands({
      store,
      projector,
      deliveries,
      followed,
      secretOverlapMs: config.secretOverlapMs,
      maxSubscriptions: config.maxSubscriptions,
      onDeliveries: wake,
    })
    dispatcher.start()
    ctx.onStop(() => dispatcher.stop())

    const intake = new EventIntake({
      store,
      deliveries,
      subscriptions: queries,
      followed,
      consumer: Durables.webhookEvents,
      logger,
      onDeliveries: wake,
    })
    const consumer = await bus.consume(
      Streams.EVENTS.name,
      Durables.webhookEvents,
      async (message) => {
        let envelope: Envelope
        try {
          envelope = decodeEnvelope(message.data)
        } catch (error) {
          // Set aside in the quarantine, where an operator sees it.
          throw badRequest('not an event envelope', { cause: String(error) })
        }
        await intake.handle(envelope, message.deliveryCount)
      },
      // Every domain event comes here, most for nobody: a burst per pull request. One event takes
      // a transaction at most, so the last of a burst is handled far within its ack wait.
      { prefetch: EVENTS_PREFETCH },
    )
    ctx.onStop(() => consumer.stop())

    const grpcPort = await serveGrpc(
      {
        auth,
        callers: GRPC_CALLERS,
        port: config.grpcPort,
        host: config.grpcHost,
        logger,
        quarantine,
        onStop: ctx.onStop,
        name: 'webhook relay',
      },
      (server) =>
        addService(
          server,
          WebhookRelayServiceService,
          webhookRelayService({ commands, queries, deliveries, wake }),
          { logger },
        ),
    )

    const readiness = {
      database: () => databaseReachable(db),
      nats: async () => bus.connected,
      projector: async () => projectorRunning,
    }
    for (const [name, check] of Object.entries(readiness)) ctx.addReadiness(name, check)
    return { grpcPort, readiness }
  })
}

runMain(import.meta.url, SERVICE, () => startWebhookRelay(loadWebhookRelayConfig()))
