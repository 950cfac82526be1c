import type { Webhook } from '@taskforge/proto/catalog/v1/catalog_service'
import { type Kysely, type Selectable, sql } from 'kysely'
import type { CatalogTables } from './catalog-tables.js'
import type { WebhooksTable, WebhookTables } from './webhooks-projection.js'

function toWebhook(row: Selectable<WebhooksTable>): Webhook {
  return {
    id: row.id,
    customer: row.customer,
    name: row.name,
    secret: row.secret,
    version: row.version,
    creationDate: row.created_at,
    lastUpdate: row.updated_at,
    firedCount: row.fired_count,
    lastFiredAt: row.last_fired_at ?? undefined,
  }
}

/** Queries over the `webhooks` read table, scoped by customer like every catalog query. */
export class WebhookReadModel {
  readonly #db: Kysely<WebhookTables & CatalogTables>

  constructor(db: Kysely<WebhookTables & CatalogTables>) {
    this.#db = db
  }

  async getWebhook(customer: string, id: string): Promise<Webhook | undefined> {
    const row = await this.#db
      .selectFrom('webhooks')
      .selectAll()
      .where('customer', '=', customer)
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? undefined : toWebhook(row)
  }

  /** Webhooks in creation order. */
  async listWebhooks(customer: string): Promise<Webhook[]> {
    const rows = await this.#db
      .selectFrom('webhooks')
      .selectAll()
      .where('customer', '=', customer)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(toWebhook)
  }

  /** A webhook's secret and owner, whoever asks: only for comparing a presented secret. */
  async getWebhookSecret(id: string): Promise<{ id: string; customer: string; secret: string } | undefined> {
    return this.#db
      .selectFrom('webhooks')
      .select(['id', 'customer', 'secret'])
      .where('id', '=', id)
      .executeTakeFirst()
  }

  /** Ids of the customer's live tasks whose triggers name the webhook. */
  async tasksTriggeredBy(customer: string, webhookId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('tasks')
      .select('id')
      .where('customer', '=', customer)
      .where(sql<boolean>`definition->'triggers' @> ${JSON.stringify([{ webhookId }])}::jsonb`)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map((row) => row.id)
  }
}
