import { sql } from 'kysely'
import type { Db } from './types.js'

/** Readiness check of a service's database: true when a trivial query answers, false otherwise. */
export async function databaseReachable(db: Db): Promise<boolean> {
  try {
    await sql`SELECT 1`.execute(db)
    return true
  } catch {
    return false
  }
}
