import { createDatabaseAt, randomDatabaseName } from './database.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the Postgres the global setup started for the whole run. */
    taskforgePostgresUrl: string
    /** Prefix of every database testDatabase() creates in this run (so teardown can drop them). */
    taskforgeDatabasePrefix: string
  }
}

/**
 * In a vitest test file: a fresh, empty database on the run's shared Postgres (started once by
 * the testkit global setup), answered as its URL.
 *
 * @example
 * const db = createDb(await testDatabase())
 */
export async function testDatabase(): Promise<string> {
  // Imported lazily so that loading the testkit outside vitest (local runs) does not load vitest.
  const { inject } = await import('vitest')
  const url = inject('taskforgePostgresUrl')
  if (url === undefined || url === '') {
    throw new Error(
      'testDatabase() needs the testkit global setup (vitest globalSetup: packages/testkit/src/vitest-global-setup.ts)',
    )
  }
  return createDatabaseAt(url, randomDatabaseName(inject('taskforgeDatabasePrefix')))
}
