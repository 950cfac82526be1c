import { checkSize, Limits, unauthorized } from '@taskforge/core'
import type { Webhook } from '@taskforge/proto/catalog/v1/catalog_service'
import type { FastifyInstance } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { Access } from '../access.js'
import { limitedString } from '../limit-schema.js'
import { customerParams, errorResponses, idParams, tokenQuery, webhookResponseSchema } from '../schemas.js'

const iso = (date: Date | undefined) => (date ? date.toISOString() : null)

/** An incoming webhook as the API shows it, with the path that fires it. */
export function incomingWebhookView(w: Webhook) {
  return {
    id: w.id,
    customer: w.customer,
    name: w.name,
    secret: w.secret,
    trigger_path: `/${encodeURIComponent(w.customer)}/webhook/${w.id}/trigger/secret/${w.secret}`,
    fired_count: w.firedCount,
    last_fired_at: iso(w.lastFiredAt),
    version: w.version,
    creation_date: iso(w.creationDate),
    last_update: iso(w.lastUpdate),
  }
}

const webhookBody = {
  type: 'object',
  required: ['name'],
  properties: {
    name: limitedString('webhookName', { minLength: 1 }),
    access_token: { type: 'string', maxLength: 200 },
  },
} as const

const triggerParams = {
  type: 'object',
  required: ['customer', 'id', 'secret'],
  properties: {
    customer: { type: 'string', minLength: 1, maxLength: 100 },
    id: { type: 'string', minLength: 1, maxLength: 100 },
    secret: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const

type IdRoute = { Params: { customer: string; id: string } }

/**
 * The body as the payload's JSON text: JSON as sent, a form as its object, no body as `null`; held
 * to the payload limit as that text (the whole body: 413).
 */
function payloadOf(body: unknown): string {
  const payload = JSON.stringify(body ?? null)
  checkSize(Limits.webhookPayload, 'payload', payload)
  return payload
}

/**
 * Incoming webhooks, owned by task-catalog: admins create, list and delete them; anyone holding a
 * webhook's secret fires it, and the tasks whose triggers name it run with the request body as payload.
 */
export function incomingWebhookRoutes(
  app: FastifyInstance,
  deps: { clients: Clients; access: Access },
): void {
  const { clients, access } = deps
  const tags = ['incoming webhooks']

  app.post<{ Params: { customer: string }; Body: { name: string } }>(
    '/:customer/webhook',
    {
      schema: {
        operationId: 'createWebhook',
        response: { 201: webhookResponseSchema },
        tags,
        summary: 'Create an incoming webhook; answers its id and secret (the trigger URL holds both)',
        params: customerParams,
        body: webhookBody,
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { webhook } = await clients.catalog.createWebhook({
        customer: request.params.customer,
        name: request.body.name,
        author: caller.name,
      })
      return reply.status(201).send(incomingWebhookView(webhook!))
    },
  )

  app.get<{ Params: { customer: string } }>(
    '/:customer/webhook',
    {
      schema: {
        operationId: 'listWebhooks',
        response: { 200: { type: 'array', items: webhookResponseSchema } },
        tags,
        summary: 'List incoming webhooks',
        params: customerParams,
        querystring: tokenQuery,
      },
    },
    async (request) => {
      await access.permit(request, request.params.customer, 'admin')
      const { webhooks } = await clients.catalog.listWebhooks({ customer: request.params.customer })
      return webhooks.map(incomingWebhookView)
    },
  )

  app.get<IdRoute>(
    '/:customer/webhook/:id',
    {
      schema: {
        operationId: 'getWebhook',
        response: { 200: webhookResponseSchema },
        tags,
        summary: 'Get an incoming webhook',
        params: idParams,
        querystring: tokenQuery,
      },
    },
    async (request) => {
      await access.permit(request, request.params.customer, 'admin')
      const { webhook } = await clients.catalog.getWebhook({
        customer: request.params.customer,
        webhookId: request.params.id,
      })
      return incomingWebhookView(webhook!)
    },
  )

  app.delete<IdRoute>(
    '/:customer/webhook/:id',
    {
      schema: {
        operationId: 'deleteWebhook',
        response: { 204: { type: 'null' } },
        tags,
        summary: 'Delete an incoming webhook; its trigger URL stops working at once',
        params: idParams,
        querystring: tokenQuery,
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      await clients.catalog.deleteWebhook({
        customer: request.params.customer,
        webhookId: request.params.id,
        author: caller.name,
      })
      return reply.status(204).send()
    },
  )

  app.post<{ Params: { customer: string; id: string; secret: string } }>(
    '/:customer/webhook/:id/trigger/secret/:secret',
    {
      schema: {
        operationId: 'fireWebhook',
        tags,
        summary:
          'Fire an incoming webhook (no token: the secret is the credential); the body (JSON, a form or nothing) is the payload',
        description: `The payload, as JSON text, is at most ${Limits.webhookPayload.value} bytes (${Limits.webhookPayload.name}): past it, 413.`,
        params: triggerParams,
        security: [],
        response: {
          202: {
            type: 'object',
            description: 'fired: the tasks whose triggers name the webhook are started',
            required: ['fire_id', 'webhook_id', 'name', 'payload', 'task_ids'],
            properties: {
              fire_id: { type: 'string' },
              webhook_id: { type: 'string' },
              name: { type: 'string' },
              payload: { description: 'the body, as the payload the tasks receive' },
              fired_at: { type: ['string', 'null'], format: 'date-time' },
              task_ids: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { customer, id, secret } = request.params
      if (!/^[0-9a-f]{1,200}$/i.test(secret)) throw unauthorized('the secret is not valid for this webhook')
      const fired = await clients.catalog.fireWebhook({
        customer,
        webhookId: id,
        secret,
        payloadJson: payloadOf(request.body),
      })
      return reply.status(202).send({
        fire_id: fired.fireId,
        webhook_id: fired.webhookId,
        name: fired.name,
        payload: JSON.parse(fired.payloadJson || 'null') as unknown,
        fired_at: iso(fired.firedAt),
        task_ids: fired.taskIds,
      })
    },
  )
}
