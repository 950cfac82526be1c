import { badRequest, checkSize, isAppError, Limits } from '@taskforge/core'
import { isTerminalLifecycle } from '@taskforge/model'
import type { Job } from '@taskforge/proto/jobs/v1/model'
import type { RunCaller } from '@taskforge/proto/jobs/v1/scheduler_service'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Clients } from '../clients/clients.js'
import { jobQueuedPage } from './job-queued-page.js'
import { prefersHtml } from './negotiation.js'
import { runArguments } from './task-input.js'
import { jobView } from './views.js'

/** The longest a `?wait_result=true` run keeps the request open. */
export const MAX_WAIT_MS = 60_000
const POLL_INTERVAL_MS = 500
const UNIMPLEMENTED = 12

/** What every way of running a task agrees on once the caller is authorized. */
export interface RunOrder {
  customer: string
  taskId: string
  /** Who asked: a token name, or `secret` for a run by secret key. */
  author: string
  /** How the run was asked for (the job's `origin`). */
  origin: string
  /** A token run below admin: the scheduler runs the task only if its acls show this caller. */
  caller?: RunCaller
  /** A run by secret key, checked by the catalog as the task is read (`customer` may be empty). */
  secret?: string
}

/** The request header naming a run for retries (decision 13). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'
/** The longest idempotency key taken (printable ASCII: characters are bytes). */
export const IDEMPOTENCY_KEY_MAX_LENGTH = Limits.idempotencyKey.value

/**
 * The run's `Idempotency-Key`, or '' when it has none: 1 to 200 printable ASCII characters, no space
 * at either end (HTTP already trims those); anything else is refused (400).
 */
export function idempotencyKey(request: Pick<FastifyRequest, 'headers'>): string {
  const key = request.headers[IDEMPOTENCY_KEY_HEADER]
  if (key === undefined) return ''
  const field = 'headers.Idempotency-Key'
  if (typeof key === 'string') checkSize(Limits.idempotencyKey, field, key)
  if (typeof key !== 'string' || !/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(key))
    throw badRequest(
      `the Idempotency-Key header must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters`,
      { field },
    )
  return key
}

function truthy(value: unknown): boolean {
  return typeof value === 'string'
    ? ['true', '1', 'yes', 'on'].includes(value.trim().toLowerCase())
    : value === true
}

/** `wait_result` and `wait_timeout` (seconds) may come in the query or, for forms, in the body. */
export function waitOptions(request: FastifyRequest): { wait: boolean; timeoutMs: number } {
  const query = (request.query ?? {}) as Record<string, unknown>
  const body = (
    request.body && typeof request.body === 'object' && !Array.isArray(request.body) ? request.body : {}
  ) as Record<string, unknown>
  const wait = truthy(query.wait_result ?? body.wait_result)
  const seconds = Number(query.wait_timeout ?? body.wait_timeout)
  const timeoutMs =
    Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_WAIT_MS) : MAX_WAIT_MS
  return { wait, timeoutMs }
}

function isUnimplemented(error: unknown): boolean {
  const cause = isAppError(error) ? (error.cause as { code?: unknown } | undefined) : undefined
  return cause?.code === UNIMPLEMENTED
}

/**
 * Waits for a job to end, at most `timeoutMs`: the scheduler's WaitForJob, or polling GetJob when
 * the scheduler does not offer it. Answers the job as it is when the time runs out.
 */
async function waitForJob(
  clients: Clients,
  job: Job,
  timeoutMs: number,
): Promise<{ job: Job; done: boolean }> {
  const deadline = Date.now() + timeoutMs
  let latest = job
  let waitable = true
  while (!isTerminalLifecycle(latest.lifecycle) && Date.now() < deadline) {
    const remaining = deadline - Date.now()
    if (waitable) {
      try {
        // The scheduler may answer before the time is up (its own bound): then wait again.
        const answer = await clients.scheduler.waitForJob(
          { customer: job.customer, jobId: job.id, timeoutMs: remaining },
          { deadlineMs: remaining + 10_000 },
        )
        latest = answer.job ?? latest
        if (answer.done) return { job: latest, done: true }
        continue
      } catch (error) {
        if (!isUnimplemented(error)) throw error
        waitable = false
      }
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_INTERVAL_MS, remaining)))
    latest = (await clients.scheduler.getJob({ customer: job.customer, jobId: job.id })).job ?? latest
  }
  return { job: latest, done: isTerminalLifecycle(latest.lifecycle) }
}

/**
 * Runs a task for an authorized caller and answers the created job: 201 with the job, or with
 * `?wait_result=true` 200 with the ended job, or 202 with the job still running and a `Location` to
 * poll. A client that prefers HTML (a browser submitting a form) gets a small page instead of JSON.
 * A run with an `Idempotency-Key` its organization used for a run of the task within 24 hours
 * creates no job: it answers that run's job, as it is now, the same way (409 if the key's run was
 * of another task).
 */
export async function runAndAnswer(
  clients: Clients,
  request: FastifyRequest,
  reply: FastifyReply,
  order: RunOrder,
): Promise<FastifyReply> {
  const { job: created } = await clients.scheduler.runTask({
    customer: order.customer,
    taskId: order.taskId,
    taskArguments: runArguments(request.body),
    origin: order.origin,
    author: order.author,
    jobId: '',
    idempotencyKey: idempotencyKey(request),
    caller: order.caller,
    secret: order.secret ?? '',
  })
  const job = created as Job
  return answerRun<Job>(request, reply, {
    started: job,
    location: `/${encodeURIComponent(job.customer)}/job/${job.id}`,
    waitFor: async (value, timeoutMs) => {
      const waited = await waitForJob(clients, value, timeoutMs)
      return { value: waited.job, done: waited.done }
    },
    page: jobQueuedPage,
    view: jobView,
    stillGoing: 'the job is still running',
  })
}

/** A run just started (a job, a workflow run) and how to answer it. */
export interface StartedRun<T> {
  started: T
  location: string
  /** Waits for it to end, at most `timeoutMs`; answers it as it is then. */
  waitFor(value: T, timeoutMs: number): Promise<{ value: T; done: boolean }>
  /** The page a browser that posted a form is shown. */
  page(value: T): string
  view(value: T): object
  /** What a 202 says: "the job is still running". */
  stillGoing: string
}

/**
 * Answers a run as every run route does: 201 with it and its `Location`, or with
 * `?wait_result=true` 200 once it ended or 202 while it goes on (after `wait_timeout`, 60 s at
 * most); a small page to a client that prefers HTML.
 */
export async function answerRun<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  run: StartedRun<T>,
): Promise<FastifyReply> {
  let value = run.started
  let status = 201
  const { wait, timeoutMs } = waitOptions(request)
  if (wait) {
    const waited = await run.waitFor(value, timeoutMs)
    value = waited.value
    status = waited.done ? 200 : 202
  }
  void reply.header('location', run.location)
  if (prefersHtml(request)) return reply.status(status).type('text/html; charset=utf-8').send(run.page(value))
  const view = run.view(value)
  if (status === 202) {
    return reply.status(202).send({
      ...view,
      message: `${run.stillGoing} after ${timeoutMs / 1000}s; GET ${run.location} for its result`,
    })
  }
  return reply.status(status).send(view)
}
