import { type ColumnType, type Generated, type Kysely, sql } from 'kysely'
import type { PublicObject } from '../mapping/public-objects.js'
import type { SubscriptionTables } from '../projection/subscriptions-table.js'
import type { AttemptOutcome } from './webhook-sender.js'

type Json<T> = ColumnType<T, string, string>

/** The latest form of each followed object, folded from its events (event_data source): public JSON, or a job's view. */
export interface WebhookObjectsTable {
  stream_id: string
  stream_type: string
  customer: string
  /** Stream version of the last event folded in. */
  version: number
  object: Json<PublicObject>
  updated_at: Date
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed'

/**
 * One event for one subscription. Its schedule is data: `next_attempt_at` says when a worker may
 * take it (a worker taking it pushes it a lease ahead, so a crashed worker's delivery comes back).
 */
export interface DeliveriesTable {
  id: string
  subscription_id: string
  customer: string
  event_id: string
  event_name: string
  /** The exact body sent, so every retry signs and sends the same bytes. */
  payload: string
  status: DeliveryStatus
  attempt_count: Generated<number>
  /** A retry asked by a user: one attempt, then back to its final status. */
  manual: Generated<boolean>
  next_attempt_at: Date | null
  claim_token: string | null
  last_status_code: number | null
  last_error: Generated<string>
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface AttemptsTable {
  id: Generated<string>
  delivery_id: string
  subscription_id: string
  number: number
  started_at: Date
  duration_ms: number
  status_code: number | null
  response_excerpt: string
  error: string
  outcome: AttemptOutcome
}

/** Operational facts about a subscription's receiver (not events: they change with every attempt). */
export interface SubscriptionHealthTable {
  subscription_id: string
  last_success_at: Date | null
}

/** Live subscriptions per organization: the organizations whose events the relay works on. */
export interface CustomersTable {
  customer: string
  subscriptions: number
  /** When the organization's first live subscription was made (the database's clock). */
  followed_since: ColumnType<Date, Date | undefined, never>
}

/** Every table of the relay's database besides the event store's. */
export interface RelayTables extends SubscriptionTables {
  webhook_customers: CustomersTable
  webhook_objects: WebhookObjectsTable
  webhook_deliveries: DeliveriesTable
  webhook_attempts: AttemptsTable
  subscription_health: SubscriptionHealthTable
}

const statements = [
  sql`CREATE TABLE IF NOT EXISTS webhook_objects (
    stream_id text PRIMARY KEY,
    stream_type text NOT NULL,
    customer text NOT NULL,
    version integer NOT NULL,
    object jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE INDEX IF NOT EXISTS webhook_objects_customer ON webhook_objects (customer)`,
  sql`CREATE TABLE IF NOT EXISTS webhook_customers (
    customer text PRIMARY KEY,
    subscriptions integer NOT NULL
  )`,
  sql`ALTER TABLE webhook_customers ADD COLUMN IF NOT EXISTS followed_since timestamptz NOT NULL DEFAULT now()`,
  sql`CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id uuid PRIMARY KEY,
    subscription_id text NOT NULL,
    customer text NOT NULL,
    event_id text NOT NULL,
    event_name text NOT NULL,
    payload text NOT NULL,
    status text NOT NULL,
    attempt_count integer NOT NULL DEFAULT 0,
    manual boolean NOT NULL DEFAULT false,
    next_attempt_at timestamptz,
    claim_token uuid,
    last_status_code integer,
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, subscription_id)
  )`,
  // Due deliveries are found per subscription (webhook_deliveries_due_by_subscription); the index
  // of all of them by time only cost a write on every delivery and claim.
  sql`DROP INDEX IF EXISTS webhook_deliveries_due`,
  sql`CREATE INDEX IF NOT EXISTS webhook_deliveries_due_by_subscription
    ON webhook_deliveries (subscription_id, next_attempt_at, id) WHERE status = 'pending'`,
  sql`CREATE INDEX IF NOT EXISTS webhook_deliveries_by_subscription
    ON webhook_deliveries (subscription_id, id DESC)`,
  sql`CREATE TABLE IF NOT EXISTS webhook_attempts (
    id bigserial PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    subscription_id text NOT NULL,
    number integer NOT NULL,
    started_at timestamptz NOT NULL,
    duration_ms integer NOT NULL,
    status_code integer,
    response_excerpt text NOT NULL,
    error text NOT NULL,
    outcome text NOT NULL
  )`,
  sql`CREATE INDEX IF NOT EXISTS webhook_attempts_delivery ON webhook_attempts (delivery_id, id)`,
  sql`CREATE TABLE IF NOT EXISTS subscription_health (
    subscription_id text PRIMARY KEY,
    last_success_at timestamptz
  )`,
]

/** Creates the relay's own tables when missing; replicas starting together take turns on a lock. */
export async function createDeliveryTables(db: Kysely<RelayTables>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('webhook-relay:tables'))`.execute(trx)
    for (const statement of statements) await statement.execute(trx)
  })
}
