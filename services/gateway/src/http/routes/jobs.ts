import { badRequest, isId } from '@taskforge/core'
import type { FastifyInstance } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { TaskReads } from '../../tasks/task-reads.js'
import type { Access } from '../access.js'
import { customerParams, errorResponses, idParams, jobResponseSchema, tokenQuery } from '../schemas.js'
import { jobView } from '../views.js'
import { waitingReason } from '../waiting-reason.js'

const listQuery = {
  type: 'object',
  properties: {
    task: { type: 'string', maxLength: 100, description: 'only jobs of this task' },
    task_id: { type: 'string', maxLength: 100, description: 'same as task' },
    lifecycle: { type: 'string', maxLength: 20 },
    state: { type: 'string', maxLength: 20 },
    host_id: { type: 'string', maxLength: 100, description: 'only jobs of this bot' },
    bot: { type: 'string', maxLength: 100, description: 'same as host_id' },
    origin: {
      type: 'string',
      maxLength: 200,
      description:
        'only jobs whose origin is this or starts with it and a colon (`trigger` matches every triggered job)',
    },
    created_after: {
      type: 'string',
      format: 'date-time',
      description: 'only jobs created at or after (RFC 3339)',
    },
    created_before: {
      type: 'string',
      format: 'date-time',
      description: 'only jobs created before (RFC 3339)',
    },
    cursor: {
      type: 'string',
      maxLength: 300,
      description:
        'the next page: the x-next-cursor (or Link rel="next") of the previous answer, with the same filters',
    },
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
  bot?: string
  origin?: string
  created_after?: string
  created_before?: string
  cursor?: string
  limit?: number
}

/** A place in the jobs list, opaque to clients: the last job of a page. */
export function encodeCursor(job: { creationDate?: Date | undefined; id: string }): string {
  return Buffer.from(JSON.stringify([job.creationDate?.toISOString() ?? '', job.id])).toString('base64url')
}

/** The place a cursor names; 400 for anything this API did not answer. */
export function decodeCursor(cursor: string): { creationDate: Date; id: string } {
  const refuse = () => badRequest('cursor is not one this API answered', { field: 'cursor' })
  if (!/^[A-Za-z0-9_-]{1,300}$/.test(cursor)) throw refuse()
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw refuse()
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw refuse()
  const [at, id] = parsed as unknown[]
  if (typeof at !== 'string' || typeof id !== 'string' || !isId(id)) throw refuse()
  const creationDate = new Date(at)
  if (Number.isNaN(creationDate.getTime()) || creationDate.toISOString() !== at) throw refuse()
  return { creationDate, id }
}

function instant(value: string | undefined, field: string): Date | undefined {
  if (value === undefined || value === '') return undefined
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) throw badRequest(`${field} must be an RFC 3339 date-time`, { field })
  return date
}

/** Jobs as viewers read them, owned by job-scheduler; the jobs of a task its acls hide are hidden too. */
export function jobRoutes(
  app: FastifyInstance,
  deps: { clients: Clients; tasks: TaskReads; access: Access },
): void {
  const { clients, tasks, access } = deps
  const tags = ['jobs']

  app.get<{ Params: { customer: string }; Querystring: ListQuery }>(
    '/:customer/job',
    {
      schema: {
        operationId: 'listJobs',
        tags,
        summary: 'List jobs, newest first, a page at a time',
        description:
          'Filters combine. The answer is an array; when more jobs match, the x-next-cursor header (and Link rel="next") names the next page: ask again with cursor=<it> and the same filters.',
        params: customerParams,
        querystring: listQuery,
        response: { 200: { type: 'array', items: jobResponseSchema }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { customer } = request.params
      const permit = await access.permit(request, customer, 'viewer')
      const q = request.query
      const taskId = q.task ?? q.task_id ?? ''
      const after = q.cursor === undefined || q.cursor === '' ? undefined : decodeCursor(q.cursor)
      const createdAfter = instant(q.created_after, 'created_after')
      const createdBefore = instant(q.created_before, 'created_before')
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
            hostId: q.host_id ?? q.bot ?? '',
            origin: q.origin ?? '',
            limit: q.limit ?? 100,
            visibleTasks: visible === undefined ? undefined : { ids: [...visible] },
            createdAfter,
            createdBefore,
            after,
          }),
        ),
      ])
      if (task.status === 'rejected') throw task.reason
      if (listed.status === 'rejected') throw listed.reason
      const { jobs, more } = listed.value
      const last = jobs.at(-1)
      if (more && last !== undefined) {
        const next = encodeCursor(last)
        const url = new URL(request.url, 'http://gateway')
        url.searchParams.set('cursor', next)
        url.searchParams.delete('access_token')
        void reply.header('x-next-cursor', next).header('link', `<${url.pathname}${url.search}>; rel="next"`)
      }
      return jobs.map(jobView)
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
      const job = await access.job(permit, id)
      const view = jobView(job)
      if (!['ready', 'onhold', 'assigned'].includes(job.lifecycle)) return view
      const [bots, task, running] = await Promise.all([
        clients.dispatch.listBots({ customer }),
        tasks.get(customer, job.taskId).catch(() => undefined),
        clients.scheduler.listJobs({
          customer,
          taskId: job.taskId,
          lifecycle: 'assigned',
          state: '',
          hostId: '',
          origin: '',
          limit: 1,
          visibleTasks: undefined,
          createdAfter: undefined,
          createdBefore: undefined,
          after: undefined,
        }),
      ])
      const bot = bots.bots.find((candidate) => candidate.id === job.hostId)
      const reason = waitingReason({
        lifecycle: job.lifecycle,
        holdUntil: job.holdUntil,
        bot: bot === undefined ? undefined : { name: bot.name, online: bot.online },
        multitasking: task?.definition?.multitasking ?? true,
        taskRunning: running.jobs.length > 0,
      })
      return reason === undefined ? view : { ...view, waiting_reason: reason }
    },
  )
}
