import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { loadConfig, newSecret } from '@taskforge/core'
import { freePort, type NatsServer, startNats, testDatabase, testGrpcAuth } from '@taskforge/testkit'
import { createLogger } from '../../../packages/telemetry/src/index.js'
import { ServiceProcess } from '../../../scripts/platform/service-process.js'
import { BotAgent } from '../../../services/bot/src/agent.js'
import { parseCredentials } from '../../../services/bot/src/credentials.js'
import { loadDispatchConfig, startDispatch } from '../../../services/bot-dispatch/src/main.js'
import { gatewaySettings, startGateway } from '../../../services/gateway/src/main.js'
import { loadSchedulerConfig, startScheduler } from '../../../services/job-scheduler/src/main.js'
import {
  loadCatalogConfig,
  type RunningCatalog,
  startCatalog,
} from '../../../services/task-catalog/src/main.js'
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
  /** The running task-catalog (its projector, to rebuild a read model from the events). */
  catalog: RunningCatalog
  /** Starts one more job-scheduler replica on the same database (the gateway keeps calling the first). */
  addSchedulerReplica(): Promise<{ stop(): Promise<void> }>
  /** Starts one more gateway replica on the same database and services: its own client and URL. */
  addGatewayReplica(): Promise<{ call: GatewayCall; url: string }>
  /**
   * With `schedulerProcesses`: the job-scheduler replicas, each a child process on fixed ports (the
   * gateway knows them all), to be killed and started again. Empty otherwise.
   */
  schedulerProcesses: SchedulerProcess[]
  stop(): Promise<void>
}

/** One job-scheduler replica run as a child process. */
export interface SchedulerProcess {
  /** SIGKILL, as a crash would: whatever it was doing is not committed. */
  kill(): Promise<void>
  /** Starts it again on the same ports and waits until it is ready. */
  start(): Promise<void>
}

export interface InProcessPlatformOptions {
  /** Run job-scheduler as this many child processes instead of in this process. */
  schedulerProcesses?: number
  /** More settings of webhook-relay (`WEBHOOK_ALLOW_NETWORKS` for a receiver on loopback, say). */
  webhookEnv?: Record<string, string>
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const WATCHDOG = pathToFileURL(join(ROOT, 'scripts/platform/parent-watchdog.ts')).href

/** A job-scheduler replica as a process of its own, as `main.ts` runs it. */
function schedulerProcess(name: string, env: Record<string, string>): ServiceProcess {
  const base: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && !key.startsWith('NATS_')) base[key] = value
  }
  return new ServiceProcess({
    name,
    command: process.execPath,
    args: [
      '--conditions=source',
      '--import',
      'tsx',
      '--import',
      WATCHDOG,
      join(ROOT, 'services/job-scheduler/src/main.ts'),
    ],
    cwd: ROOT,
    env: { ...base, LOG_LEVEL: 'warn', ...env },
    log: () => {},
  })
}

/** Distinct free ports below the ephemeral range, so that no outgoing connection takes one before its replica binds it. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < count) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000)
    if (!ports.has(candidate) && (await freePort(candidate)) === candidate) ports.add(candidate)
  }
  return [...ports]
}

const quiet = { handleProcessEvents: false, telemetry: false } as const

/**
 * Starts bot-dispatch, task-catalog, job-scheduler, webhook-relay and the gateway through their
 * exported start functions (each under the runtime's service lifecycle, as its `main` runs it), an
 * organization with its admin token, and a registered bot agent. Tracing is left to the caller
 * (collectSpans before this), so every service's spans land in one process.
 */
export async function startInProcessPlatform(
  options: InProcessPlatformOptions = {},
): Promise<InProcessPlatform> {
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

    const schedulerEnvironment = {
      ...common,
      ...identity('job-scheduler'),
      DATABASE_URL: await testDatabase(),
      CATALOG_GRPC_URL: `127.0.0.1:${catalogPort}`,
    }
    const schedulerConfig = loadSchedulerConfig(schedulerEnvironment)
    const addSchedulerReplica = async () => {
      const replica = await startScheduler(schedulerConfig, quiet)
      stops.push(() => replica.stop())
      return replica
    }
    let schedulerAddress: string
    const schedulerProcesses: SchedulerProcess[] = []
    if (options.schedulerProcesses === undefined) {
      const scheduler = await startScheduler(schedulerConfig, quiet)
      stops.push(() => scheduler.stop())
      healthPorts.set('job-scheduler', scheduler.healthPort)
      schedulerAddress = `127.0.0.1:${scheduler.grpcPort}`
    } else {
      const ports = await distinctFreePorts(options.schedulerProcesses * 2)
      for (let i = 0; i < options.schedulerProcesses; i++) {
        const child = schedulerProcess(`job-scheduler-${i + 1}`, {
          ...schedulerEnvironment,
          GRPC_PORT: String(ports[i * 2]),
          HEALTH_PORT: String(ports[i * 2 + 1]),
        })
        const replica: SchedulerProcess = {
          kill: () => child.kill(),
          start: async () => {
            child.start()
            await child.waitReady({ healthPort: ports[i * 2 + 1] as number }, 120_000)
          },
        }
        schedulerProcesses.push(replica)
        stops.push(() => child.stop(10_000))
        await replica.start()
      }
      healthPorts.set('job-scheduler', ports[1] as number)
      schedulerAddress = `ipv4:${ports
        .filter((_, i) => i % 2 === 0)
        .map((port) => `127.0.0.1:${port}`)
        .join(',')}`
    }

    const webhooks = await startWebhookRelay(
      loadWebhookRelayConfig({
        ...common,
        ...identity('webhook-relay'),
        DATABASE_URL: await testDatabase(),
        ...options.webhookEnv,
      }),
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
      SCHEDULER_GRPC_URL: schedulerAddress,
      DISPATCH_GRPC_URL: dispatchUrl,
      WEBHOOK_RELAY_GRPC_URL: `127.0.0.1:${webhooksPort}`,
    })
    const gateway = await startGateway(gatewayConfig, quiet)
    stops.push(() => gateway.stop())
    healthPorts.set('gateway', gateway.healthPort)
    const gatewayUrl = gateway.url

    const call = gatewayClient(gatewayUrl)
    const addGatewayReplica = async () => {
      const replica = await startGateway(gatewayConfig, quiet)
      stops.push(() => replica.stop())
      return { call: gatewayClient(replica.url), url: replica.url }
    }
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
      catalog,
      addSchedulerReplica,
      addGatewayReplica,
      schedulerProcesses,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
