import type { Db, Projection, StoredEvent } from '@taskforge/event-store'
import { CustomerEvent, TokenEvent } from '@taskforge/proto/accounts/v1/events'
import { sql, type Transaction } from 'kysely'

/** Read model of organizations and integration tokens, owned by the gateway. */
export interface AccountsTables {
  gw_customers: { name: string; customer_id: string; created_at: Date }
  gw_tokens: {
    id: string
    customer: string
    name: string
    role: string
    token_hash: string
    tags: string[]
    revoked: boolean
    created_at: Date
  }
}

async function createTables(db: Db): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS gw_customers (
      name text PRIMARY KEY,
      customer_id uuid NOT NULL,
      created_at timestamptz NOT NULL
    )`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS gw_tokens (
      id uuid PRIMARY KEY,
      customer text NOT NULL,
      name text NOT NULL,
      role text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      tags text[] NOT NULL DEFAULT '{}',
      revoked boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL
    )`.execute(db)
  await sql`CREATE INDEX IF NOT EXISTS gw_tokens_customer ON gw_tokens (customer)`.execute(db)
}

async function applyOne(trx: Transaction<AccountsTables>, event: StoredEvent): Promise<void> {
  if (event.streamType === 'customer') {
    const e = CustomerEvent.decode(event.data).event
    if (e?.$case === 'created') {
      await trx
        .insertInto('gw_customers')
        .values({ name: e.value.name, customer_id: e.value.customerId, created_at: event.occurredAt })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute()
    }
    return
  }
  if (event.streamType === 'token') {
    const e = TokenEvent.decode(event.data).event
    if (e?.$case === 'issued') {
      await trx
        .insertInto('gw_tokens')
        .values({
          id: e.value.tokenId,
          customer: e.value.customer,
          name: e.value.name,
          role: e.value.role,
          token_hash: e.value.tokenHash,
          tags: e.value.tags,
          revoked: false,
          created_at: event.occurredAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
    } else if (e?.$case === 'revoked') {
      await trx.updateTable('gw_tokens').set({ revoked: true }).where('id', '=', event.streamId).execute()
    }
  }
}

export const accountsProjection: Projection = {
  name: 'gateway-accounts',
  version: 1,
  streamTypes: ['customer', 'token'],
  async setup(db) {
    await createTables(db)
  },
  async reset(trx) {
    await sql`DROP TABLE IF EXISTS gw_tokens, gw_customers`.execute(trx)
    await createTables(trx)
  },
  async apply(trx, events) {
    for (const event of events) await applyOne(trx as Transaction<AccountsTables>, event)
  },
}
