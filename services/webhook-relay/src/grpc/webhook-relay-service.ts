import { invalidState, notFound, validationFailed } from '@taskforge/core'
import type { WebhookRelayServiceService } from '@taskforge/proto/webhooks/v1/webhook_relay_service'
import type { AsyncImpl } from '@taskforge/rpc'
import type { CommandContext, SubscriptionCommands } from '../app/subscription-commands.js'
import type { DeliveryStore } from '../delivery/delivery-store.js'
import type { DeliveryStatus } from '../delivery/delivery-tables.js'
import type { SubscriptionQueries } from '../projection/subscription-queries.js'
import { toProtoDelivery, toProtoSubscription } from './to-proto.js'

const DEFAULT_DELIVERY_PAGE = 50
const MAX_DELIVERY_PAGE = 200
const STATUSES: readonly DeliveryStatus[] = ['pending', 'succeeded', 'failed']
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function customerOf(request: { customer: string }): string {
  if (request.customer.trim() === '') throw validationFailed('customer is required', { field: 'customer' })
  return request.customer
}

function contextOf(request: { customer: string; author?: string }): CommandContext {
  return { customer: customerOf(request), author: request.author || undefined }
}

/** Ids are uuids: anything else names nothing (and must not reach a uuid column). */
function idOf(value: string, what: string): string {
  if (!UUID.test(value)) throw notFound(what, value)
  return value
}

/** WebhookRelayService as plain async handlers, for `addService`. */
export function webhookRelayService(deps: {
  commands: SubscriptionCommands
  queries: SubscriptionQueries
  deliveries: DeliveryStore
  /** Wakes the dispatcher (a delivery is due now). */
  wake: () => void
}): AsyncImpl<typeof WebhookRelayServiceService> {
  const { commands, queries, deliveries, wake } = deps

  const subscription = async (customer: string, id: string) => {
    const row = await queries.get(customer, idOf(id, 'subscription'))
    if (row === undefined) throw notFound('subscription', id)
    return row
  }

  return {
    async createSubscription(request) {
      const ctx = contextOf(request)
      const id = await commands.create(ctx, {
        url: request.url,
        events: request.events,
        description: request.description,
      })
      return { subscription: toProtoSubscription(await subscription(ctx.customer, id)) }
    },

    async getSubscription(request) {
      return {
        subscription: toProtoSubscription(await subscription(customerOf(request), request.subscriptionId)),
      }
    },

    async listSubscriptions(request) {
      const rows = await queries.list(customerOf(request))
      return { subscriptions: rows.map((row) => toProtoSubscription(row)) }
    },

    async updateSubscription(request) {
      const ctx = contextOf(request)
      const id = idOf(request.subscriptionId, 'subscription')
      await commands.update(ctx, id, {
        ...(request.url === undefined ? {} : { url: request.url }),
        ...(request.events === undefined ? {} : { events: request.events.names }),
        ...(request.description === undefined ? {} : { description: request.description }),
        ...(request.enabled === undefined ? {} : { enabled: request.enabled }),
      })
      return { subscription: toProtoSubscription(await subscription(ctx.customer, id)) }
    },

    async deleteSubscription(request) {
      await commands.delete(contextOf(request), idOf(request.subscriptionId, 'subscription'))
      return {}
    },

    async rotateSubscriptionSecret(request) {
      const ctx = contextOf(request)
      const id = idOf(request.subscriptionId, 'subscription')
      await commands.rotateSecret(ctx, id)
      return { subscription: toProtoSubscription(await subscription(ctx.customer, id)) }
    },

    async listDeliveries(request) {
      const customer = customerOf(request)
      const row = await subscription(customer, request.subscriptionId)
      if (request.status !== '' && !(STATUSES as readonly string[]).includes(request.status)) {
        throw validationFailed(`status must be one of ${STATUSES.join(', ')}`, { field: 'status' })
      }
      if (request.before !== '' && !UUID.test(request.before)) {
        throw validationFailed('before must be a delivery id', { field: 'before' })
      }
      const limit = Math.min(request.limit || DEFAULT_DELIVERY_PAGE, MAX_DELIVERY_PAGE)
      const list = await deliveries.list(customer, row.id, {
        limit,
        ...(request.before === '' ? {} : { before: request.before }),
        ...(request.status === '' ? {} : { status: request.status as DeliveryStatus }),
      })
      return { deliveries: list.map(toProtoDelivery) }
    },

    async retryDelivery(request) {
      const customer = customerOf(request)
      const row = await subscription(customer, request.subscriptionId)
      const deliveryId = idOf(request.deliveryId, 'delivery')
      if (!row.enabled) {
        throw invalidState(`subscription ${row.id} is disabled (${row.disabled_reason}); enable it first`)
      }
      // Answered as the retry left it (pending): read afterwards, a receiver that answers at once
      // would already have made it succeeded (or failed again).
      const delivery = await deliveries.retryNow(customer, row.id, deliveryId)
      if (delivery === undefined) throw notFound('delivery', deliveryId)
      wake()
      return { delivery: toProtoDelivery(delivery) }
    },
  }
}
