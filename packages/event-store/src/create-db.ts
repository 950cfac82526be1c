import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Db } from './types.js'

const connectionStrings = new WeakMap<Db, string>()

/**
 * A kysely handle on a pg pool. The event store remembers the connection string so it can open
 * its own LISTEN connection outside the pool.
 *
 * @example
 * const db = createDb(process.env.DATABASE_URL, { max: 10 })
 * const store = new EventStore(db)
 */
export function createDb(connectionString: string, options: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 })
  // A client losing its server (restart, failover) must not crash the process. The pool reports an idle
  // client's error and drops it; a checked-out client has no listener but ours (pg-pool removes its own
  // while lent), so without it the error would be uncaught: its query fails instead, and the pool drops
  // it on release since it is no longer queryable.
  pool.on('error', () => undefined)
  pool.on('connect', (client) => client.on('error', () => undefined))
  const db: Db = new Kysely({ dialect: new PostgresDialect({ pool }) })
  connectionStrings.set(db, connectionString)
  return db
}

/** The connection string `db` was created with by {@link createDb}, if it was. */
export function connectionStringOf(db: Db): string | undefined {
  return connectionStrings.get(db)
}
