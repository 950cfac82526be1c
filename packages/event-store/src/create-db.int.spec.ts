import { testDatabase } from '@taskforge/testkit'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from './create-db.js'
import type { Db } from './types.js'

let db: Db
let admin: Db

beforeAll(async () => {
  const url = await testDatabase()
  db = createDb(url, { max: 2 })
  admin = createDb(url, { max: 1 })
})

afterAll(async () => {
  await db?.destroy()
  await admin?.destroy()
})

describe('createDb', () => {
  // A restarting server ends every session; one lent out of the pool between two queries (a
  // transaction waiting on something else) used to raise an uncaught 'error' and end the process.
  it('survives losing the server under a connection in use, and carries on with a new one', async () => {
    const failure = await db
      .transaction()
      .execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)
        await sql`SELECT pg_terminate_backend(${rows[0]!.pid})`.execute(admin)
        // The server's goodbye arrives while this connection is idle in its transaction.
        await new Promise((resolve) => setTimeout(resolve, 200))
        await sql`SELECT 1`.execute(trx)
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      )
    expect(failure).toBeInstanceOf(Error)
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db)
    expect(rows).toEqual([{ one: 1 }])
  })
})
