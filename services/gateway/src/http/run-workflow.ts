import { isTerminalLifecycle, publicWorkflowRun } from '@taskforge/model'
import type { WorkflowRun, WorkflowRunCaller } from '@taskforge/proto/jobs/v1/workflow_runs'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Clients } from '../clients/clients.js'
import { workflowRunPage } from './job-queued-page.js'
import { answerRun, idempotencyKey } from './run-job.js'
import { runArguments } from './task-input.js'

const POLL_INTERVAL_MS = 500

/** What every way of running a workflow agrees on once the caller is authorized. */
export interface WorkflowRunOrder {
  customer: string
  workflowId: string
  /** Who asked: a token name, or `secret` for a run by secret key. */
  author: string
  /** The id of the token that asked ('' without one): it may decide none of the run's steps. */
  authorId: string
  /** How the run was asked for (the run's `origin`). */
  origin: string
  /** A token run below admin: the scheduler runs the workflow only if its acls show this caller. */
  caller?: WorkflowRunCaller
  /** A run by secret key, checked by the catalog as the workflow is read (`customer` may be empty). */
  secret?: string
}

/** The id a run or a vote names its token by: the operator's root token has none of its own. */
export function callerId(caller: { tokenId?: string | undefined }): string {
  return caller.tokenId ?? 'root'
}

export const workflowRunLocation = (customer: string, runId: string) =>
  `/${encodeURIComponent(customer)}/workflow/job/${runId}`

/** Reads the run again until it ended or `timeoutMs` passed; answers it as it is then. */
async function waitForRun(clients: Clients, run: WorkflowRun, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  let latest = run
  while (!isTerminalLifecycle(latest.lifecycle) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_INTERVAL_MS, deadline - Date.now())))
    latest = (await clients.scheduler.getWorkflowRun({ customer: run.customer, runId: run.id })).run ?? latest
  }
  return { run: latest, done: isTerminalLifecycle(latest.lifecycle) }
}

/**
 * Runs a workflow for an authorized caller and answers the run as a task's run answers its job
 * (`runAndAnswer`): 201 with the run and its `Location`, or with `?wait_result=true` 200 once it
 * ended or 202 while it goes on; a small page to a browser that posted a form. The scheduler reads
 * the workflow once, checking the caller's acls or the secret key as it does; an `Idempotency-Key`
 * the organization used for a run of the workflow within 24 hours answers that run.
 */
export async function runWorkflowAndAnswer(
  clients: Clients,
  request: FastifyRequest,
  reply: FastifyReply,
  order: WorkflowRunOrder,
): Promise<FastifyReply> {
  const { run: started } = await clients.scheduler.runWorkflow({
    customer: order.customer,
    workflowId: order.workflowId,
    arguments: runArguments(request.body),
    origin: order.origin,
    author: order.author,
    authorId: order.authorId,
    secret: order.secret ?? '',
    caller: order.caller,
    idempotencyKey: idempotencyKey(request),
  })
  const run = started as WorkflowRun
  return answerRun<WorkflowRun>(request, reply, {
    started: run,
    location: workflowRunLocation(run.customer, run.id),
    waitFor: async (value, timeoutMs) => {
      const waited = await waitForRun(clients, value, timeoutMs)
      return { value: waited.run, done: waited.done }
    },
    page: workflowRunPage,
    view: publicWorkflowRun,
    stillGoing: 'the run is still going on',
  })
}
