import { sql } from 'kysely'
import { transactionLock } from './advisory-lock.js'
import { QUARANTINE_SCHEMA } from './quarantine.js'
import type { Db } from './types.js'

const statements = [
  sql`CREATE TABLE IF NOT EXISTS streams (
    stream_id text PRIMARY KEY,
    stream_type text NOT NULL,
    version bigint NOT NULL,
    last_transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id()
  )`,
  sql`CREATE TABLE IF NOT EXISTS events (
    position bigserial PRIMARY KEY,
    transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id uuid NOT NULL UNIQUE,
    stream_id text NOT NULL,
    stream_type text NOT NULL,
    stream_version bigint NOT NULL,
    type text NOT NULL,
    data bytea NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    occurred_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, stream_version)
  )`,
  sql`CREATE INDEX IF NOT EXISTS events_commit_order ON events (transaction_id, position)`,
  sql`CREATE TABLE IF NOT EXISTS checkpoints (
    name text PRIMARY KEY,
    transaction_id xid8 NOT NULL DEFAULT '0',
    position bigint NOT NULL DEFAULT 0,
    version integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE TABLE IF NOT EXISTS inbox (
    consumer text NOT NULL,
    message_id text NOT NULL,
    handled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
  )`,
  ...QUARANTINE_SCHEMA,
]

/**
 * Creates the event store's tables when missing. Replicas starting together serialize on an
 * advisory lock: concurrent `CREATE ... IF NOT EXISTS` can still collide in the catalog.
 */
export async function migrate(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await transactionLock(trx, 'event-store:migrate')
    for (const statement of statements) await statement.execute(trx)
  })
}
