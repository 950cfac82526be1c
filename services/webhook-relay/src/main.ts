import { fileURLToPath } from 'node:url'
import { Bus, decodeEnvelope, Streams } from '@taskforge/bus'
import { type ConfigOf, int, loadConfig, str } from '@taskforge/core'
import { createDb, EventStore, OutboxRelay } from '@taskforge/event-store'
import { runService } from '@taskforge/runtime'
import { createLogger, type Logger } from '@taskforge/telemetry'
import { sql } from 'kysely'

export const webhookRelaySettings = {
  healthPort: int('HEALTH_PORT', 'Port of /healthz and /readyz', 9105),
  databaseUrl: str(
    'DATABASE_URL',
    "Postgres URL of webhook-relay's own database (subscriptions, deliveries)",
  ),
  natsUrl: str('NATS_URL', 'NATS server URL(s), comma separated', 'nats://127.0.0.1:4222'),
}
export type WebhookRelayConfig = ConfigOf<typeof webhookRelaySettings>

/** The durable through which webhook-relay sees every domain event. */
export const EVENTS_CONSUMER = 'webhook-relay-events'

/**
 * Composition root of webhook-relay. It follows every domain event from its own durable consumer,
 * so that no event is missed while subscriptions are added; delivery to subscribers builds on this.
 */
export async function startWebhookRelay(
  config: WebhookRelayConfig,
  logger: Logger,
  hooks: {
    onStop(fn: () => Promise<void>): void
    addReadiness(name: string, check: () => Promise<boolean> | boolean): void
  },
): Promise<void> {
  const db = createDb(config.databaseUrl)
  hooks.onStop(() => db.destroy())
  const store = new EventStore(db)
  await store.migrate()

  const bus = await Bus.connect({ servers: config.natsUrl.split(','), name: 'webhook-relay' })
  hooks.onStop(() => bus.close())
  await bus.ensureStream(Streams.EVENTS)
  await bus.ensureConsumer(Streams.EVENTS.name, { durable: EVENTS_CONSUMER, filterSubjects: ['events.>'] })
  const relay = new OutboxRelay(store, {
    name: 'webhook-relay',
    publish: (events) => bus.publishEvents(events),
    logger,
  })
  await relay.start()
  hooks.onStop(() => relay.stop())

  const consumer = await bus.consume(Streams.EVENTS.name, EVENTS_CONSUMER, async (message) => {
    const envelope = decodeEnvelope(message.data)
    logger.debug({ event_id: envelope.eventId, subject: message.subject }, 'event seen')
  })
  hooks.onStop(() => consumer.stop())
  hooks.addReadiness('database', async () => {
    await sql`SELECT 1`.execute(db)
    return true
  })
  hooks.addReadiness('nats', () => !bus.nc.isClosed())
}

async function main(): Promise<void> {
  const logger = createLogger('webhook-relay')
  const config = loadConfig(webhookRelaySettings)
  await runService({
    name: 'webhook-relay',
    healthPort: config.healthPort,
    logger,
    async start(ctx) {
      await startWebhookRelay(config, logger, ctx)
    },
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
