import { isId, Limits, notFound } from '@taskforge/core'
import type { WorkflowStepView } from '@taskforge/proto/jobs/v1/workflow_runs'
import type { FastifyInstance } from 'fastify'
import type { Caller } from '../../accounts/accounts.js'
import type { Clients } from '../../clients/clients.js'
import type { Access, Permit } from '../access.js'
import { limitedString } from '../limit-schema.js'
import { callerId } from '../run-workflow.js'
import { customerParams, errorAnswer, errorResponses, idParams, jobResponseSchema } from '../schemas.js'
import { jobView } from '../views.js'
import { decodeCursor, encodeCursor } from './jobs.js'

type IdRoute = { Params: { customer: string; id: string } }

/** The most steps one inbox page answers. */
export const MAX_INBOX_PAGE = 1000

const voteAnswers = {
  200: { ...jobResponseSchema, description: 'the step’s job, as the vote left it' },
  ...errorResponses,
  403: errorAnswer(
    'the caller is not one of the step’s approvers, or its token started the run (whatever else makes it an approver)',
  ),
  404: errorAnswer('no such job, or one of a workflow the caller may not see'),
  409: errorAnswer(
    'the step no longer waits (decided, expired or canceled; another vote came first), the caller voted on it already, or the job is no step',
  ),
  413: errorAnswer('the body is too large'),
  422: errorAnswer(
    'a vote of the wrong kind for the step, answers the form refuses, or a comment past its limit',
  ),
}

const commentBody = {
  anyOf: [
    {
      type: 'object',
      additionalProperties: false,
      properties: { comment: limitedString('stepComment'), access_token: { type: 'string' } },
    },
    { type: 'null' },
  ],
} as const

const answerValue = {
  anyOf: [limitedString('taskArgument'), { type: 'number' }, { type: 'boolean' }],
}

const inboxItemSchema = {
  type: 'object',
  required: [
    'job_id',
    'run_id',
    'workflow_id',
    'workflow_name',
    'node',
    'kind',
    'approvals',
    'required',
    'expires_at',
  ],
  properties: {
    job_id: { type: 'string', description: 'the step’s job: PUT /:customer/job/:id/approve|reject|input' },
    run_id: { type: 'string', description: 'GET /:customer/workflow/job/:id' },
    workflow_id: { type: 'string' },
    workflow_name: { type: 'string' },
    node: { type: 'string', description: 'the step’s node key' },
    kind: { type: 'string', enum: ['approval', 'input'] },
    approvals: { type: 'integer', description: 'approvals so far' },
    required: { type: 'integer', description: 'approvals needed (1 for an input step)' },
    approvers: { type: 'array', items: { type: 'string' } },
    form: {
      type: 'array',
      description: 'input steps: the form its answers fill, as task arguments are defined',
      items: { type: 'object', additionalProperties: true },
    },
    expires_at: { type: 'string', format: 'date-time' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const

function voterOf(caller: Caller) {
  return { id: callerId(caller), name: caller.name, role: caller.role, tags: caller.tags }
}

function inboxItem(step: WorkflowStepView) {
  return {
    job_id: step.jobId,
    run_id: step.runId,
    workflow_id: step.workflowId,
    workflow_name: step.workflowName,
    node: step.node,
    kind: step.kind,
    approvals: step.approvals,
    required: step.required,
    approvers: step.approvers,
    ...(step.kind === 'input'
      ? {
          form: step.form.map((field) => ({
            order: field.order,
            type: field.type,
            label: field.label,
            value: field.value,
            required: field.required,
            ...(field.options.length > 0 ? { options: field.options } : {}),
          })),
        }
      : {}),
    expires_at: step.expiresAt?.toISOString() ?? null,
    created_at: step.createdAt?.toISOString() ?? null,
  }
}

/**
 * The steps of workflow runs that wait for people (decision 32): approvals, rejections and the
 * answers of input steps, decided by job-scheduler on the step's job; the inbox lists what waits
 * for the caller. A step is reached through its run's workflow: a caller that does not see it is
 * told 404; one that sees it but may not decide it, 403.
 */
export function workflowStepRoutes(app: FastifyInstance, deps: { clients: Clients; access: Access }): void {
  const { clients, access } = deps
  const tags = ['workflows']

  async function vote(
    permit: Permit,
    jobId: string,
    vote: 'approve' | 'reject' | 'input',
    comment: string,
    answers: Record<string, string>,
  ) {
    await access.job(permit, jobId)
    const { job } = await clients.scheduler.decideStep({
      customer: permit.customer,
      jobId,
      voter: voterOf(permit.caller),
      vote,
      comment,
      answers,
    })
    return jobView(job!)
  }

  for (const [path, kind, operationId, summary] of [
    [
      'approve',
      'approve' as const,
      'approveJob',
      'Approve a waiting approval step of a workflow run: once it has its `required` approvals it ends success and the run goes on along its `success` edges',
    ],
    [
      'reject',
      'reject' as const,
      'rejectJob',
      'Reject a waiting approval step of a workflow run: one rejection ends it failure, and the run goes on along its `failure` edges',
    ],
  ] as const) {
    app.put<IdRoute & { Body: { comment?: string } | null }>(
      `/:customer/job/:id/${path}`,
      {
        schema: {
          operationId,
          tags,
          summary,
          description:
            'Only the step’s approvers (token names, roles at least, `key:value` tags; empty: who may run the workflow) vote, each once, and never the token that started the run.',
          params: idParams,
          body: commentBody,
          response: voteAnswers,
        },
      },
      async (request) => {
        const permit = await access.permit(request, request.params.customer, 'viewer')
        if (!isId(request.params.id)) throw notFound('job', request.params.id)
        return vote(permit, request.params.id, kind, request.body?.comment ?? '', {})
      },
    )
  }

  app.put<IdRoute & { Body: { answers: Record<string, string | number | boolean> } }>(
    '/:customer/job/:id/input',
    {
      schema: {
        operationId: 'answerJob',
        tags,
        summary:
          'Answer a waiting input step of a workflow run: the answers, checked against its form, become its output (later nodes take them with `{ "from": "<key>", "output": "<label>" }`)',
        description:
          'One answer ends the step success. Who may answer: as for approve. A label the form does not have, a required field left out, a value that is not one of a field’s options are 422.',
        params: idParams,
        body: {
          type: 'object',
          required: ['answers'],
          additionalProperties: false,
          properties: {
            answers: {
              type: 'object',
              maxProperties: Limits.taskArgumentCount.value,
              additionalProperties: answerValue,
              description: 'the answers by the form’s labels (a number or boolean is taken as its text)',
            },
            access_token: { type: 'string' },
          },
        },
        response: voteAnswers,
      },
    },
    async (request) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      if (!isId(request.params.id)) throw notFound('job', request.params.id)
      const answers = Object.fromEntries(
        Object.entries(request.body.answers).map(([label, value]) => [label, String(value)]),
      )
      return vote(permit, request.params.id, 'input', '', answers)
    },
  )

  app.get<{ Params: { customer: string }; Querystring: { cursor?: string; limit?: number } }>(
    '/:customer/inbox',
    {
      schema: {
        operationId: 'listInbox',
        tags,
        summary:
          'The steps of workflow runs that wait for the caller: approvals and inputs it may decide and has not voted on, of workflows it sees, newest first',
        description:
          'When more steps wait, the x-next-cursor header (and Link rel="next") names the next page: ask again with cursor=<it>.',
        params: customerParams,
        querystring: {
          type: 'object',
          properties: {
            cursor: {
              type: 'string',
              maxLength: 300,
              description: 'the next page: the x-next-cursor (or Link rel="next") of the previous answer',
            },
            limit: { type: 'integer', minimum: 1, maximum: MAX_INBOX_PAGE },
            access_token: { type: 'string', maxLength: 200 },
          },
        },
        response: { 200: { type: 'array', items: inboxItemSchema }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { customer } = request.params
      const permit = await access.permit(request, customer, 'viewer')
      const after =
        request.query.cursor === undefined || request.query.cursor === ''
          ? undefined
          : decodeCursor(request.query.cursor)
      // Below admin, only the steps of the workflows the caller sees (before the limit, so a page is
      // full whenever enough wait).
      const visible =
        permit.caller.role === 'admin'
          ? undefined
          : (await clients.catalog.listWorkflows({ customer })).workflows
              .filter((workflow) => access.seesWorkflow(permit, workflow))
              .map((workflow) => workflow.id)
      const { steps, more } = await clients.scheduler.listInbox({
        customer,
        voter: voterOf(permit.caller),
        visibleWorkflows: visible === undefined ? undefined : { ids: visible },
        limit: request.query.limit ?? 100,
        afterCreatedAt: after?.creationDate,
        afterJobId: after?.id ?? '',
      })
      const last = steps.at(-1)
      if (more && last !== undefined) {
        const next = encodeCursor({ creationDate: last.createdAt, id: last.jobId })
        const url = new URL(request.url, 'http://gateway')
        url.searchParams.set('cursor', next)
        void reply.header('x-next-cursor', next).header('link', `<${url.pathname}${url.search}>; rel="next"`)
      }
      return steps.map(inboxItem)
    },
  )
}
