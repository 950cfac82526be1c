import { Bus, type BusMessage, decodeEnvelope, type Envelope } from '@taskforge/bus'
import { BotDispatchServiceService } from '@taskforge/proto/bots/v1/bot_service'
import { TaskCatalogServiceClient } from '@taskforge/proto/catalog/v1/catalog_service'
import {
  addService,
  createClient,
  createGrpcServer,
  type RpcClient,
  startGrpcServer,
  stopGrpcServer,
} from '@taskforge/rpc'
import { type NatsServer, startNats, testDatabase, testGrpcAuth } from '@taskforge/testkit'
import { type RunningCatalog, startCatalog } from '../main.js'
import { SecretSealer } from '../secrets/secret-sealer.js'
import { fakeBotDispatch } from './fake-bot-dispatch.js'

/** A catalog on its own database and nats-server, beside a stand-in bot-dispatch, called as the gateway. */
export interface CatalogUnderTest {
  nats: NatsServer
  databaseUrl: string
  catalog: RunningCatalog
  client: RpcClient<TaskCatalogServiceClient>
  /** A connection to the same nats-server, for what a test publishes, asks or reads itself. */
  bus: Bus
  /** Stops the stand-in bot-dispatch now (the catalog without it); `stop` then leaves it alone. */
  stopDispatch(): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts what a catalog integration test needs: a test database, a nats-server, the stand-in
 * bot-dispatch knowing `botCustomers` (bot id → organization), the catalog with gRPC
 * authentication on and a new secrets key, and a gRPC client holding the gateway's credential.
 */
export async function startCatalogUnderTest(
  botCustomers: ReadonlyMap<string, string>,
): Promise<CatalogUnderTest> {
  const auth = await testGrpcAuth()
  const databaseUrl = await testDatabase()
  const nats = await startNats()
  const dispatch = createGrpcServer({ auth: auth.of('bot-dispatch'), callers: ['task-catalog'] })
  addService(dispatch, BotDispatchServiceService, fakeBotDispatch(botCustomers))
  const dispatchPort = await startGrpcServer(dispatch, 0, '127.0.0.1')
  let dispatchStopped = false
  const stopDispatch = async (): Promise<void> => {
    if (dispatchStopped) return
    dispatchStopped = true
    await stopGrpcServer(dispatch)
  }
  const catalog = await startCatalog(
    {
      databaseUrl,
      natsUrl: nats.url,
      grpcPort: 0,
      grpcHost: '127.0.0.1',
      healthPort: 0,
      healthHost: '127.0.0.1',
      grpcAuthFile: auth.file('task-catalog'),
      dispatchGrpcUrl: `127.0.0.1:${dispatchPort}`,
      secretsKeys: [SecretSealer.newKey()],
    },
    { handleProcessEvents: false, telemetry: false },
  )
  const client = createClient(TaskCatalogServiceClient, `127.0.0.1:${catalog.grpcPort}`, {
    credential: auth.of('gateway').credential,
  })
  const bus = await Bus.connect({ servers: nats.url, name: 'catalog-test' })
  return {
    nats,
    databaseUrl,
    catalog,
    client,
    bus,
    stopDispatch,
    async stop() {
      await bus.close()
      client.close()
      await catalog.stop()
      await stopDispatch()
      await nats.stop()
    },
  }
}

/**
 * Every envelope the catalog publishes on EVENTS under `filterSubjects`, in the order received,
 * through a durable consumer of the test's own.
 */
export async function recordPublished(
  bus: Bus,
  durable: string,
  filterSubjects: string[],
): Promise<{ received: Envelope[]; stop(): Promise<void> }> {
  const received: Envelope[] = []
  await bus.ensureConsumer('EVENTS', { durable, filterSubjects })
  const consumer = await bus.consume('EVENTS', durable, async (message: BusMessage) => {
    received.push(decodeEnvelope(message.data))
  })
  return { received, stop: () => consumer.stop() }
}
