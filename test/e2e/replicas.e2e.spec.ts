import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { newSecret } from '@taskforge/core'
import { freePort, type NatsCluster, startNatsCluster, testDatabase, testGrpcAuth } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from '../../packages/event-store/src/index.js'
import { parsePrometheusText } from '../../packages/metrics/src/index.js'
import { botProcess } from '../../scripts/platform/bot-process.js'
import { ServiceProcess } from '../../scripts/platform/service-process.js'
import { SecretSealer } from '../../services/task-catalog/src/secrets/secret-sealer.js'
import { expectStatus, idOf, jobEnded } from './support/fixtures.js'
import { type GatewayCall, gatewayClient } from './support/gateway-client.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const WATCHDOG = pathToFileURL(join(ROOT, 'scripts/platform/parent-watchdog.ts')).href
const REPLICAS = 2
const JOBS = 50
const READY_TIMEOUT_MS = 120_000

interface ServiceSpec {
  name: string
  /** The variable through which the others reach its gRPC server. */
  addressEnv?: string
}

/** In start order, as the platform starts them. */
const SERVICES: readonly ServiceSpec[] = [
  { name: 'task-catalog', addressEnv: 'CATALOG_GRPC_URL' },
  { name: 'job-scheduler', addressEnv: 'SCHEDULER_GRPC_URL' },
  { name: 'bot-dispatch', addressEnv: 'DISPATCH_GRPC_URL' },
  { name: 'webhook-relay', addressEnv: 'WEBHOOK_RELAY_GRPC_URL' },
  { name: 'gateway' },
]

/** Our environment without the test runner's variables and without NATS credentials: the cluster is open. */
function baseEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && !key.startsWith('NATS_')) env[key] = value
  }
  return { ...env, LOG_LEVEL: 'warn' }
}

const FIXED_PORTS = { from: 20_000, to: 32_000 }

/**
 * Distinct free ports below the ephemeral range: ports picked from that range can be taken by the
 * many outgoing connections of this test before the replica that was given one binds it.
 */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < count) {
    const candidate = FIXED_PORTS.from + Math.floor(Math.random() * (FIXED_PORTS.to - FIXED_PORTS.from))
    if (!ports.has(candidate) && (await freePort(candidate)) === candidate) ports.add(candidate)
  }
  return [...ports]
}

/** Both replicas' addresses, the replica's own twin first, so the clients of replica i favour replica i. */
function addressList(ports: readonly number[], replica: number): string {
  const ordered = [...ports.slice(replica), ...ports.slice(0, replica)]
  return `ipv4:${ordered.map((port) => `127.0.0.1:${port}`).join(',')}`
}

// Two replicas of every service (separate processes), two bots and a three-node JetStream cluster with
// streams replicated three times: every job run through either gateway must finish exactly once.
describe('every service as two replicas on a three-node NATS cluster', () => {
  const processes: ServiceProcess[] = []
  let cluster: NatsCluster
  let dir: string
  let runsFile: string
  let schedulerDatabase: string
  let gateways: GatewayCall[]
  let customer: string
  let adminToken: string
  let botIds: string[]
  let healthPorts: Map<string, number[]>

  const launch = async (child: ServiceProcess, ready: { healthPort: number } | { logMessage: string }) => {
    processes.push(child)
    child.start()
    await child.waitReady(ready, READY_TIMEOUT_MS)
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'taskforge-replicas-'))
    runsFile = join(dir, 'runs.log')
    await writeFile(runsFile, '')
    cluster = await startNatsCluster({ nodes: 3 })

    const databases = new Map<string, string>()
    for (const service of SERVICES) databases.set(service.name, await testDatabase())
    schedulerDatabase = databases.get('job-scheduler') as string
    const ports = await distinctFreePorts(SERVICES.length * REPLICAS * 2 + REPLICAS)
    const grpcPorts = new Map<string, number[]>()
    healthPorts = new Map<string, number[]>()
    SERVICES.forEach((service, i) => {
      const base = i * REPLICAS * 2
      grpcPorts.set(service.name, ports.slice(base, base + REPLICAS))
      healthPorts.set(service.name, ports.slice(base + REPLICAS, base + REPLICAS * 2))
    })
    const gatewayPorts = ports.slice(SERVICES.length * REPLICAS * 2)
    const rootToken = newSecret()
    const base = baseEnvironment()
    const auth = await testGrpcAuth()
    // Both catalog replicas seal and open with the same keys.
    const secretsKeys = SecretSealer.newKey()

    for (const service of SERVICES) {
      const replicas = Array.from({ length: REPLICAS }, (_, replica) => {
        const addresses = Object.fromEntries(
          SERVICES.filter((other) => other.addressEnv !== undefined).map((other) => [
            other.addressEnv,
            addressList(grpcPorts.get(other.name) ?? [], replica),
          ]),
        )
        const healthPort = healthPorts.get(service.name)?.[replica] as number
        const env: NodeJS.ProcessEnv = {
          ...base,
          ...addresses,
          DATABASE_URL: databases.get(service.name),
          GRPC_AUTH_FILE: auth.file(service.name),
          NATS_URL: cluster.url,
          NATS_STREAM_REPLICAS: '3',
          GRPC_PORT: String(grpcPorts.get(service.name)?.[replica]),
          HEALTH_PORT: String(healthPort),
          ...(service.name === 'gateway'
            ? { GATEWAY_PORT: String(gatewayPorts[replica]), ROOT_TOKEN: rootToken }
            : {}),
          ...(service.name === 'bot-dispatch' ? { PUBLIC_NATS_URL: cluster.url } : {}),
          ...(service.name === 'task-catalog' ? { SECRETS_KEYS: secretsKeys } : {}),
        }
        const child = new ServiceProcess({
          name: `${service.name}-${replica + 1}`,
          command: process.execPath,
          args: [
            '--conditions=source',
            '--import',
            'tsx',
            '--import',
            WATCHDOG,
            join(ROOT, `services/${service.name}/src/main.ts`),
          ],
          cwd: ROOT,
          env,
          log: () => {},
        })
        return { child, healthPort }
      })
      // Replicas start together: migrations, projections and stream declarations race on purpose.
      await Promise.all(replicas.map(({ child, healthPort }) => launch(child, { healthPort })))
    }

    gateways = gatewayPorts.map((port) => gatewayClient(`http://127.0.0.1:${port}`))
    const [first, second] = gateways as [GatewayCall, GatewayCall]
    customer = 'replicated'
    const organization = await expectStatus(first, 201, 'POST', '/admin/customers', {
      token: rootToken,
      json: { name: customer },
    })
    adminToken = idOf(organization, 'admin_token')
    botIds = []
    for (const [index, gateway] of [first, second].entries()) {
      const answer = await expectStatus(gateway, 201, 'POST', `/${customer}/bot`, {
        token: adminToken,
        json: { name: `bot-${index + 1}` },
      })
      const botId = idOf(answer)
      botIds.push(botId)
      const file = join(dir, `${botId}.json`)
      await writeFile(file, answer.text, { mode: 0o600 })
      const bot = botProcess({
        name: `bot-${index + 1}`,
        credentialsFile: file,
        workDir: join(dir, `work-${index + 1}`),
        args: ['--concurrency', '4'],
        env: { ...base, LOG_LEVEL: 'info' },
        log: () => {},
      })
      await launch(bot, { logMessage: 'bot started' })
    }
  }, 600_000)

  afterAll(async () => {
    for (const child of processes.reverse()) await child.stop(20_000)
    await cluster?.stop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  }, 180_000)

  it(`runs ${JOBS} jobs through both gateways, each started and finished exactly once`, async () => {
    const [first] = gateways as [GatewayCall, GatewayCall]
    const script = await expectStatus(first, 201, 'POST', `/${customer}/script`, {
      token: adminToken,
      json: { filename: 'record.sh', content: `#!/bin/sh\necho "$TASKFORGE_JOB_ID" >> '${runsFile}'\n` },
    })
    const tasks: string[] = []
    for (const botId of botIds) {
      const task = await expectStatus(first, 201, 'POST', `/${customer}/task`, {
        token: adminToken,
        json: { name: `on ${botId}`, host_id: botId, script_id: idOf(script), multitasking: true },
      })
      tasks.push(idOf(task))
    }

    const runs = await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => {
        const gateway = gateways[i % gateways.length] as GatewayCall
        const run = await expectStatus(
          gateway,
          201,
          'POST',
          `/${customer}/task/${tasks[i % tasks.length]}/job`,
          {
            token: adminToken,
          },
        )
        return idOf(run)
      }),
    )
    expect(new Set(runs).size).toBe(JOBS)

    const ended = await Promise.all(
      runs.map((jobId, i) =>
        jobEnded(gateways[(i + 1) % gateways.length] as GatewayCall, customer, adminToken, jobId, 180_000),
      ),
    )
    for (const job of ended) {
      expect(job, JSON.stringify(job)).toMatchObject({ lifecycle: 'finished', state: 'success' })
    }

    // Each script ran once: its job id is in the file once.
    const lines = (await readFile(runsFile, 'utf8')).split('\n').filter((line) => line !== '')
    expect(lines.sort()).toEqual([...runs].sort())

    // The scheduler's store holds one start and one end per job, whichever replica applied the reports.
    const db = createDb(schedulerDatabase, { max: 1 })
    try {
      const rows = (await db
        .selectFrom('events')
        .select(['stream_id', 'type'])
        .where('stream_type', '=', 'job')
        .where('type', 'in', ['queued', 'assigned', 'started', 'finished'])
        .execute()) as { stream_id: string; type: string }[]
      for (const type of ['queued', 'assigned', 'started', 'finished']) {
        const ids = rows.filter((row) => row.type === type).map((row) => row.stream_id)
        expect(ids.sort(), type).toEqual([...runs].sort())
      }
    } finally {
      await db.destroy()
    }

    // Both replicas of the scheduler and of bot-dispatch did work: each appended to the shared store.
    for (const service of ['job-scheduler', 'bot-dispatch']) {
      for (const port of healthPorts.get(service) ?? []) {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
        const appends = parsePrometheusText(text).samples.filter(
          (sample) =>
            sample.name === 'taskforge_event_store_append_duration_seconds_count' &&
            sample.labels.outcome === 'ok',
        )
        expect(
          appends.reduce((sum, sample) => sum + sample.value, 0),
          `${service} on ${port}`,
        ).toBeGreaterThan(0)
      }
    }
  })
})
