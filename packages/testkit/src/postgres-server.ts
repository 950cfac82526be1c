import { createDatabaseAt, dropDatabasesAt, randomDatabaseName } from './database.js'
import { containerRuntime } from './docker.js'

/** Where a server comes from: the environment, a container, or a process started on this machine. */
export type ServerSource = 'environment' | 'container' | 'local'

/** How a local server process ended, whoever ended it. */
export interface ServerExit {
  /** `SIGKILL`, `code 1`, or why it could not start. */
  readonly how: string
  /** Its last lines of output. */
  readonly lastLines: readonly string[]
}

export interface PostgresServer {
  /** URL of the admin database (postgres://user:password@127.0.0.1:port/postgres). */
  readonly url: string
  readonly source: ServerSource
  /** Creates a fresh, empty database and answers its URL. */
  createDatabase(name?: string): Promise<string>
  stop(): Promise<void>
  /**
   * Local servers only (for fault tests): shuts the server down at once, as an outage would. Every
   * connection is cut; committed work and the data directory stay.
   */
  kill(): Promise<void>
  /** Local servers only: starts it again (after {@link kill}, or stopping it first) on the same port and data. */
  restart(): Promise<void>
  /**
   * Local servers only: resolves when the latest server process has ended (at once if it has, or if the
   * latest restart failed), whoever ended it, so that a supervisor can start it again.
   */
  exited(): Promise<ServerExit>
}

export interface PostgresOptions {
  /** Data directory of a local server; a throwaway one under the OS temp dir when absent. */
  dataDir?: string
  /** Preferred port of a local server (another free one when taken). */
  port?: number
  /** Keep `dataDir` on stop and reuse it on the next start. */
  persistent?: boolean
  /** Always run a server on this machine, never the environment's or a container (kill/restart need one). */
  local?: boolean
  /**
   * More server settings (`name=value`, as `postgres -c` takes them) of a server started here or in a
   * container; a server named by the environment is used as it is.
   */
  settings?: readonly string[]
}

/** kill/restart/exited of a server that is not ours to stop. */
export function unsupportedRestart(source: ServerSource): () => Promise<never> {
  return () =>
    Promise.reject(new Error(`kill/restart/exited need a local Postgres, not one from the ${source}`))
}

function environmentPostgres(url: string): PostgresServer {
  const created = new Set<string>()
  return {
    url,
    source: 'environment',
    async createDatabase(name = randomDatabaseName()) {
      const databaseUrl = await createDatabaseAt(url, name)
      created.add(name)
      return databaseUrl
    },
    async stop() {
      const names = [...created]
      created.clear()
      if (names.length > 0) await dropDatabasesAt(url, names)
    },
    kill: unsupportedRestart('environment'),
    restart: unsupportedRestart('environment'),
    exited: unsupportedRestart('environment'),
  }
}

/**
 * Starts (or finds) a Postgres server: `TEST_DATABASE_URL` when set, a testcontainers Postgres when a
 * container engine is reachable, otherwise an embedded Postgres on a free port. A persistent data
 * directory (or `local`) always means the embedded server, since only it keeps data on this machine.
 *
 * @example
 * const pg = await startPostgres()
 * const url = await pg.createDatabase()
 * await pg.stop()
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const fromEnv = process.env.TEST_DATABASE_URL
  if (fromEnv !== undefined && fromEnv !== '' && options.local !== true) return environmentPostgres(fromEnv)
  const wantsLocalData = options.persistent === true || options.dataDir !== undefined
  if (!wantsLocalData && options.local !== true) {
    const testcontainers = await containerRuntime()
    if (testcontainers !== undefined) {
      const { startContainerPostgres } = await import('./container-postgres.js')
      return startContainerPostgres(testcontainers, options.settings ?? [])
    }
  }
  const { startLocalPostgres } = await import('./local-postgres.js')
  return startLocalPostgres(options)
}
