import { createDatabaseAt, dropDatabasesAt, randomDatabaseName } from './database.js'
import { containerRuntime } from './docker.js'

/** Where a server comes from: the environment, a container, or a process started on this machine. */
export type ServerSource = 'environment' | 'container' | 'local'

export interface PostgresServer {
  /** URL of the admin database (postgres://user:password@127.0.0.1:port/postgres). */
  readonly url: string
  readonly source: ServerSource
  /** Creates a fresh, empty database and answers its URL. */
  createDatabase(name?: string): Promise<string>
  stop(): Promise<void>
}

export interface PostgresOptions {
  /** Data directory of a local server; a throwaway one under the OS temp dir when absent. */
  dataDir?: string
  /** Preferred port of a local server (another free one when taken). */
  port?: number
  /** Keep `dataDir` on stop and reuse it on the next start. */
  persistent?: boolean
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
  }
}

/**
 * Starts (or finds) a Postgres server: `TEST_DATABASE_URL` when set, a testcontainers Postgres when a
 * container engine is reachable, otherwise an embedded Postgres on a free port. A persistent data
 * directory always means the embedded server, since only it keeps data on this machine.
 *
 * @example
 * const pg = await startPostgres()
 * const url = await pg.createDatabase()
 * await pg.stop()
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const fromEnv = process.env.TEST_DATABASE_URL
  if (fromEnv !== undefined && fromEnv !== '') return environmentPostgres(fromEnv)
  const wantsLocalData = options.persistent === true || options.dataDir !== undefined
  if (!wantsLocalData) {
    const testcontainers = await containerRuntime()
    if (testcontainers !== undefined) {
      const { startContainerPostgres } = await import('./container-postgres.js')
      return startContainerPostgres(testcontainers)
    }
  }
  const { startLocalPostgres } = await import('./local-postgres.js')
  return startLocalPostgres(options)
}
