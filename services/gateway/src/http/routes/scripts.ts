import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { TaskReads } from '../../tasks/task-reads.js'
import type { Access } from '../access.js'
import { etagOf, expectedVersion } from '../if-match.js'
import {
  customerParams,
  errorResponses,
  idParams,
  scriptBodyExample,
  scriptBodySchema,
  scriptResponseSchema,
  tokenQuery,
} from '../schemas.js'
import { requiredScriptContent, type ScriptBody, scriptContent } from '../script-input.js'
import { scriptView } from '../views.js'

type IdRoute = { Params: { customer: string; id: string } }

/** Scripts, owned by task-catalog: admins write them; below admin, a script is read through a task that runs it. */
export function scriptRoutes(
  app: FastifyInstance,
  deps: { clients: Clients; tasks: TaskReads; access: Access },
): void {
  const { clients, tasks, access } = deps
  const tags = ['scripts']
  const config = { nulAllowed: ['content'] }

  app.post<{ Params: { customer: string }; Body: ScriptBody }>(
    '/:customer/script',
    {
      config,
      schema: {
        operationId: 'createScript',
        tags,
        summary: 'Create a script from text (content) or base64 (data)',
        params: customerParams,
        querystring: tokenQuery,
        body: { ...scriptBodySchema, required: ['filename'], examples: [scriptBodyExample] },
        response: { 201: scriptResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { script } = await clients.catalog.createScript({
        customer: request.params.customer,
        filename: request.body.filename ?? '',
        description: request.body.description ?? '',
        content: requiredScriptContent(request.body),
        author: caller.name,
      })
      return reply.status(201).header('etag', etagOf(script!.version)).send(scriptView(script!))
    },
  )

  app.get<{ Params: { customer: string } }>(
    '/:customer/script',
    {
      schema: {
        operationId: 'listScripts',
        tags,
        summary: 'List scripts (without their content)',
        params: customerParams,
        querystring: tokenQuery,
        response: { 200: { type: 'array', items: scriptResponseSchema }, ...errorResponses },
      },
    },
    async (request) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      const [{ scripts }, visible] = await Promise.all([
        clients.catalog.listScripts({ customer: request.params.customer }),
        access.visibleScriptIds(permit),
      ])
      return scripts
        .filter((s) => visible === undefined || visible.has(s.id))
        .map((s) => scriptView(s, false))
    },
  )

  app.get<IdRoute>(
    '/:customer/script/:id',
    {
      schema: {
        operationId: 'getScript',
        tags,
        summary: 'Get a script with its content; ETag is its version',
        params: idParams,
        querystring: tokenQuery,
        response: { 200: scriptResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      const script = await access.script(permit, request.params.id)
      return reply.header('etag', etagOf(script.version)).send(scriptView(script))
    },
  )

  const update =
    (replace: boolean) =>
    async (request: FastifyRequest<IdRoute & { Body: ScriptBody }>, reply: FastifyReply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const body = request.body
      // A run that follows must start the new content: answered once the change was told (decision 33).
      const { script } = await tasks.write(request.params.customer, () =>
        clients.catalog.updateScript({
          customer: request.params.customer,
          scriptId: request.params.id,
          filename: body.filename,
          description: replace ? (body.description ?? '') : body.description,
          content: replace ? requiredScriptContent(body) : scriptContent(body),
          author: caller.name,
          expectedVersion: expectedVersion(request.headers['if-match']),
        }),
      )
      return reply.header('etag', etagOf(script!.version)).send(scriptView(script!))
    }

  app.put<IdRoute & { Body: ScriptBody }>(
    '/:customer/script/:id',
    {
      config,
      schema: {
        operationId: 'replaceScript',
        tags,
        summary: 'Replace a script (If-Match: its version, optional)',
        params: idParams,
        querystring: tokenQuery,
        body: { ...scriptBodySchema, required: ['filename'] },
        response: { 200: scriptResponseSchema, ...errorResponses },
      },
    },
    update(true),
  )

  app.patch<IdRoute & { Body: ScriptBody }>(
    '/:customer/script/:id',
    {
      config,
      schema: {
        operationId: 'updateScript',
        tags,
        summary: 'Change some fields of a script (If-Match: its version, optional)',
        params: idParams,
        querystring: tokenQuery,
        body: scriptBodySchema,
        response: { 200: scriptResponseSchema, ...errorResponses },
      },
    },
    update(false),
  )

  app.delete<IdRoute>(
    '/:customer/script/:id',
    {
      schema: {
        operationId: 'deleteScript',
        tags,
        summary: 'Delete a script no task runs',
        params: idParams,
        querystring: tokenQuery,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      await tasks.write(request.params.customer, () =>
        clients.catalog.deleteScript({
          customer: request.params.customer,
          scriptId: request.params.id,
          author: caller.name,
        }),
      )
      return reply.status(204).send()
    },
  )
}
