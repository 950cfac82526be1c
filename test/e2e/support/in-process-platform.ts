import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, newSecret } from '@taskforge/core'
import { type NatsServer, startNats, testDatabase, testGrpcAuth } from '@taskforge/testkit'
import { createLogger } from '../../../packages/telemetry/src/index.js'
import { BotAgent } from '../../../services/bot/src/agent.js'
import { parseCredentials } from '../../../services/bot/src/credentials.js'
import { loadDispatchConfig, startDispatch } from '../../../services/bot-dispatch/src/main.js'
import { gatewaySettings, startGateway } from '../../../services/gateway/src/main.js'
import { loadSchedulerConfig, startScheduler } from '../../../services/job-scheduler/src/main.js'
import { loadCatalogConfig, startCatalog } from '../../../services/task-catalog/src/main.js'
import { SecretSealer } from '../../../services/task-catalog/src/secrets/secret-sealer.js'
import { loadWebhookRelayConfig } from '../../../services/webhook-relay/src/config.js'
import { startWebhookRelay } from '../../../services/webhook-relay/src/main.js'
import { expectStatus, idOf } from './fixtures.js'
import { type GatewayCall, gatewayClient } from './gateway-client.js'

/** Every service of the platform in this process (one replica each), one bot, real Postgres and NATS. */
export interface InProcessPlatform {
  call: GatewayCall
  /** The gateway's base URL (`http://127.0.0.1:<port>`). */
  gatewayUrl: string
  customer: string
  /** The operator's root token (creates organizations). */
  rootToken: string
  adminToken: string
  botId: string
  /** Health ports (`/healthz`, `/readyz`, `/metrics`) by service name. */
  healthPorts: Map<string, number>
  /** Starts one more job-scheduler replica on the same database (the gateway keeps calling the first). */
  addSchedulerReplica(): Promise<{ stop(): Promise<void> }>
  stop(): Promise<void>
}

const quiet = { handleProcessEvents: false, telemetry: false } as const

/**
 * Starts bot-dispatch, task-catalog, job-scheduler, webhook-relay and the gateway through their
 * exported start functions (each under the runtime's service lifecycle, as its `main` runs it), an
 * organization with its admin token, and a registered bot agent. Tracing is left to the caller
 * (collectSpans before this), so every service's spans land in one process.
 */
export async function startInProcessPlatform(): Promise<InProcessPlatform> {
  const stops: (() => Promise<void>)[] = []
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch(() => undefined)
  }
  try {
    const nats: NatsServer = await startNats()
    stops.push(() => nats.stop())
    const auth = await testGrpcAuth()
    const common = { NATS_URL: nats.url, GRPC_PORT: '0', HEALTH_PORT: '0' }
    const identity = (service: string) => ({ GRPC_AUTH_FILE: auth.file(service) })
    const healthPorts = new Map<string, number>()

    const dispatch = await startDispatch(
      loadDispatchConfig({ ...common, ...identity('bot-dispatch'), DATABASE_URL: await testDatabase() }),
      quiet,
    )
    stops.push(() => dispatch.stop())
    healthPorts.set('bot-dispatch', dispatch.healthPort)
    const dispatchUrl = `127.0.0.1:${dispatch.grpcPort}`

    const catalog = await startCatalog(
      loadCatalogConfig({
        ...common,
        ...identity('task-catalog'),
        DATABASE_URL: await testDatabase(),
        DISPATCH_GRPC_URL: dispatchUrl,
        SECRETS_KEYS: SecretSealer.newKey(),
      }),
      quiet,
    )
    stops.push(() => catalog.stop())
    healthPorts.set('task-catalog', catalog.healthPort)
    const catalogPort = catalog.grpcPort

    const schedulerConfig = loadSchedulerConfig({
      ...common,
      ...identity('job-scheduler'),
      DATABASE_URL: await testDatabase(),
      CATALOG_GRPC_URL: `127.0.0.1:${catalogPort}`,
    })
    const scheduler = await startScheduler(schedulerConfig, quiet)
    const addSchedulerReplica = async () => {
      const replica = await startScheduler(schedulerConfig, quiet)
      stops.push(() => replica.stop())
      return replica
    }
    stops.push(() => scheduler.stop())
    healthPorts.set('job-scheduler', scheduler.healthPort)

    const webhooks = await startWebhookRelay(
      loadWebhookRelayConfig({ ...common, ...identity('webhook-relay'), DATABASE_URL: await testDatabase() }),
      quiet,
    )
    stops.push(() => webhooks.stop())
    healthPorts.set('webhook-relay', webhooks.healthPort)
    const webhooksPort = webhooks.grpcPort

    const rootToken = newSecret()
    const gatewayConfig = loadConfig(gatewaySettings, {
      ...identity('gateway'),
      NATS_URL: nats.url,
      DATABASE_URL: await testDatabase(),
      GATEWAY_PORT: '0',
      HEALTH_PORT: '0',
      ROOT_TOKEN: rootToken,
      CATALOG_GRPC_URL: `127.0.0.1:${catalogPort}`,
      SCHEDULER_GRPC_URL: `127.0.0.1:${scheduler.grpcPort}`,
      DISPATCH_GRPC_URL: dispatchUrl,
      WEBHOOK_RELAY_GRPC_URL: `127.0.0.1:${webhooksPort}`,
    })
    const gateway = await startGateway(gatewayConfig, quiet)
    stops.push(() => gateway.stop())
    healthPorts.set('gateway', gateway.healthPort)
    const gatewayUrl = gateway.url

    const call = gatewayClient(gatewayUrl)
    const customer = 'acme'
    const organization = await expectStatus(call, 201, 'POST', '/admin/customers', {
      token: rootToken,
      json: { name: customer },
    })
    const adminToken = idOf(organization, 'admin_token')
    const registered = await expectStatus(call, 201, 'POST', `/${customer}/bot`, {
      token: adminToken,
      json: { name: 'tracer' },
    })
    const credentials = parseCredentials(registered.text)
    const workDir = await mkdtemp(join(tmpdir(), 'taskforge-bot-'))
    stops.push(() => rm(workDir, { recursive: true, force: true }))
    const bot = await BotAgent.start({
      credentials,
      concurrency: 2,
      workDir,
      killGraceMs: 1_000,
      shutdownTimeoutMs: 5_000,
      logger: createLogger('bot'),
    })
    stops.push(() => bot.stop())
    return {
      call,
      gatewayUrl,
      customer,
      rootToken,
      adminToken,
      botId: credentials.botId,
      healthPorts,
      addSchedulerReplica,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
