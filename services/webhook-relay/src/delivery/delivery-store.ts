import { newId } from '@taskforge/core'
import { type Kysely, type Selectable, sql } from 'kysely'
import type { AttemptsTable, DeliveriesTable, DeliveryStatus, RelayTables } from './delivery-tables.js'
import type { AttemptResult } from './webhook-sender.js'

export type DeliveryRow = Selectable<DeliveriesTable>
export type AttemptRow = Selectable<AttemptsTable>

export interface NewDelivery {
  subscriptionId: string
  customer: string
  eventId: string
  eventName: string
  payload: string
}

/** A due delivery a worker may take, with where it goes (for per-host limits). */
export interface Candidate {
  id: string
  subscriptionId: string
  url: string
}

/** What happens to a delivery after an attempt. */
export type AttemptVerdict =
  | { status: 'succeeded' }
  | { status: 'pending'; delayMs: number }
  | { status: 'failed' }

export interface DeliveryWithAttempts extends DeliveryRow {
  attempts: AttemptRow[]
}

const after = (ms: number) => sql<Date>`now() + ${Math.max(0, Math.round(ms))} * interval '1 millisecond'`

/**
 * The relay's deliveries and attempts. Workers of every replica take due deliveries with
 * `FOR UPDATE SKIP LOCKED` and push them a lease ahead, so each one is attempted by one worker at a
 * time and comes back by itself if that worker dies.
 */
export class DeliveryStore {
  readonly #db: Kysely<RelayTables>

  constructor(db: Kysely<RelayTables>) {
    this.#db = db
  }

  /** Adds deliveries due now; one per (event, subscription) however often the event arrives. */
  async insert(db: Kysely<RelayTables>, deliveries: readonly NewDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0
    const result = await db
      .insertInto('webhook_deliveries')
      .values(
        deliveries.map((delivery) => ({
          id: newId(),
          subscription_id: delivery.subscriptionId,
          customer: delivery.customer,
          event_id: delivery.eventId,
          event_name: delivery.eventName,
          payload: delivery.payload,
          status: 'pending' as const,
          next_attempt_at: sql<Date>`now()`,
          claim_token: null,
          last_status_code: null,
        })),
      )
      .onConflict((oc) => oc.columns(['event_id', 'subscription_id']).doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0n)
  }

  /**
   * Due deliveries of enabled subscriptions, oldest first, at most `perSubscription` of each so one
   * receiver's backlog never fills a round.
   */
  async candidates(limit: number, perSubscription: number): Promise<Candidate[]> {
    const { rows } = await sql<{ id: string; subscription_id: string; url: string }>`
      SELECT id, subscription_id, url FROM (
        SELECT d.id, d.subscription_id, s.url, d.next_attempt_at,
          row_number() OVER (PARTITION BY d.subscription_id ORDER BY d.next_attempt_at, d.id) AS rank
        FROM webhook_deliveries d
        JOIN subscriptions s ON s.id = d.subscription_id AND s.enabled
        WHERE d.status = 'pending' AND d.next_attempt_at <= now()
      ) due
      WHERE rank <= ${perSubscription}
      ORDER BY next_attempt_at, id
      LIMIT ${limit}
    `.execute(this.#db)
    return rows.map((row) => ({ id: row.id, subscriptionId: row.subscription_id, url: row.url }))
  }

  /** Takes those of `ids` still due and not taken by another worker; each gets a claim token. */
  async claim(ids: readonly string[], leaseMs: number): Promise<DeliveryRow[]> {
    if (ids.length === 0) return []
    const { rows } = await sql<DeliveryRow>`
      UPDATE webhook_deliveries SET next_attempt_at = ${after(leaseMs)}, claim_token = gen_random_uuid()
      WHERE id IN (
        SELECT id FROM webhook_deliveries
        WHERE id = ANY(${sql.val(ids)}::uuid[]) AND status = 'pending' AND next_attempt_at <= now()
        FOR UPDATE SKIP LOCKED
      )
      RETURNING *
    `.execute(this.#db)
    return rows
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
   * Records one attempt and moves the delivery on, in one transaction. A worker whose lease ran out
   * (another one took the delivery meanwhile) still records its attempt but leaves the delivery alone.
   */
  async record(
    delivery: DeliveryRow,
    attempt: AttemptResult & { number: number; startedAt: Date },
    verdict: AttemptVerdict,
  ): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhook_attempts')
        .values({
          delivery_id: delivery.id,
          subscription_id: delivery.subscription_id,
          number: attempt.number,
          started_at: attempt.startedAt,
          duration_ms: attempt.durationMs,
          status_code: attempt.statusCode ?? null,
          response_excerpt: attempt.responseExcerpt,
          error: attempt.error,
          outcome: attempt.outcome,
        })
        .execute()
      await trx
        .updateTable('webhook_deliveries')
        .set({
          status: verdict.status,
          attempt_count: attempt.number,
          manual: false,
          next_attempt_at: verdict.status === 'pending' ? after(verdict.delayMs) : null,
          claim_token: null,
          last_status_code: attempt.statusCode ?? null,
          last_error: attempt.error,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', delivery.id)
        .where('claim_token', '=', delivery.claim_token)
        .execute()
      if (attempt.outcome === 'success') {
        await trx
          .insertInto('subscription_health')
          .values({ subscription_id: delivery.subscription_id, last_success_at: sql<Date>`now()` })
          .onConflict((oc) => oc.column('subscription_id').doUpdateSet({ last_success_at: sql<Date>`now()` }))
          .execute()
      }
    })
  }

  /** Ends a delivery without an attempt (its subscription went away). */
  async abandon(delivery: DeliveryRow, reason: string): Promise<void> {
    await this.#db
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', next_attempt_at: null, claim_token: null, last_error: reason })
      .where('id', '=', delivery.id)
      .where('claim_token', '=', delivery.claim_token)
      .execute()
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
   * (manual) and returns to a final status after it. Answers false when there is no such delivery.
   */
  async retryNow(customer: string, subscriptionId: string, id: string): Promise<boolean> {
    const result = await this.#db
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
      .executeTakeFirst()
    return result.numUpdatedRows > 0n
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
