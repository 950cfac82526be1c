import { isAppError, isId, Quotas, unauthorized, validationFailed } from '@taskforge/core'
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { Access, Permit } from '../access.js'
import { requestField } from '../auth.js'
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH, runAndAnswer } from '../run-job.js'
import { callerId, runWorkflowAndAnswer } from '../run-workflow.js'
import {
  customerParams,
  errorAnswer,
  errorResponses,
  idParams,
  jobResponseSchema,
  quotaResponse,
  runBodySchema,
  runQuerySchema,
  secretParams,
  taskSecretParams,
  tokenQuery,
  workflowRunResponseSchema,
} from '../schemas.js'

/** A run answers the job as JSON, or a page naming it to a browser that posted a form and prefers HTML. */
const jobAnswer = (description: string) => ({
  description,
  content: {
    'application/json': { schema: jobResponseSchema },
    'text/html': {
      schema: { type: 'string', description: 'a page naming the job (Accept prefers text/html)' },
    },
  },
})

/** The answer of a run that names its task in the query or body, which may name a workflow instead. */
const jobOrRunAnswer = (description: string) => ({
  description: `${description}; when \`task\` names a workflow, its run (as POST /:customer/workflow/:id/job answers it)`,
  content: {
    'application/json': { schema: { anyOf: [jobResponseSchema, workflowRunResponseSchema] } },
    'text/html': {
      schema: { type: 'string', description: 'a page naming the job or run (Accept prefers text/html)' },
    },
  },
})

const quotaAnswer = quotaResponse(
  'a quota is reached: runs per token per second, or jobs not started per task or per organization',
)

const runResponses = {
  200: jobAnswer('with wait_result: the job, ended'),
  201: jobAnswer('the created job'),
  202: jobAnswer('with wait_result: the job, still running (see Location)'),
  ...errorResponses,
  409: errorAnswer('the Idempotency-Key was used for a run of another task'),
  429: quotaAnswer,
} as const

const namedRunResponses = {
  200: jobOrRunAnswer('with wait_result: the job, ended'),
  201: jobOrRunAnswer('the created job'),
  202: jobOrRunAnswer('with wait_result: the job, still running (see Location)'),
  ...errorResponses,
  409: errorAnswer('the Idempotency-Key was used for a run of another task or workflow'),
  422: errorAnswer('the workflow named cannot run (an approval or input step), or the arguments are invalid'),
  429: quotaAnswer,
} as const

/** The optional header of every run (decision 13); checked by `runAndAnswer`, which says why a key is refused. */
export const runHeaders = {
  type: 'object',
  properties: {
    [IDEMPOTENCY_KEY_HEADER]: {
      type: 'string',
      description: `Optional, 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters chosen by the client (a UUID, say). A retry with the key of a run of the same task (or workflow) in the last 24 hours creates no second job: it answers that run's job (or run) as it is now. A key used for another task or workflow: 409.`,
    },
  },
} as const

const runSchema = (
  operationId: string,
  summary: string,
  params: object | undefined,
  security?: [],
  response: object = runResponses,
) => ({
  operationId,
  tags: ['runs'],
  summary,
  description: `At most ${Quotas.runsPerToken.value} runs per token in one second by default (\`${Quotas.runsPerToken.setting}\`; a run by secret key: per task and client address); past it, 429 with Retry-After.`,
  ...(params === undefined ? {} : { params }),
  headers: runHeaders,
  querystring: runQuerySchema,
  body: runBodySchema,
  response,
  ...(security === undefined ? {} : { security }),
})

const isMissing = (error: unknown) =>
  isAppError(error) && (error.code === 'NOT_FOUND' || error.code === 'UNAUTHORIZED')

/**
 * A run that names its task in its query or body may name a workflow (the seed runs both the same
 * way): it is run as a task, and when no task answers to the id (or its key), as a workflow. When
 * neither does, the task's answer stands (404, or 401 for a secret key).
 */
async function taskOrWorkflow(
  runTask: () => Promise<FastifyReply>,
  runWorkflow: () => Promise<FastifyReply>,
): Promise<FastifyReply> {
  try {
    return await runTask()
  } catch (error) {
    if (!isMissing(error)) throw error
    try {
      return await runWorkflow()
    } catch (second) {
      throw isMissing(second) ? error : second
    }
  }
}

/** The task a run without one in its path names in its query or body (`task`, or `task_id`). */
function namedTask(request: FastifyRequest): string {
  const task = requestField(request, 'task') || requestField(request, 'task_id')
  if (task === '') throw validationFailed('task is required: the id of the task to run', { field: 'task' })
  return task
}

/** Every way of running a task (contract §4), and emptying a task's queue. */
export function runRoutes(
  app: FastifyInstance,
  deps: { clients: Clients; access: Access; rateLimit: preHandlerAsyncHookHandler },
): void {
  const { clients, access, rateLimit } = deps

  /** A token run: the user role, and a task the caller's acls show (checked where the task is read). */
  const runAsCaller = async (
    request: FastifyRequest,
    reply: FastifyReply,
    permit: Permit,
    taskId: string,
  ) => {
    const { customer, caller } = permit
    const acls = access.runCaller(permit, taskId)
    return runAndAnswer(clients, request, reply, {
      customer,
      taskId,
      author: caller.name,
      origin: 'api',
      ...(acls === undefined ? {} : { caller: acls }),
    })
  }

  /**
   * A secret-key run: the key must be the task's, and the task of the organization named, if any;
   * the catalog checks the key as it reads the task for the run.
   */
  const runWithSecret = async (
    request: FastifyRequest,
    reply: FastifyReply,
    customer: string,
    taskId: string,
    secret: string,
  ) => {
    // Secret keys are hex; anything else cannot be one, and is refused like a wrong one.
    if (!/^[0-9a-f]{1,200}$/i.test(secret) || !isId(taskId))
      throw unauthorized('the secret key is not valid for this task')
    return runAndAnswer(clients, request, reply, {
      customer,
      taskId,
      author: 'secret',
      origin: 'secret',
      secret,
    })
  }

  app.post<{ Params: { customer: string; id: string } }>(
    '/:customer/task/:id/job',
    {
      schema: runSchema('runTask', 'Run a task (user role): answers the created job', idParams),
      preHandler: rateLimit,
    },
    async (request, reply) => {
      const { customer, id } = request.params
      return runAsCaller(request, reply, await access.permit(request, customer, 'user'), id)
    },
  )

  /** A token run of the task or workflow the request names (`task`). */
  const runNamed = (request: FastifyRequest, reply: FastifyReply, permit: Permit) => {
    const id = namedTask(request)
    return taskOrWorkflow(
      () => runAsCaller(request, reply, permit, id),
      () => {
        const caller = access.runCaller(permit, id)
        return runWorkflowAndAnswer(clients, request, reply, {
          customer: permit.customer,
          workflowId: id,
          author: permit.caller.name,
          authorId: callerId(permit.caller),
          origin: 'api',
          ...(caller === undefined ? {} : { caller }),
        })
      },
    )
  }

  app.post<{ Params: { customer: string } }>(
    '/:customer/job',
    {
      schema: runSchema(
        'runNamedTask',
        'Run the task (or workflow) named by `task` (query or body; user role)',
        customerParams,
        undefined,
        namedRunResponses,
      ),
      preHandler: rateLimit,
    },
    async (request, reply) => {
      return runNamed(request, reply, await access.permit(request, request.params.customer, 'user'))
    },
  )

  app.post(
    '/job',
    {
      schema: runSchema(
        'runTaskOfOrganization',
        'Run the task (or workflow) named by `task`, of the organization named by `customer` (query or body; user role)',
        undefined,
        undefined,
        namedRunResponses,
      ),
      preHandler: rateLimit,
    },
    async (request, reply) => {
      return runNamed(request, reply, await access.permitNamed(request, 'user'))
    },
  )

  app.post<{ Params: { customer: string; id: string; secret: string } }>(
    '/:customer/task/:id/secret/:secret/job',
    {
      schema: runSchema(
        'runTaskWithSecret',
        'Run a task with its secret key (no token)',
        taskSecretParams,
        [],
      ),
      preHandler: rateLimit,
    },
    async (request, reply) => {
      const { customer, id, secret } = request.params
      return runWithSecret(request, reply, customer, id, secret)
    },
  )

  app.post<{ Params: { secret: string } }>(
    '/job/secret/:secret',
    {
      schema: runSchema(
        'runNamedTaskWithSecret',
        'Run the task (or workflow) named by `task` with its secret key; `customer`, `task` and `task_arguments[]` as JSON or an HTML form',
        secretParams,
        [],
        namedRunResponses,
      ),
      preHandler: rateLimit,
    },
    async (request, reply) => {
      const customer = requestField(request, 'customer')
      const id = namedTask(request)
      const { secret } = request.params
      // Secret keys are hex and ids uuids: anything else is refused before either is read.
      if (!/^[0-9a-f]{1,200}$/i.test(secret) || !isId(id))
        throw unauthorized('the secret key is not valid for this task')
      return taskOrWorkflow(
        () => runWithSecret(request, reply, customer, id, secret),
        () =>
          runWorkflowAndAnswer(clients, request, reply, {
            customer,
            workflowId: id,
            author: 'secret',
            authorId: '',
            origin: 'secret',
            secret,
          }),
      )
    },
  )

  app.delete<{ Params: { customer: string; id: string } }>(
    '/:customer/task/:id/job',
    {
      schema: {
        operationId: 'emptyTaskQueue',
        tags: ['runs'],
        summary: "Empty a task's queue: cancels every job not dispatched yet, answers how many",
        params: idParams,
        querystring: tokenQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              task_id: { type: 'string' },
              canceled: { type: 'integer' },
              job_ids: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { customer, id } = request.params
      const permit = await access.permit(request, customer, 'admin')
      await access.task(permit, id)
      const { caller } = permit
      const { canceled, jobIds } = await clients.scheduler.emptyTaskQueue({
        customer,
        taskId: id,
        author: caller.name,
      })
      return { task_id: id, canceled, job_ids: jobIds }
    },
  )
}
