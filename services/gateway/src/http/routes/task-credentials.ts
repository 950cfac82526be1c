import type { FastifyInstance } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { TaskReads } from '../../tasks/task-reads.js'
import type { Access } from '../access.js'
import { credentialsResponseSchema, errorResponses, idParams, tokenQuery } from '../schemas.js'

type IdRoute = { Params: { customer: string; id: string } }

/** A task's secret key, for anonymous runs: admins read and rotate it. */
export function taskCredentialRoutes(
  app: FastifyInstance,
  deps: { clients: Clients; tasks: TaskReads; access: Access },
): void {
  const { clients, tasks, access } = deps
  const tags = ['tasks']

  app.get<IdRoute>(
    '/:customer/task/:id/credentials',
    {
      schema: {
        operationId: 'getTaskCredentials',
        tags,
        summary: "A task's secret key: { id, secret }",
        params: idParams,
        querystring: tokenQuery,
        response: { 200: credentialsResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      await access.permit(request, request.params.customer, 'admin')
      const { id, secret } = await clients.catalog.getTaskCredentials({
        customer: request.params.customer,
        taskId: request.params.id,
      })
      return { id, secret }
    },
  )

  app.post<IdRoute>(
    '/:customer/task/:id/credentials/rotate',
    {
      schema: {
        operationId: 'rotateTaskCredentials',
        tags,
        summary: "Replace a task's secret key; the old one stops working at once",
        params: idParams,
        querystring: tokenQuery,
        response: { 200: credentialsResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { customer } = request.params
      // The task's version changes with its secret: the cached list is stale.
      const { id, secret } = await tasks.write(customer, () =>
        clients.catalog.rotateTaskSecret({ customer, taskId: request.params.id, author: caller.name }),
      )
      return { id, secret }
    },
  )
}
