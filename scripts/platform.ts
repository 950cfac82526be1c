import type { ChildProcess } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { newSecret } from '@taskforge/core'
import { freePort, type NatsServer, type PostgresServer, startNats, startPostgres } from '@taskforge/testkit'
import { SecretSealer } from '../services/task-catalog/src/secrets/secret-sealer.js'
import { botProcess } from './platform/bot-process.js'
import { type DevCredentials, devFiles, ensureDevCredentials } from './platform/dev-bootstrap.js'
import { formatLogLine } from './platform/log-lines.js'
import {
  botIssuerEnvironment,
  CREDENTIAL_VARIABLES,
  ensureNatsOperator,
  serviceCredentialsFile,
  writeGrpcAuth,
} from './platform/nats-auth.js'
import { type Readiness, ServiceProcess, supervisedProcess } from './platform/service-process.js'
import { readJson, readText, writeFileAtomic, writeJson } from './platform/state-files.js'
import { type CrashLoop, type Supervised, Supervisor } from './platform/supervisor.js'

export type { DevCredentials } from './platform/dev-bootstrap.js'
export type { CrashLoop } from './platform/supervisor.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const WATCHDOG = pathToFileURL(join(ROOT, 'scripts/platform/parent-watchdog.ts')).href
const READY_TIMEOUT_MS = 90_000
const SERVICE_STOP_GRACE_MS = 20_000
const BOT_STOP_GRACE_MS = 30_000
const SERVER_STOP_TIMEOUT_MS = 40_000
/** Lines of a crash-looping process shown with the message. */
const CRASH_LOOP_LINES = 20

export interface PlatformOptions {
  /** Where the platform keeps its state (`.data` for `npm start`). */
  dataDir: string
  /** Keep Postgres and NATS data in `dataDir` and reuse it on the next start. */
  persistent: boolean
  /** Port of the REST API (default GATEWAY_PORT, else 8080). */
  gatewayPort?: number
  /** The operator's token (default ROOT_TOKEN, else the one saved in `dataDir`, else a new one). */
  rootToken?: string
  /** Start the local bot (default true). */
  withBot?: boolean
  /** Receives every line of every process, formatted (default: stdout). */
  log?: (line: string) => void
  /** Colour the level names (for a terminal). */
  color?: boolean
  /** Extra environment of every process (LOG_LEVEL, OTEL_*, ...). */
  env?: Record<string, string>
  /**
   * Run Postgres on this machine even where TEST_DATABASE_URL or a container engine would provide
   * one, so that kill('postgres') and restart('postgres') work (fault tests).
   */
  localPostgres?: boolean
  /** More Postgres server settings (`name=value`), e.g. to load pg_stat_statements; see PostgresOptions. */
  postgresSettings?: readonly string[]
  /** Abandons a start in progress (Ctrl-C while starting): what was started is stopped, and it rejects. */
  signal?: AbortSignal
}

export interface Platform {
  gatewayUrl: string
  rootToken: string
  credentials: DevCredentials
  botCredentialsFile: string
  /** The running children by name (services and `bot`); a restart replaces a child. */
  processes: Map<string, ChildProcess>
  /** Each service's database URL, by service name. */
  databases: ReadonlyMap<string, string>
  /**
   * Every internal listener by service name: its gRPC port (services that serve one) and its health
   * port. They listen on loopback unless GRPC_HOST or HEALTH_HOST say otherwise.
   */
  internalPorts: ReadonlyMap<string, { grpc?: number; health: number }>
  /**
   * Settles if a process kept exiting (see README, "When a process dies"): the platform has then
   * begun to stop everything, as {@link stop} does.
   */
  crashLoop: Promise<CrashLoop>
  /** How often each process was restarted after exiting on its own (`nats`, `postgres` included). */
  restarts(): ReadonlyMap<string, number>
  /** Stops everything: processes in reverse start order, then NATS and Postgres. Nothing restarts meanwhile. */
  stop(): Promise<void>
  /**
   * SIGKILLs a process (a service, `bot` or `nats`), as a crash would. `postgres` (a local one, see
   * `localPostgres`) is shut down at once instead: every connection is cut, committed work stays.
   * Unlike a crash, it stays down until {@link restart}.
   */
  kill(name: string): Promise<void>
  /**
   * Starts a killed process again with the same settings (Postgres and nats-server: same port and
   * data) and waits until it is ready; on one that is being restarted after a crash, only waits.
   */
  restart(name: string): Promise<void>
}

interface ServiceSpec {
  name: string
  database: string
  /** The variable through which the others reach its gRPC server. */
  addressEnv?: string
}

/** In start order: each may need the ones before it. */
const SERVICES: readonly ServiceSpec[] = [
  { name: 'task-catalog', database: 'taskforge_catalog', addressEnv: 'CATALOG_GRPC_URL' },
  { name: 'job-scheduler', database: 'taskforge_scheduler', addressEnv: 'SCHEDULER_GRPC_URL' },
  { name: 'bot-dispatch', database: 'taskforge_dispatch', addressEnv: 'DISPATCH_GRPC_URL' },
  { name: 'webhook-relay', database: 'taskforge_webhooks', addressEnv: 'WEBHOOK_RELAY_GRPC_URL' },
  { name: 'gateway', database: 'taskforge_gateway' },
]

interface SavedPorts {
  postgres?: number
  nats?: number
}

function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolvePromise) => {
    timer = setTimeout(() => resolvePromise(undefined), ms)
  })
  return Promise.race([promise, timeout])
    .catch((error: unknown) => {
      throw new Error(`${what}: ${(error as Error).message}`, { cause: error })
    })
    .finally(() => clearTimeout(timer))
}

/** Distinct free ports (freePort may answer the same ephemeral port twice in a row). */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < count) ports.add(await freePort())
  return [...ports]
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** Creates the database unless it exists (a persistent platform's second start). */
async function ensureDatabase(postgres: PostgresServer, name: string): Promise<string> {
  try {
    return await postgres.createDatabase(name)
  } catch (error) {
    if ((error as { code?: unknown }).code === '42P04') return databaseUrl(postgres.url, name)
    throw error
  }
}

/** Our environment with the caller's additions on top: where settings not given as options come from. */
function settings(options: PlatformOptions): NodeJS.ProcessEnv {
  return { ...process.env, ...options.env }
}

async function resolveRootToken(options: PlatformOptions, file: string): Promise<string> {
  const given = options.rootToken ?? settings(options).ROOT_TOKEN
  if (given !== undefined && given !== '') return given
  const saved = await readText(file)
  if (saved !== undefined && saved !== '') return saved
  const token = newSecret()
  await writeFileAtomic(file, `${token}\n`, 0o600)
  return token
}

/**
 * The keys task-catalog seals secrets with (SECRETS_KEYS when given, else the ones saved in the data
 * directory, else a new one saved there): data sealed on one start must open on the next.
 */
async function resolveSecretsKeys(options: PlatformOptions, file: string): Promise<string> {
  const given = settings(options).SECRETS_KEYS
  if (given !== undefined && given !== '') return given
  const saved = await readText(file)
  if (saved !== undefined && saved !== '') return saved
  const key = SecretSealer.newKey()
  await writeFileAtomic(file, `${key}\n`, 0o600)
  return key
}

async function resolveGatewayPort(options: PlatformOptions): Promise<number> {
  const raw = options.gatewayPort ?? settings(options).GATEWAY_PORT ?? 8080
  const port = Number(raw)
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`invalid gateway port: ${raw}`)
  if ((await freePort(port)) !== port) {
    throw new Error(`port ${port} is already in use on 127.0.0.1: stop what uses it or set GATEWAY_PORT`)
  }
  return port
}

const INHERITED_CREDENTIALS = new Set<string>(CREDENTIAL_VARIABLES)

/**
 * The environment every child starts from: ours, without what only concerns the test runner and
 * without credentials (each service is given its own NATS user and gRPC identity).
 */
function baseEnvironment(options: PlatformOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(settings(options))) {
    if (!key.startsWith('VITEST') && !INHERITED_CREDENTIALS.has(key)) env[key] = value
  }
  return { ...env, LOG_LEVEL: env.LOG_LEVEL || 'info' }
}

/** The bot is ready when it logs `bot started`: a quieter level (tests run `silent`) would hide it. */
function atLeastInfo(level: string | undefined): string {
  return level === undefined || ['warn', 'error', 'fatal', 'silent'].includes(level) ? 'info' : level
}

function nodeArgs(entry: string, args: string[] = []): string[] {
  return ['--conditions=source', '--import', 'tsx', '--import', WATCHDOG, join(ROOT, entry), ...args]
}

/**
 * Starts the whole platform as `npm start` runs it: Postgres and nats-server, every service as its
 * own process (waiting for each one's /readyz), the development organization and bot (first start
 * only) and the local bot. If anything fails half way, whatever was started is stopped again.
 *
 * @example
 * const platform = await startPlatform({ dataDir: '.data', persistent: true })
 * console.log(platform.credentials.admin_token)
 * await platform.stop()
 */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const log = options.log ?? ((line: string) => console.log(line))
  const say = (message: string) => log(formatLogLine('platform', message, options.color))
  const dataDir = resolve(options.dataDir)
  await mkdir(dataDir, { recursive: true, mode: 0o700 })

  const processes = new Map<string, ChildProcess>()
  /** Every supervised process by the name kill and restart take, in start order. */
  const supervisors = new Map<string, Supervisor>()
  let postgres: PostgresServer | undefined
  let nats: NatsServer | undefined
  // Servers still starting when a start is abandoned: stop() waits for them, then stops them.
  const serverStarts: Promise<unknown>[] = []
  let stopping: Promise<void> | undefined
  // Ends a start in progress: the caller abandoned it, or a process crash-looped meanwhile.
  const halt = new AbortController()
  if (options.signal?.aborted) halt.abort(new Error('start abandoned'))
  else
    options.signal?.addEventListener('abort', () => halt.abort(new Error('start abandoned')), { once: true })

  const stopServer = async (name: string, server: { stop(): Promise<void> } | undefined) => {
    if (server === undefined) return
    try {
      const done = await bounded(
        server.stop().then(() => true),
        SERVER_STOP_TIMEOUT_MS,
        name,
      )
      if (done === undefined) say(`${name} did not stop within ${SERVER_STOP_TIMEOUT_MS / 1000}s`)
    } catch (error) {
      say(`${name} did not stop cleanly: ${(error as Error).message}`)
    }
  }

  const stop = () => {
    stopping ??= (async () => {
      // First no process is restarted any more, whichever exits while the others stop.
      for (const supervisor of supervisors.values()) supervisor.endSupervision()
      const processSupervisors = [...supervisors].filter(([name]) => name !== 'nats' && name !== 'postgres')
      for (const [, supervisor] of processSupervisors.reverse()) await supervisor.stop()
      processes.clear()
      await Promise.allSettled(serverStarts)
      await (supervisors.get('nats')?.stop() ?? stopServer('nats-server', nats))
      await (supervisors.get('postgres')?.stop() ?? stopServer('postgres', postgres))
    })()
    return stopping
  }

  let reportCrashLoop: (loop: CrashLoop) => void = () => {}
  const crashLoop = new Promise<CrashLoop>((resolvePromise) => {
    reportCrashLoop = resolvePromise
  })
  // A platform without one of its processes cannot do its work (no scheduler: no job runs; no bot:
  // no job ends): after a crash loop everything stops, and `npm start` exits with an error.
  const onCrashLoop = (loop: CrashLoop) => {
    if (stopping !== undefined) return
    say(loop.message)
    for (const line of loop.lastLines.slice(-CRASH_LOOP_LINES))
      log(formatLogLine(loop.name, line, options.color))
    say(`stopping everything: the platform cannot work without ${loop.name}`)
    halt.abort(new Error(loop.message))
    reportCrashLoop(loop)
    void stop()
  }

  /** Supervises a process under the name kill and restart take. */
  const supervise = (name: string, target: Supervised): Supervisor => {
    const supervisor = new Supervisor(target, { say, onCrashLoop })
    supervisors.set(name, supervisor)
    return supervisor
  }

  /** A local server (started already) under supervision: restarted on the same port and data. */
  const superviseServer = (
    name: 'nats' | 'postgres',
    label: string,
    server: NatsServer | PostgresServer,
  ): void => {
    if (server.source !== 'local') return
    let lastLines: readonly string[] = []
    supervise(name, {
      name: label,
      start: (signal) => {
        signal.throwIfAborted()
        return server.restart()
      },
      exited: async () => {
        const exit = await server.exited()
        lastLines = exit.lastLines
        return exit.how
      },
      stop: () => stopServer(label, server),
      kill: () => server.kill(),
      lastLines: () => lastLines,
    }).adopt()
  }

  const aborted = new Promise<never>((_, reject) => {
    const abort = () => reject(halt.signal.reason)
    if (halt.signal.aborted) abort()
    else halt.signal.addEventListener('abort', abort, { once: true })
  })
  aborted.catch(() => {})
  const step = <T>(work: Promise<T>): Promise<T> => Promise.race([work, aborted])

  /** A server start, remembered even if the start is abandoned before it completes. */
  const started = <T>(starting: Promise<T>, keep: (server: T) => void): Promise<T> => {
    serverStarts.push(starting.then(keep, () => {}))
    return step(starting)
  }

  const launch = async (child: ServiceProcess, readiness: Readiness, stopGraceMs: number) => {
    halt.signal.throwIfAborted()
    const supervisor = supervise(
      child.name,
      supervisedProcess(child, {
        readiness,
        readyTimeoutMs: READY_TIMEOUT_MS,
        stopGraceMs,
        onStart: (started) => processes.set(child.name, started),
      }),
    )
    await step(supervisor.start())
  }

  try {
    const portsFile = join(dataDir, 'ports.json')
    const saved = (options.persistent ? await readJson<SavedPorts>(portsFile) : undefined) ?? {}
    const gatewayPort = await resolveGatewayPort(options)

    say(options.persistent ? `starting Postgres (data in ${join(dataDir, 'postgres')})` : 'starting Postgres')
    postgres = await started(
      startPostgres(
        options.persistent
          ? {
              dataDir: join(dataDir, 'postgres'),
              persistent: true,
              port: saved.postgres ?? 0,
              settings: options.postgresSettings ?? [],
            }
          : { local: options.localPostgres ?? false, settings: options.postgresSettings ?? [] },
      ),
      (server) => {
        postgres = server
      },
    )
    superviseServer('postgres', 'postgres', postgres)
    say(
      options.persistent ? `starting nats-server (data in ${join(dataDir, 'nats')})` : 'starting nats-server',
    )
    // Authentication is always on: every service and bot connects as a user of the platform's account.
    const natsOperator = await ensureNatsOperator(dataDir, options.persistent)
    nats = await started(
      startNats(
        options.persistent
          ? {
              dataDir: join(dataDir, 'nats'),
              persistent: true,
              port: saved.nats ?? 0,
              operator: natsOperator,
            }
          : { operator: natsOperator },
      ),
      (server) => {
        nats = server
      },
    )
    superviseServer('nats', 'nats-server', nats)
    if (options.persistent) {
      await writeJson(portsFile, {
        postgres: Number(new URL(postgres.url).port),
        nats: nats.port,
      } satisfies SavedPorts)
    }

    // A shared server from the environment may hold other runs' databases: a throwaway platform takes its own.
    const suffix = !options.persistent && postgres.source === 'environment' ? `_${newSecret(4)}` : ''
    const databases = new Map<string, string>()
    for (const service of SERVICES) {
      databases.set(service.name, await ensureDatabase(postgres, `${service.database}${suffix}`))
    }

    const rootToken = await resolveRootToken(options, join(dataDir, 'root-token'))
    const secretsKeys = await resolveSecretsKeys(options, join(dataDir, 'secrets-keys'))
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`
    const ports = await freePorts(SERVICES.length * 2)
    const base = baseEnvironment(options)
    // Each service presents its own credential on its gRPC calls and checks its callers' (decision 17).
    const grpcAuth = await writeGrpcAuth(
      dataDir,
      SERVICES.map((service) => service.name),
    )
    const internalPorts = new Map<string, { grpc?: number; health: number }>()
    const addresses: Record<string, string> = {}
    SERVICES.forEach((service, i) => {
      if (service.addressEnv !== undefined) addresses[service.addressEnv] = `127.0.0.1:${ports[i * 2]}`
    })

    for (const [i, service] of SERVICES.entries()) {
      const healthPort = ports[i * 2 + 1]!
      internalPorts.set(service.name, {
        ...(service.addressEnv === undefined ? {} : { grpc: ports[i * 2]! }),
        health: healthPort,
      })
      const env: NodeJS.ProcessEnv = {
        ...base,
        ...addresses,
        DATABASE_URL: databases.get(service.name),
        NATS_URL: nats.url,
        NATS_CREDS: await serviceCredentialsFile(dataDir, natsOperator, service.name),
        GRPC_AUTH_FILE: grpcAuth.files[service.name],
        GRPC_PORT: String(ports[i * 2]),
        HEALTH_PORT: String(healthPort),
        ...(service.name === 'gateway' ? { GATEWAY_PORT: String(gatewayPort), ROOT_TOKEN: rootToken } : {}),
        ...(service.name === 'task-catalog' ? { SECRETS_KEYS: secretsKeys } : {}),
        ...(service.name === 'bot-dispatch'
          ? { PUBLIC_NATS_URL: nats.url, ...(await botIssuerEnvironment(natsOperator)) }
          : {}),
      }
      const child = new ServiceProcess({
        name: service.name,
        command: process.execPath,
        args: nodeArgs(`services/${service.name}/src/main.ts`),
        cwd: ROOT,
        env,
        log,
        ...(options.color === undefined ? {} : { color: options.color }),
      })
      say(`starting ${service.name}`)
      await launch(child, { healthPort }, SERVICE_STOP_GRACE_MS)
    }

    halt.signal.throwIfAborted()
    const credentials = await ensureDevCredentials({
      dataDir,
      gatewayUrl,
      rootToken,
      natsUrl: nats.url,
      natsSigningKey: natsOperator.signingKey.publicKey,
      fresh: !options.persistent,
    })
    const botCredentialsFile = devFiles(dataDir).bot

    if (options.withBot ?? true) {
      const bot = botProcess({
        name: 'bot',
        credentialsFile: botCredentialsFile,
        workDir: join(dataDir, 'bot'),
        args: ['--shutdown-timeout', '10s'],
        env: { ...base, LOG_LEVEL: atLeastInfo(base.LOG_LEVEL) },
        log,
        ...(options.color === undefined ? {} : { color: options.color }),
      })
      say('starting the local bot')
      await launch(bot, { logMessage: 'bot started' }, BOT_STOP_GRACE_MS)
    }
    say(`ready: ${gatewayUrl}`)

    // Servers that are not ours (from the environment, in a container) are not supervised: kill and
    // restart reach them as they are, and refuse.
    const servers = { nats, postgres }
    const control = (name: string): Pick<Supervisor, 'kill' | 'restart'> => {
      const found =
        supervisors.get(name) ?? (name === 'nats' || name === 'postgres' ? servers[name] : undefined)
      if (found === undefined) throw new Error(`no process named ${name}`)
      return found
    }
    return {
      gatewayUrl,
      rootToken,
      credentials,
      botCredentialsFile,
      processes,
      databases,
      internalPorts,
      crashLoop,
      restarts: () => new Map([...supervisors].map(([name, supervisor]) => [name, supervisor.restarts])),
      stop,
      async kill(name) {
        await control(name).kill()
        processes.delete(name)
      },
      restart: (name) => control(name).restart(),
    }
  } catch (error) {
    say(`start failed: ${(error as Error).message.split('\n')[0]}`)
    await stop()
    throw error
  }
}
