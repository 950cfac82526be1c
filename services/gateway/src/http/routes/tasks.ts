import { badRequest } from '@taskforge/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { TaskReads } from '../../tasks/task-reads.js'
import type { Access } from '../access.js'
import { envValuesFor } from '../authorize.js'
import { etagOf, expectedVersion } from '../if-match.js'
import {
  customerParams,
  errorAnswer,
  errorResponses,
  idParams,
  taskBodyExample,
  taskBodySchema,
  taskResponseSchema,
  tokenQuery,
} from '../schemas.js'
import { definitionFromBody, secretEnvOf, TASK_BODY_FIELDS, type TaskBody } from '../task-input.js'
import { taskView } from '../views.js'

type IdRoute = { Params: { customer: string; id: string } }
type TaskWrite = IdRoute & { Body: TaskBody }

const listQuery = {
  type: 'object',
  properties: {
    tag: { type: 'string', maxLength: 100, description: 'only tasks with this tag' },
    host_id: { type: 'string', maxLength: 100, description: 'only tasks of this bot' },
    host: { type: 'string', maxLength: 100, description: 'same as host_id' },
    access_token: { type: 'string', maxLength: 200 },
  },
} as const

/** Tasks, owned by task-catalog: viewers read those their acls show them, admins write. */
export function taskRoutes(
  app: FastifyInstance,
  deps: { clients: Clients; tasks: TaskReads; access: Access },
): void {
  const { clients, tasks, access } = deps
  const tags = ['tasks']

  app.post<{ Params: { customer: string }; Body: TaskBody }>(
    '/:customer/task',
    {
      schema: {
        operationId: 'createTask',
        tags,
        summary: 'Create a task',
        params: customerParams,
        querystring: tokenQuery,
        body: { ...taskBodySchema, required: ['name', 'host_id', 'script_id'], examples: [taskBodyExample] },
        response: { 201: taskResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { customer } = request.params
      const { task } = await tasks.write(customer, () =>
        clients.catalog.createTask({
          customer,
          definition: definitionFromBody(request.body),
          author: caller.name,
          secretEnv: secretEnvOf(request.body),
        }),
      )
      return reply
        .status(201)
        .header('etag', etagOf(task!.version))
        .send(taskView(task!, envValuesFor(caller)))
    },
  )

  app.get<{ Params: { customer: string }; Querystring: { tag?: string; host_id?: string; host?: string } }>(
    '/:customer/task',
    {
      schema: {
        operationId: 'listTasks',
        tags,
        summary: 'List tasks (a JSON array), optionally by tag or bot',
        params: customerParams,
        querystring: listQuery,
        response: { 200: { type: 'array', items: taskResponseSchema }, ...errorResponses },
      },
    },
    async (request) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      const listed = await tasks.list(request.params.customer, {
        tag: request.query.tag,
        hostId: request.query.host_id ?? request.query.host,
      })
      return listed
        .filter((task) => access.seesTask(permit, task))
        .map((task) => taskView(task, envValuesFor(permit.caller)))
    },
  )

  app.get<IdRoute>(
    '/:customer/task/:id',
    {
      schema: {
        operationId: 'getTask',
        tags,
        summary: 'Get a task; ETag is its version',
        params: idParams,
        querystring: tokenQuery,
        response: { 200: taskResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      const task = await access.task(permit, request.params.id)
      return reply.header('etag', etagOf(task.version)).send(taskView(task, envValuesFor(permit.caller)))
    },
  )

  const update = (replace: boolean) => async (request: FastifyRequest<TaskWrite>, reply: FastifyReply) => {
    const { caller } = await access.permit(request, request.params.customer, 'admin')
    const { customer, id } = request.params
    const version = expectedVersion(request.headers['if-match'])
    const fields = replace ? [] : TASK_BODY_FIELDS.filter((name) => request.body[name] !== undefined)
    if (!replace && fields.length === 0) {
      throw badRequest(`the body changes nothing: give one of ${TASK_BODY_FIELDS.join(', ')}`, {
        field: 'body',
      })
    }
    const { task } = await tasks.write(customer, () =>
      clients.catalog.updateTask({
        customer,
        taskId: id,
        definition: definitionFromBody(request.body),
        fields,
        author: caller.name,
        expectedVersion: version,
        secretEnv: secretEnvOf(request.body),
      }),
    )
    return reply.header('etag', etagOf(task!.version)).send(taskView(task!, envValuesFor(caller)))
  }

  app.put<TaskWrite>(
    '/:customer/task/:id',
    {
      schema: {
        operationId: 'replaceTask',
        tags,
        summary: 'Replace a task definition (If-Match: its version, optional)',
        params: idParams,
        querystring: tokenQuery,
        body: { ...taskBodySchema, required: ['name', 'host_id', 'script_id'] },
        response: { 200: taskResponseSchema, ...errorResponses },
      },
    },
    update(true),
  )

  app.patch<TaskWrite>(
    '/:customer/task/:id',
    {
      schema: {
        operationId: 'updateTask',
        tags,
        summary: 'Change some fields of a task (If-Match: its version, optional)',
        params: idParams,
        querystring: tokenQuery,
        body: taskBodySchema,
        response: { 200: taskResponseSchema, ...errorResponses },
      },
    },
    update(false),
  )

  app.delete<IdRoute>(
    '/:customer/task/:id',
    {
      schema: {
        operationId: 'deleteTask',
        tags,
        summary: 'Delete a task (409 while a workflow runs it)',
        params: idParams,
        querystring: tokenQuery,
        response: {
          204: { type: 'null' },
          ...errorResponses,
          409: errorAnswer('a workflow runs the task: `details.workflows` names each (id, name)'),
        },
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { customer } = request.params
      await tasks.write(customer, () =>
        clients.catalog.deleteTask({ customer, taskId: request.params.id, author: caller.name }),
      )
      return reply.status(204).send()
    },
  )
}
