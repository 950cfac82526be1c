import type { Db, Projection, StoredEvent } from '@taskforge/event-store'
import type { Kysely, Transaction } from 'kysely'
import { BOT_STREAM_TYPE, decodeBotEvent } from '../domain/bot-events.js'

/** One revoked NATS user: a bot's user replaced by a rotation or ended by the bot's deletion. */
export interface BotRevocationsTable {
  nats_user: string
  bot_id: string
  customer: string
  /** Unix seconds: the server refuses the user's JWTs issued at or before it. */
  revoked_at: number
}

export interface BotRevocationsDatabase {
  bot_nats_revocations: BotRevocationsTable
}

export const BOT_REVOCATIONS_TABLE = 'bot_nats_revocations'

async function createTable(db: Kysely<BotRevocationsDatabase>): Promise<void> {
  await db.schema
    .createTable(BOT_REVOCATIONS_TABLE)
    .ifNotExists()
    .addColumn('nats_user', 'text', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint', (c) => c.notNull())
    .execute()
}

/** The revoked user of a bot event, if it revokes one. */
function revokedUser(stored: StoredEvent): string | undefined {
  const event = decodeBotEvent(stored)
  if (event.$case === 'deleted') return event.value.revokedNatsUser || undefined
  if (event.$case === 'credentialsRotated') return event.value.revokedNatsUser || undefined
  return undefined
}

/**
 * `bot_nats_revocations`: every bot NATS user revoked, from the bot events (rotations and
 * deletions). It is what bot-dispatch pushes to the servers as the account's revocation list.
 */
export const botRevocationsProjection: Projection = {
  name: BOT_REVOCATIONS_TABLE,
  version: 1,
  streamTypes: [BOT_STREAM_TYPE],

  async setup(db: Db) {
    await createTable(db as Kysely<BotRevocationsDatabase>)
  },

  async reset(trx: Transaction<BotRevocationsDatabase>) {
    await trx.schema.dropTable(BOT_REVOCATIONS_TABLE).ifExists().execute()
    await createTable(trx)
  },

  async apply(trx: Transaction<BotRevocationsDatabase>, events: StoredEvent[]) {
    for (const stored of events) {
      if (stored.streamType !== BOT_STREAM_TYPE) continue
      const natsUser = revokedUser(stored)
      if (natsUser === undefined) continue
      await trx
        .insertInto(BOT_REVOCATIONS_TABLE)
        .values({
          nats_user: natsUser,
          bot_id: stored.streamId,
          customer: stored.metadata.customer,
          revoked_at: Math.floor(stored.occurredAt.getTime() / 1000),
        })
        .onConflict((oc) => oc.column('nats_user').doNothing())
        .execute()
    }
  },
}

/** The account's revocation list: user public key → unix seconds. */
export async function readRevocations(db: Kysely<BotRevocationsDatabase>): Promise<Record<string, number>> {
  const rows = await db.selectFrom(BOT_REVOCATIONS_TABLE).select(['nats_user', 'revoked_at']).execute()
  return Object.fromEntries(rows.map((row) => [row.nats_user, Number(row.revoked_at)]))
}
