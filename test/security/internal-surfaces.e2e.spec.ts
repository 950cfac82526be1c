import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Client, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js'
import { newServiceCredential, parseGrpcAuth } from '@taskforge/core'
import { grpcAuthFile } from '@taskforge/nats-operator'
import { TaskCatalogServiceClient } from '@taskforge/proto/catalog/v1/catalog_service'
import { JobSchedulerServiceClient, RunTaskRequest } from '@taskforge/proto/jobs/v1/scheduler_service'
import { ListQuarantineRequest, QuarantineServiceClient } from '@taskforge/proto/ops/v1/quarantine_service'
import { freePort } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { expectStatus, idOf } from '../e2e/support/fixtures.js'
import { gatewayClient } from '../e2e/support/gateway-client.js'

// The internal listeners of the platform as `npm start` runs it: every gRPC server and health port
// is bound to loopback, and a gRPC server answers only the services that call it, each presenting
// its own credential (docs/decisions/0017-services-authenticate-each-other.md).

type Unary = (
  request: unknown,
  metadata: Metadata,
  callback: (error: ServiceError | null, response: unknown) => void,
) => unknown

/** One unary call through a generated client alone; `presented` goes in `authorization` when given. */
async function rawCall(
  client: Client,
  method: string,
  request: unknown,
  presented?: string,
): Promise<ServiceError | undefined> {
  const metadata = new Metadata()
  if (presented !== undefined) metadata.set('authorization', presented)
  const unary = (client as unknown as Record<string, Unary>)[method]!
  return new Promise((resolve) => {
    unary.call(client, request, metadata, (error) => resolve(error ?? undefined))
  })
}

/** Addresses of this machine other than loopback (link-local ones need a scope: left out). */
function outwardAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => !address.internal && !(address.family === 'IPv6' && address.scopeid !== 0))
    .map((address) => address.address)
}

/** How a TCP connection to `host:port` ends: `connected`, or the error code (ECONNREFUSED...). */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 5_000 })
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve('ETIMEDOUT')
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}

const LISTEN = '0A'

/** Local addresses of the sockets listening on `port` (Linux /proc/net/tcp and tcp6), in hex as there. */
async function listeningAddresses(port: number): Promise<string[]> {
  const found: string[] = []
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/)
      if (local === undefined || state !== LISTEN) continue
      const [address = '', portHex = ''] = local.split(':')
      if (Number.parseInt(portHex, 16) === port) found.push(address)
    }
  }
  return found
}

/** 127.0.0.1 and ::1 as /proc/net/tcp{,6} write them. */
const LOOPBACK = new Set(['0100007F', '00000000000000000000000001000000'])

describe('internal surfaces of npm start', () => {
  let platform: Platform
  let dataDir: string
  let taskId: string
  const grpcPorts = new Map<string, number>()
  const credentialOf = async (service: string) =>
    parseGrpcAuth(await readFile(grpcAuthFile(dataDir, service), 'utf8'), service).credential

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-e2e-surfaces-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      withBot: false,
    })
    for (const [service, ports] of platform.internalPorts) {
      if (ports.grpc !== undefined) grpcPorts.set(service, ports.grpc)
    }
    const { gateway_url, admin_token, customer } = platform.credentials
    const call = gatewayClient(gateway_url)
    const script = await expectStatus(call, 201, 'POST', `/${customer}/script`, {
      token: admin_token,
      json: { filename: 'hello.sh', content: 'echo hello\n' },
    })
    const task = await expectStatus(call, 201, 'POST', `/${customer}/task`, {
      token: admin_token,
      json: { name: 'hello', script_id: idOf(script), host_id: platform.credentials.bot.id },
    })
    taskId = idOf(task)
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  }, 120_000)

  it('serves the public API through the services, each call carrying the gateway’s credential', async () => {
    expect(grpcPorts.size).toBe(4)
    const { gateway_url, admin_token, customer } = platform.credentials
    await expectStatus(gatewayClient(gateway_url), 200, 'GET', `/${customer}/task/${taskId}`, {
      token: admin_token,
    })
  })

  it('refuses a call without a credential, or with a forged one, UNAUTHENTICATED on every gRPC server', async () => {
    const forged = `Bearer ${newServiceCredential('gateway')}`
    for (const [service, port] of grpcPorts) {
      const client = new QuarantineServiceClient(`127.0.0.1:${port}`, credentials.createInsecure())
      try {
        const request = ListQuarantineRequest.fromPartial({})
        for (const presented of [undefined, forged, 'Bearer not-a-credential']) {
          const error = await rawCall(client, 'listQuarantine', request, presented)
          expect(error?.code, `${service} with ${String(presented)}`).toBe(status.UNAUTHENTICATED)
        }
        const accepted = await rawCall(
          client,
          'listQuarantine',
          request,
          `Bearer ${await credentialOf('gateway')}`,
        )
        expect(accepted, service).toBeUndefined()
      } finally {
        client.close()
      }
    }
  })

  it('gives nobody without the credential a task’s secret or a run, whatever organization it names', async () => {
    const { customer } = platform.credentials
    const catalog = new TaskCatalogServiceClient(
      `127.0.0.1:${grpcPorts.get('task-catalog')}`,
      credentials.createInsecure(),
    )
    const scheduler = new JobSchedulerServiceClient(
      `127.0.0.1:${grpcPorts.get('job-scheduler')}`,
      credentials.createInsecure(),
    )
    try {
      const secret = await rawCall(catalog, 'getTaskCredentials', { customer, taskId })
      expect(secret?.code).toBe(status.UNAUTHENTICATED)
      const run = RunTaskRequest.fromPartial({
        customer,
        taskId,
        jobId: 'intruder-run',
        origin: 'api',
        author: 'x',
      })
      expect((await rawCall(scheduler, 'runTask', run))?.code).toBe(status.UNAUTHENTICATED)
      // A genuine service the scheduler takes no calls from: webhook-relay's own credential.
      const relay = `Bearer ${await credentialOf('webhook-relay')}`
      expect((await rawCall(scheduler, 'runTask', run, relay))?.code).toBe(status.PERMISSION_DENIED)
      expect((await rawCall(catalog, 'getTaskCredentials', { customer, taskId }, relay))?.code).toBe(
        status.PERMISSION_DENIED,
      )
    } finally {
      catalog.close()
      scheduler.close()
    }
    const { gateway_url, admin_token } = platform.credentials
    const jobs = await expectStatus(
      gatewayClient(gateway_url),
      200,
      'GET',
      `/${customer}/job?task=${taskId}`,
      {
        token: admin_token,
      },
    )
    expect(JSON.stringify(jobs.body)).not.toContain('intruder-run')
  })

  it('binds every gRPC server and health port, and the REST API, to loopback', async () => {
    const ports = [
      Number(new URL(platform.gatewayUrl).port),
      ...[...platform.internalPorts.values()].flatMap((p) =>
        p.grpc === undefined ? [p.health] : [p.grpc, p.health],
      ),
    ]
    expect(ports).toHaveLength(1 + 5 + 4)
    for (const port of ports) {
      const addresses = await listeningAddresses(port)
      expect(addresses.length, `a socket listening on ${port}`).toBeGreaterThan(0)
      expect(
        addresses.filter((address) => !LOOPBACK.has(address)),
        `port ${port} listens beyond loopback`,
      ).toEqual([])
    }
  })

  const outward = outwardAddresses()
  it.skipIf(outward.length === 0)(
    'refuses a connection, and so any gRPC call, that comes to one of its ports through another address of the machine',
    async () => {
      for (const address of outward) {
        for (const [service, ports] of platform.internalPorts) {
          for (const port of [ports.grpc, ports.health].filter((p): p is number => p !== undefined)) {
            expect(await tryConnect(address, port), `${service} port ${port} through ${address}`).toBe(
              'ECONNREFUSED',
            )
          }
        }
        const port = grpcPorts.get('job-scheduler')!
        const host = address.includes(':') ? `[${address}]` : address
        const client = new QuarantineServiceClient(`${host}:${port}`, credentials.createInsecure())
        try {
          const error = await rawCall(
            client,
            'listQuarantine',
            ListQuarantineRequest.fromPartial({}),
            `Bearer ${await credentialOf('gateway')}`,
          )
          expect(error?.code, address).toBe(status.UNAVAILABLE)
        } finally {
          client.close()
        }
      }
    },
  )
})
