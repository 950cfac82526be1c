import { newId } from '@taskforge/core'
import { type Kysely, type Selectable, sql } from 'kysely'
import type { SubscriptionRow } from '../projection/subscription-queries.js'
import type { AttemptsTable, DeliveriesTable, DeliveryStatus, RelayTables } from './delivery-tables.js'
import type { PreparedStatement, PreparedStatements } from './prepared-statements.js'
import type { AttemptResult } from './webhook-sender.js'

export type DeliveryRow = Selectable<DeliveriesTable>
export type AttemptRow = Selectable<AttemptsTable>

/** An event to deliver: one delivery per subscription, all sending the same body. */
export interface NewDeliveries {
  customer: string
  eventId: string
  eventName: string
  payload: string
  subscriptionIds: readonly string[]
}

/** A due delivery a worker may take, with where it goes (for per-host limits) and whose it is. */
export interface Candidate {
  id: string
  subscriptionId: string
  url: string
  customer: string
}

/** What one round asks of {@link DeliveryStore.candidates}. */
export interface CandidateQuery {
  /** Rows at most. */
  limit: number
  /** Of one subscription at most. */
  perSubscription: number
  /** Of one organization at most. */
  perOrganization: number
  /** Organizations to leave out (their share is taken). */
  skipOrganizations: readonly string[]
  /** The organization served last: the turn goes on with the next one (by name, wrapping). */
  after: string
}

/** What happens to a delivery after an attempt. */
export type AttemptVerdict =
  | { status: 'succeeded' }
  | { status: 'pending'; delayMs: number }
  | { status: 'failed' }

/** One attempt to record, with the delivery it was for and what happens to that delivery next. */
export interface RecordedAttempt {
  delivery: DeliveryRow
  attempt: AttemptResult & { number: number; startedAt: Date }
  verdict: AttemptVerdict
}

/** A delivery taken by a worker, with the subscription it goes to. */
export interface ClaimedDelivery {
  delivery: DeliveryRow
  subscription: SubscriptionRow
}

const SUBSCRIPTION_COLUMNS: readonly (keyof SubscriptionRow)[] = [
  'id',
  'customer',
  'url',
  'events',
  'description',
  'token',
  'secret',
  'previous_secret',
  'previous_secret_expires_at',
  'enabled',
  'disabled_reason',
  'version',
  'created_at',
  'updated_at',
]

export interface DeliveryWithAttempts extends DeliveryRow {
  attempts: AttemptRow[]
}

/**
 * Each subscription's oldest due deliveries, read from its own index range; numbered within their
 * organization by age (`turn`), so that ordered by turn the rows take one organization after
 * another: every organization's first before anyone's second, and among organizations at the same
 * turn, those after the last one served first (round robin by name).
 */
export const CANDIDATES: PreparedStatement = {
  name: 'webhook-candidates-by-organization',
  text: `
    SELECT id, subscription_id, url, customer FROM (
      SELECT d.id, s.id AS subscription_id, s.url, s.customer, d.next_attempt_at,
        row_number() OVER (PARTITION BY s.customer ORDER BY d.next_attempt_at, d.id) AS turn
      FROM subscriptions s
      CROSS JOIN LATERAL (
        SELECT id, next_attempt_at FROM webhook_deliveries
        WHERE subscription_id = s.id AND status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at, id
        LIMIT $1
      ) d
      WHERE s.enabled AND s.customer <> ALL($3::text[])
    ) c
    WHERE turn <= $4
    ORDER BY turn, customer <= $5, customer, next_attempt_at, id
    LIMIT $2`,
}

/**
 * The deliveries are looked up one by one in the primary key (a lateral subquery per id), never by a
 * scan of the due ones, however many wait, whatever plan the statement keeps (see decision 0009).
 * `(status = 'pending') IS TRUE` says the same as `status = 'pending'` (never null) but does not
 * imply the predicate of the partial index of due deliveries, which a plan made while the table was
 * young otherwise scanned whole, keeping only the asked ids.
 */
export const CLAIM: PreparedStatement = {
  name: 'webhook-claim',
  text: `
    UPDATE webhook_deliveries d
    SET next_attempt_at = now() + $2::bigint * interval '1 millisecond', claim_token = gen_random_uuid()
    FROM subscriptions s
    WHERE s.id = d.subscription_id AND s.enabled AND d.id = ANY($1::uuid[]) AND d.id IN (
      SELECT w.id FROM unnest($1::uuid[]) AS c (id)
      CROSS JOIN LATERAL (
        SELECT w.id FROM webhook_deliveries w
        WHERE w.id = c.id AND (w.status = 'pending') IS TRUE AND w.next_attempt_at <= now()
        FOR UPDATE OF w SKIP LOCKED
      ) AS w
    )
    RETURNING d.*, ${SUBSCRIPTION_COLUMNS.map((column) => `s.${column} AS s_${column}`).join(', ')}`,
}

/**
 * The deliveries are locked first: one deleted meanwhile (its subscription went away) is skipped
 * with its attempt, and a deletion waits for the statement instead of breaking it. A worker whose
 * lease ran out (another one took the delivery meanwhile) records its attempt but leaves the
 * delivery alone.
 */
export const RECORD: PreparedStatement = {
  name: 'webhook-record',
  text: `
    WITH m AS (
        SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::integer[], $5::timestamptz[],
          $6::integer[], $7::integer[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[])
          AS m (id, claim_token, subscription_id, number, started_at, duration_ms, status_code,
            response_excerpt, error, outcome, status, delay_ms)
      ),
      locked AS (
        SELECT d.id FROM (SELECT id FROM m ORDER BY id) AS o
        CROSS JOIN LATERAL (SELECT d.id FROM webhook_deliveries d WHERE d.id = o.id FOR NO KEY UPDATE) AS d
      ),
      attempts AS (
        INSERT INTO webhook_attempts (delivery_id, subscription_id, number, started_at, duration_ms,
          status_code, response_excerpt, error, outcome)
        SELECT m.id, m.subscription_id, m.number, m.started_at, m.duration_ms, m.status_code,
          m.response_excerpt, m.error, m.outcome
        FROM m JOIN locked ON locked.id = m.id
      ),
      moved AS (
        UPDATE webhook_deliveries d SET status = m.status, attempt_count = m.number, manual = false,
          next_attempt_at = CASE WHEN m.delay_ms IS NULL THEN NULL
            ELSE now() + m.delay_ms * interval '1 millisecond' END,
          claim_token = NULL, last_status_code = m.status_code, last_error = m.error, updated_at = now()
        FROM m JOIN locked ON locked.id = m.id
        WHERE d.id = ANY($1::uuid[]) AND d.id = m.id AND d.claim_token = m.claim_token
      )
    INSERT INTO subscription_health (subscription_id, last_success_at)
    SELECT DISTINCT m.subscription_id, now() FROM m JOIN locked ON locked.id = m.id
    WHERE m.outcome = 'success'
    ON CONFLICT (subscription_id) DO UPDATE SET last_success_at = excluded.last_success_at`,
}

/**
 * The relay's deliveries and attempts. Workers of every replica take due deliveries with
 * `FOR UPDATE SKIP LOCKED` and push them a lease ahead, so each one is attempted by one worker at a
 * time and comes back by itself if that worker dies.
 */
export class DeliveryStore {
  readonly #db: Kysely<RelayTables>
  readonly #prepared: PreparedStatements

  /** `prepared` runs the statements of every delivery; `db` the others. */
  constructor(db: Kysely<RelayTables>, prepared: PreparedStatements) {
    this.#db = db
    this.#prepared = prepared
  }

  /** Adds deliveries due now; one per (event, subscription) however often the event arrives. */
  async insert(db: Kysely<RelayTables>, event: NewDeliveries): Promise<number> {
    if (event.subscriptionIds.length === 0) return 0
    const ids = event.subscriptionIds.map(() => newId())
    const result = await sql`
      INSERT INTO webhook_deliveries (id, subscription_id, customer, event_id, event_name, payload, status, next_attempt_at)
      SELECT n.id, n.subscription_id, ${event.customer}, ${event.eventId}, ${event.eventName}, ${event.payload},
        'pending', now()
      FROM unnest(${ids}::uuid[], ${event.subscriptionIds}::text[]) AS n (id, subscription_id)
      ON CONFLICT (event_id, subscription_id) DO NOTHING
    `.execute(db)
    return Number(result.numAffectedRows ?? 0n)
  }

  /**
   * Due deliveries of enabled subscriptions, taking organizations in turn (see {@link CANDIDATES}):
   * at most `perSubscription` of each subscription, so one receiver's backlog never fills a round,
   * and `perOrganization` of each organization, so one organization's never does. Each
   * subscription's oldest are read from its own index range, so a round costs the same whatever
   * the backlog.
   */
  async candidates(query: CandidateQuery): Promise<Candidate[]> {
    const rows = await this.#prepared.run<{
      id: string
      subscription_id: string
      url: string
      customer: string
    }>(CANDIDATES, [
      query.perSubscription,
      query.limit,
      [...query.skipOrganizations],
      query.perOrganization,
      query.after,
    ])
    return rows.map((row) => ({
      id: row.id,
      subscriptionId: row.subscription_id,
      url: row.url,
      customer: row.customer,
    }))
  }

  /**
   * Takes those of `ids` still due, not taken by another worker and whose subscription is still
   * enabled; each gets a claim token and comes with its subscription (one statement for both).
   */
  async claim(ids: readonly string[], leaseMs: number): Promise<ClaimedDelivery[]> {
    if (ids.length === 0) return []
    const rows = await this.#prepared.run<Record<string, unknown>>(CLAIM, [
      ids,
      Math.max(0, Math.round(leaseMs)),
    ])
    return rows.map((row) => {
      const subscription: Record<string, unknown> = {}
      const delivery: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(row)) {
        if (key.startsWith('s_')) subscription[key.slice(2)] = value
        else delivery[key] = value
      }
      return { delivery: delivery as DeliveryRow, subscription: subscription as SubscriptionRow }
    })
  }

  /** Gives a claimed delivery back, due now, without counting an attempt. */
  async release(delivery: DeliveryRow): Promise<void> {
    await this.#db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: sql<Date>`now()`, claim_token: null })
      .where('id', '=', delivery.id)
      .where('claim_token', '=', delivery.claim_token)
      .execute()
  }

  /**
   * Records attempts and moves their deliveries on, many in one statement (so one round trip and one
   * commit; see {@link RECORD}).
   */
  async record(attempts: readonly RecordedAttempt[]): Promise<void> {
    if (attempts.length === 0) return
    const column = <T>(value: (entry: RecordedAttempt) => T) => attempts.map(value)
    await this.#prepared.run(RECORD, [
      column(({ delivery }) => delivery.id),
      column(({ delivery }) => delivery.claim_token),
      column(({ delivery }) => delivery.subscription_id),
      column(({ attempt }) => attempt.number),
      column(({ attempt }) => attempt.startedAt),
      column(({ attempt }) => attempt.durationMs),
      column(({ attempt }) => attempt.statusCode ?? null),
      column(({ attempt }) => attempt.responseExcerpt),
      column(({ attempt }) => attempt.error),
      column(({ attempt }) => attempt.outcome),
      column(({ verdict }) => verdict.status),
      column(({ verdict }) =>
        verdict.status === 'pending' ? Math.max(0, Math.round(verdict.delayMs)) : null,
      ),
    ])
  }

  /** When a delivery to the subscription last succeeded. */
  async lastSuccessAt(subscriptionId: string): Promise<Date | undefined> {
    const row = await this.#db
      .selectFrom('subscription_health')
      .select('last_success_at')
      .where('subscription_id', '=', subscriptionId)
      .executeTakeFirst()
    return row?.last_success_at ?? undefined
  }

  /** Deliveries of one subscription, newest first, each with its attempts in order. */
  async list(
    customer: string,
    subscriptionId: string,
    options: { limit: number; before?: string; status?: DeliveryStatus },
  ): Promise<DeliveryWithAttempts[]> {
    let query = this.#db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('customer', '=', customer)
      .where('subscription_id', '=', subscriptionId)
    if (options.before !== undefined) query = query.where('id', '<', options.before)
    if (options.status !== undefined) query = query.where('status', '=', options.status)
    const deliveries = await query.orderBy('id', 'desc').limit(options.limit).execute()
    return this.#withAttempts(deliveries)
  }

  async get(customer: string, subscriptionId: string, id: string): Promise<DeliveryWithAttempts | undefined> {
    const row = await this.#db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('customer', '=', customer)
      .where('subscription_id', '=', subscriptionId)
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? undefined : (await this.#withAttempts([row]))[0]
  }

  /**
   * Makes a delivery due now. A pending one keeps its schedule; a finished one gets one more attempt
   * (manual) and returns to a final status after it. Answers the delivery as the retry left it (read
   * in the same statement, so a dispatcher sending it at once cannot change what is answered), or
   * undefined when there is no such delivery.
   */
  async retryNow(
    customer: string,
    subscriptionId: string,
    id: string,
  ): Promise<DeliveryWithAttempts | undefined> {
    const row = await this.#db
      .updateTable('webhook_deliveries')
      // A pending delivery a worker holds right now is left to that worker: it is being sent.
      .set({
        manual: sql<boolean>`status <> 'pending'`,
        status: 'pending',
        next_attempt_at: sql<Date>`CASE WHEN status = 'pending' AND claim_token IS NOT NULL
          THEN next_attempt_at ELSE now() END`,
        updated_at: sql<Date>`now()`,
      })
      .where('customer', '=', customer)
      .where('subscription_id', '=', subscriptionId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
    return row === undefined ? undefined : (await this.#withAttempts([row]))[0]
  }

  /** Forgets the deliveries of a deleted subscription (attempts go with them). */
  async deleteForSubscription(db: Kysely<RelayTables>, subscriptionId: string): Promise<void> {
    await db.deleteFrom('webhook_deliveries').where('subscription_id', '=', subscriptionId).execute()
    await db.deleteFrom('subscription_health').where('subscription_id', '=', subscriptionId).execute()
  }

  async #withAttempts(deliveries: DeliveryRow[]): Promise<DeliveryWithAttempts[]> {
    if (deliveries.length === 0) return []
    const attempts = await this.#db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where(
        'delivery_id',
        'in',
        deliveries.map((delivery) => delivery.id),
      )
      .orderBy('id')
      .execute()
    return deliveries.map((delivery) => ({
      ...delivery,
      attempts: attempts.filter((attempt) => attempt.delivery_id === delivery.id),
    }))
  }
}
