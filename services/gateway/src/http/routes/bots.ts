import type { FastifyInstance } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { Access } from '../access.js'
import { limitedString } from '../limit-schema.js'
import {
  botCredentialsResponseSchema,
  botResponseSchema,
  customerParams,
  idParams,
  tokenQuery,
} from '../schemas.js'
import { botView, credentialsView } from '../views.js'

type IdRoute = { Params: { customer: string; id: string } }

/** Bots, owned by bot-dispatch. */
export function botRoutes(app: FastifyInstance, deps: { clients: Clients; access: Access }): void {
  const { clients, access } = deps

  app.post<{ Params: { customer: string }; Body: { name: string } }>(
    '/:customer/bot',
    {
      schema: {
        operationId: 'registerBot',
        tags: ['bots'],
        summary: 'Register a bot; answers its credentials (the agent credentials file) once',
        params: customerParams,
        body: {
          type: 'object',
          required: ['name'],
          properties: {
            name: limitedString('botName', { minLength: 1 }),
            access_token: { type: 'string' },
          },
        },
        response: { 201: botCredentialsResponseSchema },
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { credentials } = await clients.dispatch.registerBot({
        customer: request.params.customer,
        name: request.body.name,
        author: caller.name,
      })
      return reply.status(201).send(credentialsView(credentials!))
    },
  )

  app.get<{ Params: { customer: string } }>(
    '/:customer/bot',
    {
      schema: {
        operationId: 'listBots',
        tags: ['bots'],
        summary: 'List bots with presence',
        params: customerParams,
        response: { 200: { type: 'array', items: botResponseSchema } },
      },
    },
    async (request) => {
      await access.permit(request, request.params.customer, 'viewer')
      const { bots } = await clients.dispatch.listBots({ customer: request.params.customer })
      return bots.map(botView)
    },
  )

  app.post<IdRoute>(
    '/:customer/bot/:id/credentials',
    {
      schema: {
        operationId: 'rotateBotCredentials',
        tags: ['bots'],
        summary:
          "Replace a bot's credentials, answered once; its old secret and NATS user stop working at once (open connections are closed)",
        params: idParams,
        querystring: tokenQuery,
        response: { 200: botCredentialsResponseSchema },
      },
    },
    async (request) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { credentials } = await clients.dispatch.rotateBotCredentials({
        customer: request.params.customer,
        botId: request.params.id,
        author: caller.name,
      })
      return credentialsView(credentials!)
    },
  )

  app.delete<IdRoute>(
    '/:customer/bot/:id',
    {
      schema: {
        operationId: 'deleteBot',
        tags: ['bots'],
        summary:
          'Delete a bot: its NATS user is revoked at once (open connections are closed), its jobs not yet ended are canceled or ended as errors',
        params: idParams,
        querystring: tokenQuery,
        response: { 204: { type: 'null', description: 'deleted' } },
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      await clients.dispatch.deleteBot({
        customer: request.params.customer,
        botId: request.params.id,
        author: caller.name,
      })
      return reply.status(204).send()
    },
  )
}
