import { withSessionLock } from './advisory-lock.js'
import type { Db } from './types.js'

/**
 * Runs a service's own DDL (read model and working tables) one replica at a time. Replicas start
 * together, and concurrent `CREATE TABLE ... IF NOT EXISTS` (or of a type) can still collide in the
 * catalog with a duplicate-key error. `fn` gets the connection that holds the lock.
 *
 * @example
 * await withSchemaLock(db, async (connection) => {
 *   await jobsProjection.setup(connection)
 *   await createJobScheduleTable(connection)
 * })
 */
export function withSchemaLock<T>(db: Db, fn: (connection: Db) => Promise<T>): Promise<T> {
  return withSessionLock(db, 'service:schema', fn)
}
