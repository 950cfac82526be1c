import { sql } from 'kysely'
import { LOCK_NAMESPACE } from './advisory-lock.js'
import type { Db, GlobalPosition, Trx } from './types.js'

export interface Checkpoint extends GlobalPosition {
  /** The projection version that wrote it (0 for relays). */
  version: number
}

interface CheckpointRow {
  transaction_id: string
  position: string
  version: number
}

const toCheckpoint = (row: CheckpointRow): Checkpoint => ({
  transactionId: BigInt(row.transaction_id),
  position: BigInt(row.position),
  version: row.version,
})

export async function readCheckpoint(executor: Db | Trx, name: string): Promise<Checkpoint | undefined> {
  const { rows } = await sql<CheckpointRow>`
    SELECT transaction_id, position, version FROM checkpoints WHERE name = ${name}
  `.execute(executor)
  return rows[0] === undefined ? undefined : toCheckpoint(rows[0])
}

export async function readCheckpoints(executor: Db | Trx, names: string[]): Promise<Map<string, Checkpoint>> {
  const { rows } = await sql<CheckpointRow & { name: string }>`
    SELECT name, transaction_id, position, version FROM checkpoints WHERE name = ANY(${names}::text[])
  `.execute(executor)
  return new Map(rows.map((row) => [row.name, toCheckpoint(row)]))
}

/** Sets checkpoint `name` (creating it when missing). */
export async function saveCheckpoint(
  trx: Trx,
  name: string,
  at: GlobalPosition,
  version: number,
): Promise<void> {
  await sql`
    INSERT INTO checkpoints (name, transaction_id, position, version, updated_at)
    VALUES (${name}, ${at.transactionId.toString()}::xid8, ${at.position}, ${version}, now())
    ON CONFLICT (name) DO UPDATE
      SET transaction_id = excluded.transaction_id, position = excluded.position,
          version = excluded.version, updated_at = excluded.updated_at
  `.execute(trx)
}

/** Creates checkpoint `name` at the start when missing. */
export async function ensureCheckpoint(executor: Db | Trx, name: string): Promise<void> {
  await sql`INSERT INTO checkpoints (name) VALUES (${name}) ON CONFLICT DO NOTHING`.execute(executor)
}

/**
 * Moves checkpoint `name` from `from` to `to` only if it is still at `from` (`undefined`: does not
 * exist yet); answers whether it moved.
 */
export async function compareAndSetCheckpoint(
  executor: Db | Trx,
  name: string,
  from: GlobalPosition | undefined,
  to: GlobalPosition,
): Promise<boolean> {
  const toTransaction = to.transactionId.toString()
  const { rows } =
    from === undefined
      ? await sql`
          INSERT INTO checkpoints (name, transaction_id, position) VALUES (${name}, ${toTransaction}::xid8, ${to.position})
          ON CONFLICT DO NOTHING RETURNING 1 AS moved
        `.execute(executor)
      : await sql`
          UPDATE checkpoints
          SET transaction_id = ${toTransaction}::xid8, position = ${to.position}, updated_at = now()
          WHERE name = ${name} AND transaction_id = ${from.transactionId.toString()}::xid8 AND position = ${from.position}
          RETURNING 1 AS moved
        `.execute(executor)
  return rows.length > 0
}

/** A checkpoint's transaction lock, if it was free, and the checkpoint as it stands. */
export interface LockedCheckpoint {
  locked: boolean
  checkpoint: Checkpoint | undefined
}

/**
 * Takes the transaction lock of each checkpoint that is free (the same keys as `tryTransactionLock`)
 * and then reads the checkpoints it locked. Nothing is written: a transaction id of its own would
 * hold back what the caller's readAll can see.
 *
 * The read is a statement of its own, after the lock: a statement's snapshot is taken before it
 * runs, so a checkpoint read in the statement that takes the lock may predate the commit of the
 * replica that held the lock just before, and its events would then be handled twice.
 */
export async function lockCheckpoints(
  trx: Trx,
  names: readonly string[],
): Promise<Map<string, LockedCheckpoint>> {
  const { rows } = await sql<{ name: string; locked: boolean }>`
    SELECT n.name, pg_try_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext(n.name)) AS locked
    FROM unnest(${[...names]}::text[]) AS n (name)
  `.execute(trx)
  const lockedNames = rows.filter((row) => row.locked).map((row) => row.name)
  const checkpoints = lockedNames.length > 0 ? await readCheckpoints(trx, lockedNames) : new Map()
  return new Map(rows.map((row) => [row.name, { locked: row.locked, checkpoint: checkpoints.get(row.name) }]))
}

/** Sets several checkpoints to one position, each with its version, in one statement. */
export async function saveCheckpointsAt(
  trx: Trx,
  checkpoints: readonly { name: string; version: number }[],
  at: GlobalPosition,
): Promise<void> {
  if (checkpoints.length === 0) return
  await sql`
    INSERT INTO checkpoints (name, transaction_id, position, version, updated_at)
    SELECT c.name, ${at.transactionId.toString()}::xid8, ${at.position}, c.version, now()
    FROM unnest(${checkpoints.map((c) => c.name)}::text[], ${checkpoints.map((c) => c.version)}::int[]) AS c (name, version)
    ON CONFLICT (name) DO UPDATE
      SET transaction_id = excluded.transaction_id, position = excluded.position,
          version = excluded.version, updated_at = excluded.updated_at
  `.execute(trx)
}
