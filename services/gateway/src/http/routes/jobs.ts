import type { FastifyInstance } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { Access } from '../access.js'
import { customerParams, errorResponses, idParams, jobResponseSchema, tokenQuery } from '../schemas.js'
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
export function jobRoutes(app: FastifyInstance, deps: { clients: Clients; access: Access }): void {
  const { clients, access } = deps
  const tags = ['jobs']

  app.get<{ Params: { customer: string }; Querystring: ListQuery }>(
    '/:customer/job',
    {
      schema: {
        operationId: 'listJobs',
        tags,
        summary: 'List jobs, newest first',
        params: customerParams,
        querystring: listQuery,
        response: { 200: { type: 'array', items: jobResponseSchema }, ...errorResponses },
      },
    },
    async (request) => {
      const { customer } = request.params
      const permit = await access.permit(request, customer, 'viewer')
      const q = request.query
      const taskId = q.task ?? q.task_id ?? ''
      // The task and the tasks the caller sees come from the catalog at once; the scheduler lists only
      // jobs of those (before its limit, so a page is full whenever there are enough to see).
      const visibleIds = taskId === '' ? access.visibleTaskIds(permit) : Promise.resolve(undefined)
      const [task, listed] = await Promise.allSettled([
        // A task of another organization, a deleted one and an invisible one are all unknown here.
        taskId === '' ? undefined : access.task(permit, taskId),
        visibleIds.then((visible) =>
          clients.scheduler.listJobs({
            customer,
            taskId,
            lifecycle: q.lifecycle ?? '',
            state: q.state ?? '',
            hostId: q.host_id ?? '',
            limit: q.limit ?? 100,
            visibleTasks: visible === undefined ? undefined : { ids: [...visible] },
          }),
        ),
      ])
      if (task.status === 'rejected') throw task.reason
      if (listed.status === 'rejected') throw listed.reason
      return listed.value.jobs.map(jobView)
    },
  )

  app.get<{ Params: { customer: string; id: string } }>(
    '/:customer/job/:id',
    {
      schema: {
        operationId: 'getJob',
        tags,
        summary: 'Get a job',
        params: idParams,
        querystring: tokenQuery,
        response: { 200: jobResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { customer, id } = request.params
      const permit = await access.permit(request, customer, 'viewer')
      return jobView(await access.job(permit, id))
    },
  )
}
