import { isId, notFound, unauthorized } from '@taskforge/core'
import type {
  CreateWebhookRequest,
  CreateWebhookResponse,
  DeleteWebhookRequest,
  DeleteWebhookResponse,
  FireWebhookRequest,
  FireWebhookResponse,
  GetWebhookRequest,
  GetWebhookResponse,
  ListWebhooksRequest,
  ListWebhooksResponse,
} from '@taskforge/proto/catalog/v1/catalog_service'
import type { WebhookCommands } from '../commands/webhook-commands.js'
import { secretMatches } from '../domain/task-secret.js'
import type { WebhookReadModel } from '../projections/webhook-read-model.js'
import { contextOf, customerOf, written } from './request-context.js'

export interface WebhookHandlers {
  createWebhook(request: CreateWebhookRequest): Promise<CreateWebhookResponse>
  getWebhook(request: GetWebhookRequest): Promise<GetWebhookResponse>
  listWebhooks(request: ListWebhooksRequest): Promise<ListWebhooksResponse>
  deleteWebhook(request: DeleteWebhookRequest): Promise<DeleteWebhookResponse>
  fireWebhook(request: FireWebhookRequest): Promise<FireWebhookResponse>
}

/** Ids are uuids: anything else names no webhook, and never reaches a query. */
function webhookIdOf(id: string): string {
  if (!isId(id)) throw notFound('webhook', id)
  return id
}

/** The same answer for a wrong secret, an unknown webhook and another organization's webhook. */
const secretRefused = () => unauthorized('the secret is not valid for this webhook')

/** Incoming webhooks: CRUD for admins, and fires checked by the webhook's secret in constant time. */
export function webhookHandlers(deps: {
  webhookCommands: WebhookCommands
  webhookReadModel: WebhookReadModel
}): WebhookHandlers {
  const { webhookCommands: commands, webhookReadModel: readModel } = deps

  return {
    async createWebhook(request) {
      const ctx = contextOf(request)
      const { webhookId } = await commands.createWebhook(ctx, request.name)
      return { webhook: written(await readModel.getWebhook(ctx.customer, webhookId), 'webhook', webhookId) }
    },

    async getWebhook(request) {
      const customer = customerOf(request)
      const webhook = await readModel.getWebhook(customer, webhookIdOf(request.webhookId))
      if (webhook === undefined) throw notFound('webhook', request.webhookId)
      return { webhook }
    },

    async listWebhooks(request) {
      return { webhooks: await readModel.listWebhooks(customerOf(request)) }
    },

    async deleteWebhook(request) {
      await commands.deleteWebhook(contextOf(request), webhookIdOf(request.webhookId))
      return {}
    },

    async fireWebhook(request) {
      const customer = customerOf(request)
      if (!isId(request.webhookId)) throw secretRefused()
      const found = await readModel.getWebhookSecret(request.webhookId)
      // Compared even when the webhook is missing, so the answer time says nothing about which it was.
      const matches = secretMatches(request.secret, found?.secret ?? '')
      if (found === undefined || !matches || found.customer !== customer) throw secretRefused()
      const webhook = written(await readModel.getWebhook(customer, found.id), 'webhook', found.id)
      const fire = await commands.fireWebhook(
        { customer, author: 'webhook' },
        { id: webhook.id, customer, name: webhook.name },
        request.payloadJson,
      )
      return {
        fireId: fire.fireId,
        webhookId: webhook.id,
        name: webhook.name,
        payloadJson: fire.payloadJson,
        firedAt: fire.firedAt,
        taskIds: await readModel.tasksTriggeredBy(customer, webhook.id),
      }
    },
  }
}
