import { notFound } from '@taskforge/core'
import type { FastifyInstance } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { Authenticator } from '../auth.js'
import { customerParams, errorResponses, idParams, jobResponseSchema, tokenQuery } from '../schemas.js'
import { visibleTask, visibleTaskIds } from '../task-access.js'
import { jobView } from '../views.js'

const listQuery = {
  type: 'object',
  properties: {
    task: { type: 'string', maxLength: 100, description: 'only jobs of this task' },
    task_id: { type: 'string', maxLength: 100, description: 'same as task' },
    lifecycle: { type: 'string', maxLength: 20 },
    state: { type: 'string', maxLength: 20 },
    host_id: { type: 'string', maxLength: 100 },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    access_token: { type: 'string', maxLength: 200 },
  },
} as const

interface ListQuery {
  task?: string
  task_id?: string
  lifecycle?: string
  state?: string
  host_id?: string
  limit?: number
}

/** Jobs as viewers read them, owned by job-scheduler; the jobs of a task its acls hide are hidden too. */
export function jobRoutes(app: FastifyInstance, deps: { clients: Clients; auth: Authenticator }): void {
  const { clients, auth } = deps
  const tags = ['jobs']

  app.get<{ Params: { customer: string }; Querystring: ListQuery }>(
    '/:customer/job',
    {
      schema: {
        tags,
        summary: 'List jobs, newest first',
        params: customerParams,
        querystring: listQuery,
        response: { 200: { type: 'array', items: jobResponseSchema }, ...errorResponses },
      },
    },
    async (request) => {
      const { customer } = request.params
      const caller = await auth.require(request, customer, 'viewer')
      const q = request.query
      const taskId = q.task ?? q.task_id ?? ''
      // A task of another organization, a deleted one and an invisible one are all unknown here.
      if (taskId !== '') await visibleTask(clients, caller, customer, taskId)
      const { jobs } = await clients.scheduler.listJobs({
        customer,
        taskId,
        lifecycle: q.lifecycle ?? '',
        state: q.state ?? '',
        hostId: q.host_id ?? '',
        limit: q.limit ?? 100,
      })
      const visible = taskId === '' ? await visibleTaskIds(clients, caller, customer) : undefined
      return jobs.filter((job) => visible === undefined || visible.has(job.taskId)).map(jobView)
    },
  )

  app.get<{ Params: { customer: string; id: string } }>(
    '/:customer/job/:id',
    {
      schema: {
        tags,
        summary: 'Get a job',
        params: idParams,
        querystring: tokenQuery,
        response: { 200: jobResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { customer, id } = request.params
      const caller = await auth.require(request, customer, 'viewer')
      const { job } = await clients.scheduler.getJob({ customer, jobId: id })
      if (job === undefined) throw notFound('job', id)
      if (caller.role !== 'admin') {
        const visible = await visibleTaskIds(clients, caller, customer)
        if (visible !== undefined && !visible.has(job.taskId)) throw notFound('job', id)
      }
      return jobView(job)
    },
  )
}
