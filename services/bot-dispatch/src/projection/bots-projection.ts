import type { Db, Projection, StoredEvent } from '@taskforge/event-store'
import type { Transaction } from 'kysely'
import { BOT_STREAM_TYPE, decodeBotEvent } from '../domain/bot-events.js'
import { BOT_PRESENCE_TABLE, BOTS_TABLE, type BotsDatabase, createBotsTable } from './bots-table.js'

/** The `bots` read model: one row per registered bot, until it is deleted. */
export const botsProjection: Projection = {
  name: BOTS_TABLE,
  version: 1,
  streamTypes: [BOT_STREAM_TYPE],

  async setup(db: Db) {
    await createBotsTable(db)
  },

  async reset(trx: Transaction<BotsDatabase>) {
    await trx.schema.dropTable(BOTS_TABLE).ifExists().execute()
    await createBotsTable(trx)
  },

  async apply(trx: Transaction<BotsDatabase>, events: StoredEvent[]) {
    for (const stored of events) {
      if (stored.streamType !== BOT_STREAM_TYPE) continue
      const event = decodeBotEvent(stored)
      const version = Number(stored.streamVersion)
      if (event.$case === 'registered') {
        await trx
          .insertInto(BOTS_TABLE)
          .values({
            id: stored.streamId,
            customer: event.value.customer,
            name: event.value.name,
            secret_hash: event.value.secretHash,
            creation_date: stored.occurredAt,
            version,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute()
        continue
      }
      if (event.$case === 'deleted') {
        await trx.deleteFrom(BOTS_TABLE).where('id', '=', stored.streamId).execute()
        await trx.deleteFrom(BOT_PRESENCE_TABLE).where('bot_id', '=', stored.streamId).execute()
        continue
      }
      if (event.$case === 'credentialsRotated') {
        await trx
          .updateTable(BOTS_TABLE)
          .set({ secret_hash: event.value.secretHash, version })
          .where('id', '=', stored.streamId)
          .where('version', '<', version)
          .execute()
        continue
      }
      // Presence is read from heartbeats for now; its events only move the version.
      await trx
        .updateTable(BOTS_TABLE)
        .set({ version })
        .where('id', '=', stored.streamId)
        .where('version', '<', version)
        .execute()
    }
  },
}
