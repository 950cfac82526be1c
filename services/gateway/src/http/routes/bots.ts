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

/** Jobs assigned and not ended read for the bots list, and listed per bot. */
const RUNNING_LISTED = 1000
const RUNNING_PER_BOT = 100

interface RunningJob {
  id: string
  task_id: string
  name: string
  lifecycle: string
  state: string
}

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
      const permit = await access.permit(request, request.params.customer, 'viewer')
      const customer = request.params.customer
      const [{ bots }, running] = await Promise.all([
        clients.dispatch.listBots({ customer }),
        access.visibleTaskIds(permit).then((visible) =>
          clients.scheduler.listJobs({
            customer,
            taskId: '',
            lifecycle: 'assigned',
            state: '',
            hostId: '',
            limit: RUNNING_LISTED,
            visibleTasks: visible === undefined ? undefined : { ids: [...visible] },
          }),
        ),
      ])
      const byBot = new Map<string, RunningJob[]>()
      for (const job of running.jobs) {
        const list = byBot.get(job.hostId) ?? []
        if (list.length < RUNNING_PER_BOT)
          list.push({
            id: job.id,
            task_id: job.taskId,
            name: job.name,
            lifecycle: job.lifecycle,
            state: job.state,
          })
        byBot.set(job.hostId, list)
      }
      return bots.map((bot) => ({ ...botView(bot), running: byBot.get(bot.id) ?? [] }))
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
