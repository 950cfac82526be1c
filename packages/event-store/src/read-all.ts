import { sql } from 'kysely'
import { START } from './global-position.js'
import { EVENT_COLUMNS, type EventRow, toStoredEvent } from './stored-event-row.js'
import type { Db, GlobalPosition, StoredEvent, Trx } from './types.js'

export interface ReadAllOptions {
  /** Exclusive lower bound (a checkpoint); from the beginning when absent. */
  after?: GlobalPosition
  /** At most this many events (default 1000). */
  limit?: number
  /** Only these stream types. */
  streamTypes?: string[]
}

/**
 * Events after `after` in (transaction id, position) order, limited to transaction ids older than
 * every transaction still running. Positions are handed out at insert time, not at commit, so a
 * transaction that commits late can hold positions below ones already read; excluding every
 * transaction from the snapshot's xmin on makes "after my checkpoint" never skip such an event.
 * (An event's transaction id is its writer's, or a committed later one that keeps its stream in
 * version order: see appendToStream. Either way it is hidden while its writer runs.)
 * Inside a transaction that has already written, its own id caps what is visible: nothing is lost,
 * the rest comes with the next read.
 */
export async function readAllFrom(executor: Db | Trx, options: ReadAllOptions = {}): Promise<StoredEvent[]> {
  const after = options.after ?? START
  const limit = options.limit ?? 1000
  const byType =
    options.streamTypes === undefined ? sql`` : sql`AND stream_type = ANY(${options.streamTypes}::text[])`
  const { rows } = await sql<EventRow>`
    SELECT position, transaction_id, event_id, stream_id, stream_type, stream_version, type, data, metadata, occurred_at
    FROM events
    WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      AND (transaction_id, position) > (${after.transactionId.toString()}::xid8, ${after.position})
      ${byType}
    ORDER BY transaction_id, position
    LIMIT ${limit}
  `.execute(executor)
  return rows.map(toStoredEvent)
}

/** One event by its id, whatever its position (a quarantined event's replay). */
export async function readEventById(executor: Db | Trx, eventId: string): Promise<StoredEvent | undefined> {
  const { rows } = await sql<EventRow>`
    SELECT ${sql.join(EVENT_COLUMNS.map((column) => sql.ref(column)))} FROM events WHERE event_id = ${eventId}::uuid
  `.execute(executor)
  return rows[0] === undefined ? undefined : toStoredEvent(rows[0])
}
