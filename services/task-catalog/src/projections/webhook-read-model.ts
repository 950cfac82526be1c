import type { Webhook } from '@taskforge/proto/catalog/v1/catalog_service'
import { type Kysely, type Selectable, sql } from 'kysely'
import { openStored, type SecretSealer } from '../secrets/secret-sealer.js'
import type { CatalogTables } from './catalog-tables.js'
import type { WebhooksTable, WebhookTables } from './webhooks-projection.js'

function toWebhook(row: Selectable<WebhooksTable>, sealer: SecretSealer): Webhook {
  return {
    id: row.id,
    customer: row.customer,
    name: row.name,
    secret: openSecret(row, sealer),
    version: row.version,
    creationDate: row.created_at,
    lastUpdate: row.updated_at,
    firedCount: row.fired_count,
    lastFiredAt: row.last_fired_at ?? undefined,
  }
}

function openSecret(row: Pick<WebhooksTable, 'id' | 'customer' | 'sealed_secret'>, sealer: SecretSealer) {
  return openStored(sealer, row.sealed_secret, {
    purpose: 'webhook-secret',
    customer: row.customer,
    webhookId: row.id,
  })
}

/**
 * Queries over the `webhooks` read table, scoped by customer like every catalog query. Secrets are
 * stored sealed and opened only for an answer.
 */
export class WebhookReadModel {
  readonly #db: Kysely<WebhookTables & CatalogTables>
  readonly #sealer: SecretSealer

  constructor(db: Kysely<WebhookTables & CatalogTables>, sealer: SecretSealer) {
    this.#db = db
    this.#sealer = sealer
  }

  async getWebhook(customer: string, id: string): Promise<Webhook | undefined> {
    const row = await this.#db
      .selectFrom('webhooks')
      .selectAll()
      .where('customer', '=', customer)
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? undefined : toWebhook(row, this.#sealer)
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
    return rows.map((row) => toWebhook(row, this.#sealer))
  }

  /** A webhook's secret and owner, whoever asks: only for comparing a presented secret. */
  async getWebhookSecret(id: string): Promise<{ id: string; customer: string; secret: string } | undefined> {
    const row = await this.#db
      .selectFrom('webhooks')
      .select(['id', 'customer', 'sealed_secret'])
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined
      ? undefined
      : { id: row.id, customer: row.customer, secret: openSecret(row, this.#sealer) }
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
