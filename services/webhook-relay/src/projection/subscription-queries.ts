import type { Kysely, Selectable } from 'kysely'
import type { RelayTables } from '../delivery/delivery-tables.js'
import { filterMatches } from '../mapping/event-names.js'
import type { SubscriptionsTable } from './subscriptions-table.js'

export type SubscriptionRow = Selectable<SubscriptionsTable>

/** The secrets that sign a delivery now: the current one, and the previous one during its overlap. */
export function signingSecrets(row: SubscriptionRow, now: Date = new Date()): string[] {
  const previousValid =
    row.previous_secret !== '' &&
    row.previous_secret_expires_at !== null &&
    row.previous_secret_expires_at.getTime() > now.getTime()
  return previousValid ? [row.secret, row.previous_secret] : [row.secret]
}

/** Reads of the `subscriptions` table; every customer-facing read is scoped by customer. */
export class SubscriptionQueries {
  readonly #db: Kysely<RelayTables>

  constructor(db: Kysely<RelayTables>) {
    this.#db = db
  }

  async get(customer: string, id: string): Promise<SubscriptionRow | undefined> {
    return this.#db
      .selectFrom('subscriptions')
      .selectAll()
      .where('customer', '=', customer)
      .where('id', '=', id)
      .executeTakeFirst()
  }

  list(customer: string): Promise<SubscriptionRow[]> {
    return this.#db
      .selectFrom('subscriptions')
      .selectAll()
      .where('customer', '=', customer)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
  }

  /** The ids of the customer's enabled subscriptions whose filter takes `eventName`. */
  async matching(db: Kysely<RelayTables>, customer: string, eventName: string): Promise<string[]> {
    const rows = await db
      .selectFrom('subscriptions')
      .select(['id', 'events'])
      .where('customer', '=', customer)
      .where('enabled', '=', true)
      .execute()
    return rows.filter((row) => filterMatches(row.events, eventName)).map((row) => row.id)
  }
}
