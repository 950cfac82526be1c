import { isId, notFound, Quotas, unauthorized } from '@taskforge/core'
import { publicWorkflowRun } from '@taskforge/model'
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { Access } from '../access.js'
import { limitedString } from '../limit-schema.js'
import { callerId, runWorkflowAndAnswer } from '../run-workflow.js'
import {
  credentialsResponseSchema,
  errorAnswer,
  errorResponses,
  idParams,
  quotaResponse,
  runBodySchema,
  runQuerySchema,
  taskSecretParams,
  tokenQuery,
  workflowRunResponseSchema,
} from '../schemas.js'
import { decodeCursor, encodeCursor } from './jobs.js'
import { runHeaders } from './runs.js'

type IdRoute = { Params: { customer: string; id: string } }
type ListRoute = IdRoute & { Querystring: { cursor?: string; limit?: number } }
type SecretRoute = { Params: { customer: string; id: string; secret: string } }

/** A run answers the run as JSON, or a page naming it to a browser that posted a form and prefers HTML. */
const runAnswer = (description: string) => ({
  description,
  content: {
    'application/json': { schema: workflowRunResponseSchema },
    'text/html': {
      schema: { type: 'string', description: 'a page naming the run (Accept prefers text/html)' },
    },
  },
})

const runResponses = {
  200: runAnswer('with wait_result: the run, ended'),
  201: runAnswer('the run, started'),
  202: runAnswer('with wait_result: the run, still going on (see Location)'),
  ...errorResponses,
  409: errorAnswer('the Idempotency-Key was used for a run of another task or workflow'),
  422: errorAnswer('the workflow cannot run: the arguments are invalid'),
  429: quotaResponse(
    'a quota is reached: runs per token (or per workflow and client address) per second, or jobs not started',
  ),
} as const

/**
 * Runs of workflows, decided by job-scheduler (decision 31): a run is started with the user role on
 * a workflow the caller sees, pinned to its latest version, and shown like a job with its nodes;
 * cancel stops every live job of the run, retry goes on from the nodes that did not succeed.
 */
export function workflowRunRoutes(
  app: FastifyInstance,
  deps: { clients: Clients; access: Access; rateLimit: preHandlerAsyncHookHandler },
): void {
  const { clients, access, rateLimit } = deps
  const tags = ['workflows']

  app.post<IdRoute>(
    '/:customer/workflow/:id/job',
    {
      schema: {
        operationId: 'runWorkflow',
        tags,
        summary: 'Run a workflow (user role): answers the run, pinned to the workflow’s latest version',
        description: `The body is a run’s: \`task_arguments\` are the run’s own arguments (\`$run\` in argument mappings). At most ${Quotas.runsPerToken.value} runs per token in one second, as for tasks; a run whose start node’s task or organization has too many jobs not started is refused (429). \`Idempotency-Key\` and \`wait_result\` as for a task’s run.`,
        params: idParams,
        headers: runHeaders,
        querystring: runQuerySchema,
        body: runBodySchema,
        response: runResponses,
      },
      preHandler: rateLimit,
    },
    async (request, reply) => {
      const { customer, id } = request.params
      const permit = await access.permit(request, customer, 'user')
      if (!isId(id)) throw notFound('workflow', id)
      const caller = access.runCaller(permit, id)
      return runWorkflowAndAnswer(clients, request, reply, {
        customer,
        workflowId: id,
        origin: 'api',
        author: permit.caller.name,
        authorId: callerId(permit.caller),
        ...(caller === undefined ? {} : { caller }),
      })
    },
  )

  app.post<SecretRoute>(
    '/:customer/workflow/:id/secret/:secret/job',
    {
      schema: {
        operationId: 'runWorkflowWithSecret',
        tags,
        summary: 'Run a workflow with its secret key (no token): answers the run',
        description:
          'As POST /:customer/workflow/:id/job, with the workflow’s secret key instead of a token (GET /:customer/workflow/:id/credentials); a wrong key, an unknown workflow and another organization’s all answer 401. Counted per workflow and client address against the runs-per-second quota.',
        params: taskSecretParams,
        headers: runHeaders,
        querystring: runQuerySchema,
        body: runBodySchema,
        response: runResponses,
        security: [],
      },
      preHandler: rateLimit,
    },
    async (request, reply) => {
      const { customer, id, secret } = request.params
      // Secret keys are hex; anything else cannot be one, and is refused like a wrong one.
      if (!/^[0-9a-f]{1,200}$/i.test(secret) || !isId(id))
        throw unauthorized('the secret key is not valid for this workflow')
      return runWorkflowAndAnswer(clients, request, reply, {
        customer,
        workflowId: id,
        origin: 'secret',
        author: 'secret',
        authorId: '',
        secret,
      })
    },
  )

  app.get<IdRoute>(
    '/:customer/workflow/:id/credentials',
    {
      schema: {
        operationId: 'getWorkflowCredentials',
        tags,
        summary:
          "A workflow's secret key, for runs without a token: { id, secret } ('' for a workflow created before workflows had one: rotate it)",
        params: idParams,
        querystring: tokenQuery,
        response: { 200: credentialsResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      await access.permit(request, request.params.customer, 'admin')
      const { id, secret } = await clients.catalog.getWorkflowCredentials({
        customer: request.params.customer,
        workflowId: request.params.id,
      })
      return { id, secret }
    },
  )

  app.post<IdRoute>(
    '/:customer/workflow/:id/credentials/rotate',
    {
      schema: {
        operationId: 'rotateWorkflowCredentials',
        tags,
        summary:
          "Replace a workflow's secret key; the old one stops working at once (the workflow's version stays)",
        params: idParams,
        querystring: tokenQuery,
        response: { 200: credentialsResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { id, secret } = await clients.catalog.rotateWorkflowSecret({
        customer: request.params.customer,
        workflowId: request.params.id,
        author: caller.name,
      })
      return { id, secret }
    },
  )

  app.get<IdRoute>(
    '/:customer/workflow/job/:id',
    {
      schema: {
        operationId: 'getWorkflowRun',
        tags,
        summary: 'Get a workflow run: shown like a job, with each node’s state and jobs',
        params: idParams,
        querystring: tokenQuery,
        response: { 200: workflowRunResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      return publicWorkflowRun(await access.workflowRun(permit, request.params.id))
    },
  )

  app.get<ListRoute>(
    '/:customer/workflow/:id/job',
    {
      schema: {
        operationId: 'listWorkflowRuns',
        tags,
        summary: 'List the runs of a workflow, newest first, a page at a time',
        description:
          'The answer is an array of runs as GET /:customer/workflow/job/:id shows them; when more follow, the x-next-cursor header (and Link rel="next") names the next page: ask again with cursor=<it>.',
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            cursor: {
              type: 'string',
              maxLength: 300,
              description: 'the next page: the x-next-cursor (or Link rel="next") of the previous answer',
            },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            access_token: { type: 'string', maxLength: 200 },
          },
        },
        response: { 200: { type: 'array', items: workflowRunResponseSchema }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { customer, id } = request.params
      const permit = await access.permit(request, customer, 'viewer')
      const { cursor, limit } = request.query
      const after = cursor === undefined || cursor === '' ? undefined : decodeCursor(cursor)
      // The runs of a workflow are seen through its acls, as the workflow is.
      await access.workflow(permit, id)
      const { runs, more } = await clients.scheduler.listWorkflowRuns({
        customer,
        workflowId: id,
        limit: limit ?? 100,
        after,
      })
      const last = runs.at(-1)
      if (more && last !== undefined) {
        const next = encodeCursor(last)
        const url = new URL(request.url, 'http://gateway')
        url.searchParams.set('cursor', next)
        url.searchParams.delete('access_token')
        void reply.header('x-next-cursor', next).header('link', `<${url.pathname}${url.search}>; rel="next"`)
      }
      return runs.map(publicWorkflowRun)
    },
  )

  app.put<IdRoute & { Body: { reason?: string } | null }>(
    '/:customer/workflow/job/:id/cancel',
    {
      schema: {
        operationId: 'cancelWorkflowRun',
        tags,
        summary:
          'Cancel a workflow run: every live job of the run is canceled (as PUT /:customer/job/:id/cancel does); the run ends canceled once they ended',
        params: idParams,
        body: {
          anyOf: [
            {
              type: 'object',
              properties: { reason: limitedString('cancelReason'), access_token: { type: 'string' } },
            },
            { type: 'null' },
          ],
        },
        response: {
          200: { ...workflowRunResponseSchema, description: 'the run, as the cancel left it' },
          ...errorResponses,
          409: errorAnswer('the run has ended already'),
        },
      },
    },
    async (request) => {
      const { customer, id } = request.params
      const permit = await access.permit(request, customer, 'user')
      await access.workflowRun(permit, id)
      const { run } = await clients.scheduler.cancelWorkflowRun({
        customer,
        runId: id,
        reason: request.body?.reason ?? '',
        author: permit.caller.name,
      })
      return publicWorkflowRun(run!)
    },
  )

  app.post<IdRoute>(
    '/:customer/workflow/job/:id/retry',
    {
      schema: {
        operationId: 'retryWorkflowRun',
        tags,
        summary:
          'Retry a failed or canceled workflow run from the nodes that did not succeed, on its pinned version; nodes that succeeded keep their outputs and do not run again',
        params: idParams,
        querystring: tokenQuery,
        response: {
          200: { ...workflowRunResponseSchema, description: 'the run, going on' },
          ...errorResponses,
          409: errorAnswer('the run is still running, or ended in success'),
        },
      },
      preHandler: rateLimit,
    },
    async (request) => {
      const { customer, id } = request.params
      const permit = await access.permit(request, customer, 'user')
      await access.workflowRun(permit, id)
      const { run } = await clients.scheduler.retryWorkflowRun({
        customer,
        runId: id,
        author: permit.caller.name,
      })
      return publicWorkflowRun(run!)
    },
  )
}
