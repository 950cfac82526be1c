import { badRequest } from '@taskforge/core'
import { publicWorkflow } from '@taskforge/model'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { Access } from '../access.js'
import { envValuesFor } from '../authorize.js'
import { etagOf, expectedVersion } from '../if-match.js'
import {
  customerParams,
  errorAnswer,
  errorResponses,
  idParams,
  tokenQuery,
  workflowBodyExample,
  workflowBodySchema,
  workflowQuery,
  workflowResponseSchema,
} from '../schemas.js'
import { WORKFLOW_BODY_FIELDS, type WorkflowBody, workflowFromBody } from '../workflow-input.js'

type IdRoute = { Params: { customer: string; id: string } }
type WorkflowWrite = IdRoute & { Body: WorkflowBody }

const invalidDefinition = errorAnswer(
  'invalid definition: `details.problems` lists each problem with the node (`node`) or edge (`edge`) it is about; or a field past its limit',
)

/**
 * Workflow definitions, owned by task-catalog (decision 29): viewers read those their acls show them,
 * admins write; every save that changes one is a new immutable version.
 */
export function workflowRoutes(app: FastifyInstance, deps: { clients: Clients; access: Access }): void {
  const { clients, access } = deps
  const tags = ['workflows']

  app.post<{ Params: { customer: string }; Body: WorkflowBody }>(
    '/:customer/workflow',
    {
      schema: {
        operationId: 'createWorkflow',
        tags,
        summary: 'Create a workflow (version 1)',
        params: customerParams,
        querystring: tokenQuery,
        body: {
          ...workflowBodySchema,
          required: ['name', 'nodes', 'start'],
          examples: [workflowBodyExample],
        },
        response: { 201: workflowResponseSchema, ...errorResponses, 422: invalidDefinition },
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { workflow } = await clients.catalog.createWorkflow({
        customer: request.params.customer,
        definition: workflowFromBody(request.body),
        author: caller.name,
      })
      return reply
        .status(201)
        .header('etag', etagOf(workflow!.version))
        .send(publicWorkflow(workflow!, envValuesFor(caller)))
    },
  )

  app.get<{ Params: { customer: string } }>(
    '/:customer/workflow',
    {
      schema: {
        operationId: 'listWorkflows',
        tags,
        summary: 'List workflows at their latest version (a JSON array)',
        params: customerParams,
        querystring: tokenQuery,
        response: { 200: { type: 'array', items: workflowResponseSchema }, ...errorResponses },
      },
    },
    async (request) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      const { workflows } = await clients.catalog.listWorkflows({ customer: request.params.customer })
      return workflows
        .filter((workflow) => access.seesWorkflow(permit, workflow))
        .map((workflow) => publicWorkflow(workflow, envValuesFor(permit.caller)))
    },
  )

  app.get<IdRoute & { Querystring: { version?: number } }>(
    '/:customer/workflow/:id',
    {
      schema: {
        operationId: 'getWorkflow',
        tags,
        summary: 'Get a workflow: its latest version, or ?version=N; ETag is the version',
        params: idParams,
        querystring: workflowQuery,
        response: { 200: workflowResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      const workflow = await access.workflow(permit, request.params.id, request.query.version ?? 0)
      return reply
        .header('etag', etagOf(workflow.version))
        .send(publicWorkflow(workflow, envValuesFor(permit.caller)))
    },
  )

  const save = (replace: boolean) => async (request: FastifyRequest<WorkflowWrite>, reply: FastifyReply) => {
    const { caller } = await access.permit(request, request.params.customer, 'admin')
    const { customer, id } = request.params
    const version = expectedVersion(request.headers['if-match'])
    const fields = replace ? [] : WORKFLOW_BODY_FIELDS.filter((name) => request.body[name] !== undefined)
    if (!replace && fields.length === 0) {
      throw badRequest(`the body changes nothing: give one of ${WORKFLOW_BODY_FIELDS.join(', ')}`, {
        field: 'body',
      })
    }
    const { workflow } = await clients.catalog.updateWorkflow({
      customer,
      workflowId: id,
      definition: workflowFromBody(request.body),
      fields,
      author: caller.name,
      expectedVersion: version,
    })
    return reply
      .header('etag', etagOf(workflow!.version))
      .send(publicWorkflow(workflow!, envValuesFor(caller)))
  }

  app.put<WorkflowWrite>(
    '/:customer/workflow/:id',
    {
      schema: {
        operationId: 'replaceWorkflow',
        tags,
        summary: 'Save a new version of a whole workflow (If-Match: its version, optional)',
        params: idParams,
        querystring: tokenQuery,
        body: { ...workflowBodySchema, required: ['name', 'nodes', 'start'] },
        response: { 200: workflowResponseSchema, ...errorResponses, 422: invalidDefinition },
      },
    },
    save(true),
  )

  app.patch<WorkflowWrite>(
    '/:customer/workflow/:id',
    {
      schema: {
        operationId: 'updateWorkflow',
        tags,
        summary: 'Save a new version changing some fields (If-Match: its version, optional)',
        params: idParams,
        querystring: tokenQuery,
        body: workflowBodySchema,
        response: { 200: workflowResponseSchema, ...errorResponses, 422: invalidDefinition },
      },
    },
    save(false),
  )

  app.delete<IdRoute>(
    '/:customer/workflow/:id',
    {
      schema: {
        operationId: 'deleteWorkflow',
        tags,
        summary: 'Delete a workflow and its versions',
        params: idParams,
        querystring: tokenQuery,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      await clients.catalog.deleteWorkflow({
        customer: request.params.customer,
        workflowId: request.params.id,
        author: caller.name,
      })
      return reply.status(204).send()
    },
  )
}
