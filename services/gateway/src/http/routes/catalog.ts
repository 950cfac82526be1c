import { validationFailed } from '@taskforge/core'
import type { FastifyInstance } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { Authenticator } from '../auth.js'
import { customerParams, idParams, taskBodySchema } from '../schemas.js'
import { definitionFromBody, type TaskBody } from '../task-input.js'
import { scriptView, taskView } from '../views.js'

interface ScriptBody {
  filename: string
  description?: string
  content?: string
  data?: string
}

function scriptContent(body: ScriptBody): Buffer {
  if (typeof body.content === 'string') return Buffer.from(body.content, 'utf8')
  if (typeof body.data === 'string') {
    if (!/^[A-Za-z0-9+/=\s_-]*$/.test(body.data))
      throw validationFailed('data must be base64', { field: 'data' })
    return Buffer.from(body.data, 'base64')
  }
  throw validationFailed('a script needs content (text) or data (base64)', { field: 'content' })
}

/** Scripts and tasks: the catalog, owned by task-catalog. */
export function catalogRoutes(app: FastifyInstance, deps: { clients: Clients; auth: Authenticator }): void {
  const { clients, auth } = deps

  app.post<{ Params: { customer: string }; Body: ScriptBody }>(
    '/:customer/script',
    {
      schema: {
        tags: ['scripts'],
        summary: 'Create a script from text (content) or base64 (data)',
        params: customerParams,
        body: {
          type: 'object',
          required: ['filename'],
          properties: {
            filename: { type: 'string', minLength: 1, maxLength: 255 },
            description: { type: 'string', maxLength: 10_000 },
            content: { type: 'string', maxLength: 1_048_576 },
            data: { type: 'string', maxLength: 1_398_102 },
            access_token: { type: 'string' },
          },
        },
      },
    },
    async (request, reply) => {
      const caller = await auth.require(request, request.params.customer, 'admin')
      const { script } = await clients.catalog.createScript({
        customer: request.params.customer,
        filename: request.body.filename,
        description: request.body.description ?? '',
        content: scriptContent(request.body),
        author: caller.name,
      })
      return reply.status(201).send(scriptView(script!))
    },
  )

  app.get<{ Params: { customer: string } }>(
    '/:customer/script',
    { schema: { tags: ['scripts'], summary: 'List scripts', params: customerParams } },
    async (request) => {
      await auth.require(request, request.params.customer, 'viewer')
      const { scripts } = await clients.catalog.listScripts({ customer: request.params.customer })
      return scripts.map((s) => scriptView(s, false))
    },
  )

  app.get<{ Params: { customer: string; id: string } }>(
    '/:customer/script/:id',
    { schema: { tags: ['scripts'], summary: 'Get a script with its content', params: idParams } },
    async (request) => {
      await auth.require(request, request.params.customer, 'viewer')
      const { script } = await clients.catalog.getScript({
        customer: request.params.customer,
        scriptId: request.params.id,
      })
      return scriptView(script!)
    },
  )

  app.post<{ Params: { customer: string }; Body: TaskBody }>(
    '/:customer/task',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Create a task',
        params: customerParams,
        body: { ...taskBodySchema, required: ['name', 'host_id', 'script_id'] },
      },
    },
    async (request, reply) => {
      const caller = await auth.require(request, request.params.customer, 'admin')
      const { task } = await clients.catalog.createTask({
        customer: request.params.customer,
        definition: definitionFromBody(request.body),
        author: caller.name,
      })
      return reply.status(201).send(taskView(task!))
    },
  )

  app.get<{ Params: { customer: string }; Querystring: { tag?: string; host_id?: string; host?: string } }>(
    '/:customer/task',
    {
      schema: {
        tags: ['tasks'],
        summary: 'List tasks (a JSON array), optionally by tag or bot',
        params: customerParams,
        querystring: {
          type: 'object',
          properties: {
            tag: { type: 'string', maxLength: 100 },
            host_id: { type: 'string', maxLength: 100 },
            host: { type: 'string', maxLength: 100 },
            access_token: { type: 'string' },
          },
        },
      },
    },
    async (request) => {
      await auth.require(request, request.params.customer, 'viewer')
      const { tasks } = await clients.catalog.listTasks({
        customer: request.params.customer,
        tag: request.query.tag ?? '',
        hostId: request.query.host_id ?? request.query.host ?? '',
      })
      return tasks.map(taskView)
    },
  )

  app.get<{ Params: { customer: string; id: string } }>(
    '/:customer/task/:id',
    { schema: { tags: ['tasks'], summary: 'Get a task', params: idParams } },
    async (request) => {
      await auth.require(request, request.params.customer, 'viewer')
      const { task } = await clients.catalog.getTask({
        customer: request.params.customer,
        taskId: request.params.id,
      })
      return taskView(task!)
    },
  )
}
