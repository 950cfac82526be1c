import { Quotas } from '@taskforge/core'
import type { Delivery, Subscription } from '@taskforge/proto/webhooks/v1/webhook_relay_service'
import type { FastifyInstance } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { Access } from '../access.js'
import { limitedList, limitedString } from '../limit-schema.js'
import {
  customerParams,
  deliveryResponseSchema,
  idParams,
  quotaResponse,
  subscriptionResponseSchema,
} from '../schemas.js'

/** JSON shapes of subscriptions and deliveries, from webhook-relay's gRPC messages. */
const iso = (date: Date | undefined) => (date ? date.toISOString() : null)

export function subscriptionView(s: Subscription) {
  return {
    id: s.id,
    customer: s.customer,
    url: s.url,
    events: s.events,
    description: s.description,
    token: s.token,
    secret: s.secret,
    enabled: s.enabled,
    disabled_reason: s.enabled ? null : s.disabledReason,
    previous_secret_expires_at: iso(s.previousSecretExpiresAt),
    version: s.version,
    creation_date: iso(s.creationDate),
    last_update: iso(s.lastUpdate),
  }
}

export function deliveryView(d: Delivery) {
  return {
    id: d.id,
    subscription_id: d.subscriptionId,
    event_id: d.eventId,
    event_name: d.eventName,
    status: d.status,
    attempt_count: d.attemptCount,
    next_attempt_at: iso(d.nextAttemptAt),
    creation_date: iso(d.creationDate),
    last_update: iso(d.lastUpdate),
    attempts: d.attempts.map((a) => ({
      number: a.number,
      started_at: iso(a.startedAt),
      duration_ms: a.durationMs,
      status_code: a.statusCode ?? null,
      outcome: a.outcome,
      response_excerpt: a.responseExcerpt,
      error: a.error || null,
    })),
  }
}

const eventsSchema = limitedList(
  'subscriptionEventCount',
  limitedString('subscriptionEvent', { minLength: 1 }),
  {
    description: 'Event names (task.create, job.finish, ...), <object>.* or *; empty or absent: every event',
  },
)

const subscriptionBody = {
  type: 'object',
  properties: {
    url: limitedString('subscriptionUrl', { minLength: 1 }),
    events: eventsSchema,
    description: limitedString('subscriptionDescription'),
    enabled: { type: 'boolean' },
    access_token: { type: 'string', maxLength: 200 },
  },
} as const

const deliveryParams = {
  type: 'object',
  required: ['customer', 'id', 'delivery'],
  properties: {
    customer: { type: 'string', minLength: 1, maxLength: 100 },
    id: { type: 'string', minLength: 1, maxLength: 100 },
    delivery: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const

const deliveryQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200 },
    before: { type: 'string', maxLength: 100, description: 'only deliveries older than this delivery id' },
    status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] },
    access_token: { type: 'string', maxLength: 200 },
  },
} as const

interface SubscriptionBody {
  url?: string
  events?: string[]
  description?: string
  enabled?: boolean
}
type IdRoute = { Params: { customer: string; id: string } }

/** Event subscriptions (outgoing webhooks), owned by webhook-relay; admins only: they hold secrets. */
export function subscriptionRoutes(app: FastifyInstance, deps: { clients: Clients; access: Access }): void {
  const { clients, access } = deps
  const tags = ['subscriptions']

  app.post<{ Params: { customer: string }; Body: SubscriptionBody }>(
    '/:customer/subscription',
    {
      schema: {
        operationId: 'createSubscription',
        tags,
        summary: 'Subscribe a URL to events; answers its token and signing secret, and sends it a ping',
        description: `An organization has at most ${Quotas.subscriptionsPerOrganization.value} subscriptions by default (\`${Quotas.subscriptionsPerOrganization.setting}\`); past it, 429.`,
        params: customerParams,
        body: { ...subscriptionBody, required: ['url'] },
        response: {
          201: subscriptionResponseSchema,
          429: quotaResponse('the organization has as many subscriptions as its quota allows'),
        },
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { subscription } = await clients.webhooks.createSubscription({
        customer: request.params.customer,
        url: request.body.url ?? '',
        events: request.body.events ?? [],
        description: request.body.description ?? '',
        author: caller.name,
      })
      return reply.status(201).send(subscriptionView(subscription!))
    },
  )

  app.get<{ Params: { customer: string } }>(
    '/:customer/subscription',
    {
      schema: {
        operationId: 'listSubscriptions',
        response: { 200: { type: 'array', items: subscriptionResponseSchema } },
        tags,
        summary: 'List subscriptions',
        params: customerParams,
      },
    },
    async (request) => {
      await access.permit(request, request.params.customer, 'admin')
      const { subscriptions } = await clients.webhooks.listSubscriptions({
        customer: request.params.customer,
      })
      return subscriptions.map(subscriptionView)
    },
  )

  app.get<IdRoute>(
    '/:customer/subscription/:id',
    {
      schema: {
        operationId: 'getSubscription',
        response: { 200: subscriptionResponseSchema },
        tags,
        summary: 'Get a subscription',
        params: idParams,
      },
    },
    async (request) => {
      await access.permit(request, request.params.customer, 'admin')
      const { subscription } = await clients.webhooks.getSubscription({
        customer: request.params.customer,
        subscriptionId: request.params.id,
      })
      return subscriptionView(subscription!)
    },
  )

  app.patch<IdRoute & { Body: SubscriptionBody }>(
    '/:customer/subscription/:id',
    {
      schema: {
        operationId: 'updateSubscription',
        response: { 200: subscriptionResponseSchema },
        tags,
        summary: 'Change a subscription (url, events, description; enabled: true turns it back on)',
        params: idParams,
        body: subscriptionBody,
      },
    },
    async (request) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const body = request.body ?? {}
      const { subscription } = await clients.webhooks.updateSubscription({
        customer: request.params.customer,
        subscriptionId: request.params.id,
        ...(body.url === undefined ? {} : { url: body.url }),
        events: body.events === undefined ? undefined : { names: body.events },
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
        author: caller.name,
      })
      return subscriptionView(subscription!)
    },
  )

  app.delete<IdRoute>(
    '/:customer/subscription/:id',
    {
      schema: {
        operationId: 'deleteSubscription',
        response: { 204: { type: 'null' } },
        tags,
        summary: 'Delete a subscription and its deliveries',
        params: idParams,
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      await clients.webhooks.deleteSubscription({
        customer: request.params.customer,
        subscriptionId: request.params.id,
        author: caller.name,
      })
      return reply.status(204).send()
    },
  )

  app.post<IdRoute>(
    '/:customer/subscription/:id/secret/rotate',
    {
      schema: {
        operationId: 'rotateSubscriptionSecret',
        response: { 200: subscriptionResponseSchema },
        tags,
        summary: 'Replace the signing secret; the old one keeps signing beside it for 24 hours',
        params: idParams,
      },
    },
    async (request) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { subscription } = await clients.webhooks.rotateSubscriptionSecret({
        customer: request.params.customer,
        subscriptionId: request.params.id,
        author: caller.name,
      })
      return subscriptionView(subscription!)
    },
  )

  app.get<IdRoute & { Querystring: { limit?: number; before?: string; status?: string } }>(
    '/:customer/subscription/:id/delivery',
    {
      schema: {
        operationId: 'listDeliveries',
        response: { 200: { type: 'array', items: deliveryResponseSchema } },
        tags,
        summary: 'Deliveries of a subscription, newest first, with every attempt',
        params: idParams,
        querystring: deliveryQuery,
      },
    },
    async (request) => {
      await access.permit(request, request.params.customer, 'admin')
      const { deliveries } = await clients.webhooks.listDeliveries({
        customer: request.params.customer,
        subscriptionId: request.params.id,
        limit: request.query.limit ?? 0,
        before: request.query.before ?? '',
        status: request.query.status ?? '',
      })
      return deliveries.map(deliveryView)
    },
  )

  app.post<{ Params: { customer: string; id: string; delivery: string } }>(
    '/:customer/subscription/:id/delivery/:delivery/retry',
    {
      schema: {
        operationId: 'retryDelivery',
        response: {
          202: { ...deliveryResponseSchema, description: 'the delivery; the new attempt shows in the list' },
        },
        tags,
        summary: 'Send a delivery again now (answers at once; the attempt shows in the delivery list)',
        params: deliveryParams,
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { delivery } = await clients.webhooks.retryDelivery({
        customer: request.params.customer,
        subscriptionId: request.params.id,
        deliveryId: request.params.delivery,
        author: caller.name,
      })
      return reply.status(202).send(deliveryView(delivery!))
    },
  )
}
