import { type ColumnType, type Kysely, sql } from 'kysely'

/** The `bots` read model table, built from bot events. */
export interface BotsTable {
  id: string
  customer: string
  name: string
  secret_hash: string
  creation_date: ColumnType<Date, Date, Date>
  version: number
}

/**
 * Presence from heartbeats: not an event-sourced fact (a heartbeat every few seconds per bot would drown
 * the store), so it lives beside the read model and survives a rebuild of it.
 */
export interface BotPresenceTable {
  bot_id: string
  last_seen: ColumnType<Date, Date, Date>
  running_jobs: number
  /** What the bot's stream last said (cameOnline / wentOffline), kept here to decide without reading it. */
  online: ColumnType<boolean, boolean | undefined, boolean>
}

export interface BotsDatabase {
  bots: BotsTable
  bot_presence: BotPresenceTable
}

export const BOTS_TABLE = 'bots'
export const BOT_PRESENCE_TABLE = 'bot_presence'

export async function createBotsTable(db: Kysely<BotsDatabase>): Promise<void> {
  await db.schema
    .createTable(BOTS_TABLE)
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('creation_date', 'timestamptz', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('bots_customer_name')
    .ifNotExists()
    .on(BOTS_TABLE)
    .columns(['customer', 'name'])
    .execute()
}

export async function createBotPresenceTable(db: Kysely<BotsDatabase>): Promise<void> {
  await db.schema
    .createTable(BOT_PRESENCE_TABLE)
    .ifNotExists()
    .addColumn('bot_id', 'text', (c) => c.primaryKey())
    .addColumn('last_seen', 'timestamptz', (c) => c.notNull())
    .addColumn('running_jobs', 'integer', (c) => c.notNull())
    .addColumn('online', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()
  // Tables made before presence had events lack the column.
  await sql`ALTER TABLE ${sql.table(BOT_PRESENCE_TABLE)} ADD COLUMN IF NOT EXISTS online boolean NOT NULL DEFAULT false`.execute(
    db,
  )
}
