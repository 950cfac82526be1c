import type { Db, Trx } from '@taskforge/event-store'
import { sql } from 'kysely'
import type { DueTimerSkip } from './due-timers.js'

/** A table of due times: a text key column, a `customer` column and a `due_at` column (null: not armed). */
export interface DueTimerTable {
  table: string
  key: string
}

/** The database's clock (plus `plusMs`): every replica decides on the same time. */
export async function databaseNow(conn: Db | Trx, plusMs = 0): Promise<Date> {
  const { rows } = await sql<{
    at: Date
  }>`SELECT now() + (${plusMs}::double precision * interval '1 millisecond') AS at`.execute(conn)
  return rows[0]!.at
}

/** A claimed row, with the time it was claimed at (`at`, or the database's now). */
export type Claimed<Row> = Row & { claimed_at: Date }

/**
 * Claims the row due first at `at` (default: the database's now) for the caller's transaction,
 * skipping rows another replica is firing and the keys in `skip`, and taking the rows of the
 * organizations in `skip` after every other's; undefined when none is due.
 */
export async function claimDueRow<Row>(
  trx: Trx,
  table: DueTimerTable,
  at: Date | undefined,
  skip: DueTimerSkip,
): Promise<Claimed<Row> | undefined> {
  return (await claimDueRows<Row>(trx, table, at, skip, 1))[0]
}

/**
 * Claims up to `limit` due rows at `at` (default: the database's now) for the caller's transaction,
 * as {@link claimDueRow} does, in turns by organization: each organization's first due row, then
 * each one's second, and so on (the rows of the organizations in `skip` after all others), so a burst
 * holds every organization with a row due before it holds anyone's second. With `only`, claims that
 * row alone, if due.
 */
export async function claimDueRows<Row>(
  trx: Trx,
  { table, key }: DueTimerTable,
  at: Date | undefined,
  skip: DueTimerSkip,
  limit: number,
  only?: string,
): Promise<Claimed<Row>[]> {
  const keys = skip.keys.length > 0 ? sql`AND NOT (${sql.ref(key)} = ANY(${[...skip.keys]}::text[]))` : sql``
  const one = only === undefined ? sql`` : sql`AND ${sql.ref(key)} = ${only}`
  const served = skip.customers.length > 0 ? sql`t.customer = ANY(${[...skip.customers]}::text[]), ` : sql``
  const now = at === undefined ? sql`now()` : sql`${at}::timestamptz`
  // The turns are counted among the due rows (locked or not); the lock then skips those held.
  const { rows } = await sql<Claimed<Row>>`SELECT t.*, ${now} AS claimed_at FROM ${sql.table(table)} AS t
    JOIN (SELECT ${sql.ref(key)} AS turn_key,
            row_number() OVER (PARTITION BY customer ORDER BY due_at) AS turn
          FROM ${sql.table(table)} WHERE due_at <= ${now} ${keys} ${one}) AS turns
      ON turns.turn_key = t.${sql.ref(key)}
    WHERE t.due_at <= ${now}
    ORDER BY ${served}turns.turn, t.due_at LIMIT ${limit} FOR UPDATE OF t SKIP LOCKED`.execute(trx)
  return rows
}

/** How long until the next row is due, by the database's clock (0 when overdue); undefined when none. */
export async function msUntilNextDue(conn: Db | Trx, { table }: DueTimerTable): Promise<number | undefined> {
  const { rows } = await sql<{
    ms: number | string | null
  }>`SELECT extract(epoch FROM min(due_at) - now()) * 1000 AS ms FROM ${sql.table(table)}`.execute(conn)
  const ms = rows[0]?.ms
  return ms === null || ms === undefined ? undefined : Math.max(0, Math.ceil(Number(ms)))
}
