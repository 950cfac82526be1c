import { type Kysely, sql } from 'kysely'

/** Read table of live subscriptions (deleted ones are removed), with their secrets for signing. */
export interface SubscriptionsTable {
  id: string
  customer: string
  url: string
  events: string[]
  description: string
  token: string
  secret: string
  /** Empty when no rotation is in its overlap. */
  previous_secret: string
  previous_secret_expires_at: Date | null
  enabled: boolean
  disabled_reason: string
  version: number
  created_at: Date
  updated_at: Date
}

export interface SubscriptionTables {
  subscriptions: SubscriptionsTable
}

export async function createSubscriptionsTable(db: Kysely<SubscriptionTables>): Promise<void> {
  await db.schema
    .createTable('subscriptions')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', sql`text[]`, (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('previous_secret_expires_at', 'timestamptz')
    .addColumn('enabled', 'boolean', (c) => c.notNull())
    .addColumn('disabled_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('subscriptions_customer')
    .ifNotExists()
    .on('subscriptions')
    .columns(['customer', 'created_at', 'id'])
    .execute()
}
