import { sql } from 'kysely'
import type { Db, Trx } from './types.js'

/** First key of every advisory lock the event store takes, so they cannot collide with a service's own. */
export const LOCK_NAMESPACE = 0x7466_6573

/** Takes the transaction-scoped lock `key` if free; answers whether it did. Released at commit or rollback. */
export async function tryTransactionLock(trx: Trx, key: string): Promise<boolean> {
  const { rows } = await sql<{
    locked: boolean
  }>`SELECT pg_try_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext(${key})) AS locked`.execute(trx)
  return rows[0]?.locked === true
}

/** Waits for the transaction-scoped lock `key`. Released at commit or rollback. */
export async function transactionLock(trx: Trx, key: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext(${key}))`.execute(trx)
}

/**
 * Runs `fn` on one pooled connection while holding the session-scoped lock `key`, for work that
 * cannot run inside a caller's transaction (DDL that opens its own).
 */
export async function withSessionLock<T>(
  db: Db,
  key: string,
  fn: (connection: Db) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${LOCK_NAMESPACE}::int, hashtext(${key}))`.execute(connection)
    try {
      return await fn(connection)
    } finally {
      await sql`SELECT pg_advisory_unlock(${LOCK_NAMESPACE}::int, hashtext(${key}))`.execute(connection)
    }
  })
}
