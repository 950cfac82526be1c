import type { Db, Trx } from '@taskforge/event-store'
import type { Kysely } from 'kysely'
import { BOT_PRESENCE_TABLE, BOTS_TABLE, type BotsDatabase } from './bots-table.js'

/** A bot as the read model answers it, presence included. */
export interface BotView {
  id: string
  customer: string
  name: string
  creationDate: Date
  lastSeen: Date | undefined
  runningJobs: number
  /** Whether the bot's presence is online (heartbeats arriving), as its last presence event said. */
  online: boolean
}

export type BotsDb = Kysely<BotsDatabase>

/** The service's database or transaction (open schema) seen through the bot tables' types. */
export function botsDb(db: Db | Trx): BotsDb {
  return db as BotsDb
}

function query(db: BotsDb) {
  return db
    .selectFrom(BOTS_TABLE)
    .leftJoin(BOT_PRESENCE_TABLE, `${BOT_PRESENCE_TABLE}.bot_id`, `${BOTS_TABLE}.id`)
    .select([
      'bots.id',
      'bots.customer',
      'bots.name',
      'bots.creation_date',
      'bot_presence.last_seen',
      'bot_presence.running_jobs',
      'bot_presence.online',
    ])
}

type Row = Awaited<ReturnType<ReturnType<typeof query>['executeTakeFirstOrThrow']>>

function toView(row: Row): BotView {
  return {
    id: row.id,
    customer: row.customer,
    name: row.name,
    creationDate: row.creation_date,
    lastSeen: row.last_seen ?? undefined,
    runningJobs: row.running_jobs ?? 0,
    online: row.online ?? false,
  }
}

/** A customer's bot, or undefined (another customer's bot is as good as missing). */
export async function findBot(db: BotsDb, customer: string, botId: string): Promise<BotView | undefined> {
  const row = await query(db)
    .where('bots.id', '=', botId)
    .where('bots.customer', '=', customer)
    .executeTakeFirst()
  return row === undefined ? undefined : toView(row)
}

/** A customer's bots by name. */
export async function listBots(db: BotsDb, customer: string): Promise<BotView[]> {
  const rows = await query(db).where('bots.customer', '=', customer).orderBy('bots.name').execute()
  return rows.map(toView)
}
