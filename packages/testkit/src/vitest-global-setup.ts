import { randomBytes } from 'node:crypto'
import type { TestProject } from 'vitest/node'
import { databasesWithPrefix, dropDatabasesAt } from './database.js'
import { startPostgres } from './postgres-server.js'

/**
 * Vitest global setup: one Postgres for the whole run, shared by every test file through
 * `testDatabase()` (each test gets its own database on it). Teardown stops it, or, on a server
 * from `TEST_DATABASE_URL`, drops the databases this run created.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres()
  const prefix = `test_${randomBytes(3).toString('hex')}_`
  project.provide('taskforgePostgresUrl', server.url)
  project.provide('taskforgeDatabasePrefix', prefix)
  return async () => {
    if (server.source === 'environment') {
      await dropDatabasesAt(server.url, await databasesWithPrefix(server.url, prefix))
    }
    await server.stop()
  }
}
