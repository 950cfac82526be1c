import type { FastifyInstance } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { Authenticator } from '../auth.js'
import { customerParams, idParams } from '../schemas.js'
import { runArguments } from '../task-input.js'
import { jobView } from '../views.js'

const listQuery = {
  type: 'object',
  properties: {
    task: { type: 'string', maxLength: 100 },
    task_id: { type: 'string', maxLength: 100 },
    lifecycle: { type: 'string', maxLength: 20 },
    state: { type: 'string', maxLength: 20 },
    host_id: { type: 'string', maxLength: 100 },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    access_token: { type: 'string' },
  },
} as const

/** Jobs: runs and their read model, owned by job-scheduler. */
export function jobRoutes(app: FastifyInstance, deps: { clients: Clients; auth: Authenticator }): void {
  const { clients, auth } = deps

  app.post<{ Params: { customer: string; id: string } }>(
    '/:customer/task/:id/job',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Run a task: answers the created job',
        params: idParams,
        body: {
          anyOf: [
            { type: 'object', properties: { task_arguments: { type: 'array', maxItems: 100 } } },
            { type: 'array', maxItems: 100 },
            { type: 'null' },
          ],
        },
      },
    },
    async (request, reply) => {
      const caller = await auth.require(request, request.params.customer, 'user')
      const { job } = await clients.scheduler.runTask({
        customer: request.params.customer,
        taskId: request.params.id,
        taskArguments: runArguments(request.body),
        origin: 'api',
        author: caller.name,
        jobId: '',
      })
      return reply.status(201).send(jobView(job!))
    },
  )

  app.get<{
    Params: { customer: string }
    Querystring: {
      task?: string
      task_id?: string
      lifecycle?: string
      state?: string
      host_id?: string
      limit?: number
    }
  }>(
    '/:customer/job',
    {
      schema: {
        tags: ['jobs'],
        summary: 'List jobs, newest first',
        params: customerParams,
        querystring: listQuery,
      },
    },
    async (request) => {
      await auth.require(request, request.params.customer, 'viewer')
      const q = request.query
      const { jobs } = await clients.scheduler.listJobs({
        customer: request.params.customer,
        taskId: q.task ?? q.task_id ?? '',
        lifecycle: q.lifecycle ?? '',
        state: q.state ?? '',
        hostId: q.host_id ?? '',
        limit: q.limit ?? 100,
      })
      return jobs.map(jobView)
    },
  )

  app.get<{ Params: { customer: string; id: string } }>(
    '/:customer/job/:id',
    { schema: { tags: ['jobs'], summary: 'Get a job', params: idParams } },
    async (request) => {
      await auth.require(request, request.params.customer, 'viewer')
      const { job } = await clients.scheduler.getJob({
        customer: request.params.customer,
        jobId: request.params.id,
      })
      return jobView(job!)
    },
  )
}
