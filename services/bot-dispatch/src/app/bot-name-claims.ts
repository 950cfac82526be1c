import { conflict } from '@taskforge/core'
import type { Kysely, Transaction } from 'kysely'

/**
 * Names are unique per customer. The claim is a row written in the same transaction as the registration
 * event, so two registrations racing for one name cannot both pass (a read-model check alone could).
 */
export interface BotNameClaimsTable {
  customer: string
  name: string
  bot_id: string
}

export interface BotNameClaimsDatabase {
  bot_name_claims: BotNameClaimsTable
}

const TABLE = 'bot_name_claims'

export async function createBotNameClaimsTable(db: Kysely<BotNameClaimsDatabase>): Promise<void> {
  await db.schema
    .createTable(TABLE)
    .ifNotExists()
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('bot_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('bot_name_claims_pk', ['customer', 'name'])
    .execute()
}

/** Claims `name` for `botId` within `customer`; a name already taken fails with CONFLICT (409). */
export async function claimBotName(
  trx: Transaction<BotNameClaimsDatabase>,
  claim: { customer: string; name: string; botId: string },
): Promise<void> {
  const inserted = await trx
    .insertInto(TABLE)
    .values({ customer: claim.customer, name: claim.name, bot_id: claim.botId })
    .onConflict((oc) => oc.columns(['customer', 'name']).doNothing())
    .returning('bot_id')
    .executeTakeFirst()
  if (inserted === undefined) {
    throw conflict(`a bot named ${JSON.stringify(claim.name)} already exists`, { field: 'name' })
  }
}
