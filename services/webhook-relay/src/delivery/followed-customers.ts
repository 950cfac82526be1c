import { type Kysely, sql } from 'kysely'
import type { RelayTables } from './delivery-tables.js'

/**
 * The organizations that have at least one subscription, which are the only ones whose events the
 * relay works on: for everyone else an event is acknowledged without touching the database.
 *
 * The truth is the `webhook_customers` table, a count of live subscriptions per organization kept in
 * the transaction that creates or deletes a subscription (its row lock orders a creation and a
 * deletion racing for the same organization). Each replica holds the set in memory: the replica that
 * ran the command updates it before answering, the others reload it when the relay's event store
 * announces an append (LISTEN/NOTIFY, also after a reconnect). A subscription created is thus seen by
 * every intake before any event that follows its answer can arrive.
 *
 * An organization's folded objects (`webhook_objects`) are dropped when it stops being followed and
 * again when it is followed anew: the objects were not folded meanwhile, so they would be stale.
 * When following began is kept too (`followed_since`): a stream made before then may have had
 * events nobody folded, so its first event seen is where the relay starts it (see EventIntake).
 */
export class FollowedCustomers {
  readonly #db: Kysely<RelayTables>
  /** Followed organizations and since when (ms since the epoch). */
  #customers = new Map<string, number>()
  #reloading: Promise<void> | undefined
  /** Something changed since the running reload read the table: its answer may be old. */
  #changed = false

  constructor(db: Kysely<RelayTables>) {
    this.#db = db
  }

  /** Since when the organization has been followed (ms since the epoch), or undefined if it is not. */
  since(customer: string): number | undefined {
    return this.#customers.get(customer)
  }

  /** Counts organizations of subscriptions made before this table existed (safe to repeat: too high a count only costs work). */
  async adoptExisting(): Promise<void> {
    await sql`
      INSERT INTO webhook_customers (customer, subscriptions)
      SELECT customer, count(*) FROM subscriptions GROUP BY customer
      ON CONFLICT (customer) DO NOTHING
    `.execute(this.#db)
    await this.reload()
  }

  /**
   * Reads the table again. Calls made while a read runs are folded into one more read after it,
   * and an answer read before a change is thrown away, so the set never goes back in time.
   */
  reload(): Promise<void> {
    this.#changed = true
    this.#reloading ??= (async () => {
      try {
        while (this.#changed) {
          this.#changed = false
          const rows = await this.#db
            .selectFrom('webhook_customers')
            .select(['customer', 'followed_since'])
            .execute()
          if (!this.#changed)
            this.#customers = new Map(rows.map((row) => [row.customer, row.followed_since.getTime()]))
        }
      } finally {
        this.#reloading = undefined
      }
    })()
    return this.#reloading
  }

  /**
   * Counts a new subscription, in the transaction that creates it, and answers the organization's
   * count with it. The row stays locked until the transaction ends: creations of one organization
   * are counted one after the other, so a cap checked on the answer holds.
   */
  async follow(trx: Kysely<RelayTables>, customer: string): Promise<number> {
    const { rows } = await sql<{ subscriptions: number }>`
      INSERT INTO webhook_customers (customer, subscriptions) VALUES (${customer}, 1)
      ON CONFLICT (customer) DO UPDATE SET subscriptions = webhook_customers.subscriptions + 1
      RETURNING subscriptions
    `.execute(trx)
    const count = rows[0]?.subscriptions ?? 1
    if (count === 1) await this.#forgetObjects(trx, customer)
    return count
  }

  /** Counts a deleted subscription, in the transaction that deletes it. */
  async unfollow(trx: Kysely<RelayTables>, customer: string): Promise<void> {
    const { rows } = await sql<{ subscriptions: number }>`
      UPDATE webhook_customers SET subscriptions = subscriptions - 1
      WHERE customer = ${customer} RETURNING subscriptions
    `.execute(trx)
    if (rows[0] !== undefined && rows[0].subscriptions <= 0) {
      await trx.deleteFrom('webhook_customers').where('customer', '=', customer).execute()
      await this.#forgetObjects(trx, customer)
    }
  }

  /** After a command committed here: this replica sees the change before the command answers. */
  async changed(customer: string, followed: boolean): Promise<void> {
    // The table's time replaces this one on the reload; until then it is at most a little late.
    if (followed && !this.#customers.has(customer)) this.#customers.set(customer, Date.now())
    await this.reload()
  }

  async #forgetObjects(trx: Kysely<RelayTables>, customer: string): Promise<void> {
    await trx.deleteFrom('webhook_objects').where('customer', '=', customer).execute()
  }
}
