import { createDatabaseAt, randomDatabaseName } from './database.js'
import { type PostgresServer, unsupportedRestart } from './postgres-server.js'

type Testcontainers = typeof import('testcontainers')

export async function startContainerPostgres(
  testcontainers: Testcontainers,
  settings: readonly string[],
): Promise<PostgresServer> {
  const { GenericContainer, Wait } = testcontainers
  const container = await new GenericContainer('postgres:17-alpine')
    .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
    .withCommand([
      'postgres',
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ...['-c', 'max_connections=500'],
      ...settings.flatMap((setting) => ['-c', setting]),
    ])
    .withTmpFs({ '/var/lib/postgresql/data': 'rw' })
    .withExposedPorts(5432)
    // The image starts a temporary server for its init scripts first, so the line shows up twice.
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start()
  const url = `postgres://postgres:postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`
  let stopped = false
  return {
    url,
    source: 'container',
    createDatabase: (name = randomDatabaseName()) => createDatabaseAt(url, name),
    async stop() {
      if (stopped) return
      stopped = true
      await container.stop()
    },
    kill: unsupportedRestart('container'),
    restart: unsupportedRestart('container'),
    exited: unsupportedRestart('container'),
  }
}
