import { createServer } from 'node:net'
import { credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js'
import { SpanKind } from '@opentelemetry/api'
import { createGrpcAuth, isAppError, notFound } from '@taskforge/core'
import { Job } from '@taskforge/proto/jobs/v1/model'
import {
  type CancelJobRequest,
  type CancelJobResponse,
  JobSchedulerServiceClient,
  JobSchedulerServiceService,
} from '@taskforge/proto/jobs/v1/scheduler_service'
import { collectSpans, createLogger, withSpan } from '@taskforge/telemetry'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type RpcClient } from './client.js'
import { addService, createGrpcServer, startGrpcServer, stopGrpcServer } from './server.js'

const collector = collectSpans('rpc-test')
const auth = createGrpcAuth(['gateway', 'job-scheduler', 'webhook-relay'])
const server = createGrpcServer({
  auth: auth['job-scheduler']!,
  callers: ['gateway'],
  logger: createLogger('rpc-test', {}, { level: 'silent' }),
})
let handled = 0
let port = 0
let client: RpcClient<JobSchedulerServiceClient>
let releaseCancel: () => void = () => {}

async function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

/** The schedule and workflow run methods, which this suite does not call. */
const unusedScheduleMethods = Object.fromEntries(
  [
    'createSchedule',
    'getSchedule',
    'listSchedules',
    'updateSchedule',
    'deleteSchedule',
    'triggerSchedule',
    'backfillSchedule',
    'previewSchedule',
    'listScheduleFires',
    'runWorkflow',
    'getWorkflowRun',
    'cancelWorkflowRun',
    'retryWorkflowRun',
    'listWorkflowRuns',
  ].map((name) => [name, async () => Promise.reject(notFound('schedule'))]),
) as unknown as Record<
  | 'createSchedule'
  | 'getSchedule'
  | 'listSchedules'
  | 'updateSchedule'
  | 'deleteSchedule'
  | 'triggerSchedule'
  | 'backfillSchedule'
  | 'previewSchedule'
  | 'listScheduleFires'
  | 'runWorkflow'
  | 'getWorkflowRun'
  | 'cancelWorkflowRun'
  | 'retryWorkflowRun'
  | 'listWorkflowRuns',
  () => Promise<never>
>

beforeAll(async () => {
  addService(
    server,
    JobSchedulerServiceService,
    {
      async runTask(request) {
        handled += 1
        return {
          job: Job.fromPartial({
            id: request.jobId,
            customer: request.customer,
            taskId: request.taskId,
            taskArgumentsValues: request.taskArguments,
            lifecycle: 'ready',
            creationDate: new Date('2024-01-02T03:04:05.000Z'),
          }),
        }
      },
      async getJob(request) {
        throw notFound('job', request.jobId)
      },
      async listJobs() {
        throw new Error('connection to database lost at /srv/secret/path')
      },
      cancelJob(_request: CancelJobRequest): Promise<CancelJobResponse> {
        return new Promise((resolve) => {
          releaseCancel = () => resolve({ job: undefined })
        })
      },
      async emptyTaskQueue() {
        return { canceled: 0, jobIds: [] }
      },
      async waitForJob(request) {
        throw notFound('job', request.jobId)
      },
      async getJobLog(request) {
        throw notFound('job', request.jobId)
      },
      async getJobLogLines(request) {
        throw notFound('job', request.jobId)
      },
      ...unusedScheduleMethods,
    },
    { logger: createLogger('rpc-test', {}, { level: 'silent' }) },
  )
  port = await startGrpcServer(server, 0, '127.0.0.1')
  client = createClient(JobSchedulerServiceClient, `127.0.0.1:${port}`, {
    credential: auth.gateway!.credential,
  })
})

afterAll(async () => {
  releaseCancel()
  client.close()
  await stopGrpcServer(server, 1_000)
  await collector.stop()
})

describe('rpc', () => {
  it('round-trips a unary call', async () => {
    const { job } = await client.runTask({
      customer: 'acme',
      taskId: 't1',
      taskArguments: ['a', 'b'],
      origin: 'api',
      author: 'admin',
      jobId: 'j1',
      idempotencyKey: '',
      secret: '',
      caller: undefined,
    })
    expect(job).toMatchObject({
      id: 'j1',
      customer: 'acme',
      taskId: 't1',
      taskArgumentsValues: ['a', 'b'],
      lifecycle: 'ready',
      creationDate: new Date('2024-01-02T03:04:05.000Z'),
    })
  })

  it('turns a thrown AppError back into an AppError with the same code', async () => {
    const error: unknown = await client.getJob({ customer: 'acme', jobId: 'nope' }).catch((e: unknown) => e)
    expect(isAppError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, message: 'job nope not found' })
  })

  it('answers INTERNAL for other errors without leaking them', async () => {
    const error: unknown = await client
      .listJobs({
        customer: 'acme',
        taskId: '',
        lifecycle: '',
        state: '',
        hostId: '',
        limit: 10,
        visibleTasks: undefined,
        origin: '',
        createdAfter: undefined,
        createdBefore: undefined,
        after: undefined,
      })
      .catch((e: unknown) => e)
    expect(isAppError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'INTERNAL', message: 'internal error' })
    expect(JSON.stringify(error)).not.toContain('/srv/secret')
  })

  it('fails with TIMEOUT when the deadline passes', async () => {
    const error: unknown = await client
      .cancelJob({ customer: 'acme', jobId: 'j1', reason: 'slow', author: 'test' }, { deadlineMs: 50 })
      .catch((e: unknown) => e)
    releaseCancel()
    expect(error).toMatchObject({ code: 'TIMEOUT' })
  })

  it('shares one trace between the client and the server span', async () => {
    collector.reset()
    const traceId = await withSpan('gateway request', {}, async (span) => {
      await client.runTask({
        customer: 'acme',
        taskId: 't1',
        taskArguments: [],
        origin: '',
        author: '',
        jobId: 'j2',
        idempotencyKey: '',
        secret: '',
        caller: undefined,
      })
      return span.spanContext().traceId
    })
    const name = 'rpc taskforge.jobs.v1.JobSchedulerService/RunTask'
    const spans = collector.spans().filter((span) => span.name === name)
    const clientSpan = spans.find((span) => span.kind === SpanKind.CLIENT)
    const serverSpan = spans.find((span) => span.kind === SpanKind.SERVER)
    expect(clientSpan?.spanContext().traceId).toBe(traceId)
    expect(serverSpan?.spanContext().traceId).toBe(traceId)
    expect(serverSpan?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId)
    expect(serverSpan?.attributes['rpc.method']).toBe('RunTask')
  })

  it('fails with UNAVAILABLE when no server listens', async () => {
    const nowhere = createClient(JobSchedulerServiceClient, `http://127.0.0.1:${await unusedPort()}`, {
      credential: auth.gateway!.credential,
    })
    try {
      const error: unknown = await nowhere.getJob({ customer: 'acme', jobId: 'j1' }).catch((e: unknown) => e)
      expect(isAppError(error)).toBe(true)
      expect(error).toMatchObject({ code: 'UNAVAILABLE' })
    } finally {
      nowhere.close()
    }
  })
})

describe('service credentials', () => {
  const runTask = {
    customer: 'acme',
    taskId: 't1',
    taskArguments: [],
    origin: 'api',
    author: 'admin',
    jobId: 'j3',
    idempotencyKey: '',
    secret: '',
    caller: undefined,
  }

  /** A call through the generated client alone, with `authorization` set to `presented` (if any). */
  async function rawCall(presented?: string): Promise<ServiceError | undefined> {
    const raw = new JobSchedulerServiceClient(`127.0.0.1:${port}`, credentials.createInsecure())
    try {
      const metadata = new Metadata()
      if (presented !== undefined) metadata.set('authorization', presented)
      return await new Promise((resolve) => {
        raw.runTask(runTask, metadata, (error) => resolve(error ?? undefined))
      })
    } finally {
      raw.close()
    }
  }

  it('refuses a call without a credential, or with a wrong one, UNAUTHENTICATED before its handler runs', async () => {
    const before = handled
    const stranger = createGrpcAuth(['gateway']).gateway!.credential
    for (const presented of [
      undefined,
      '',
      'Bearer',
      `Bearer ${stranger}`,
      stranger,
      'Bearer gateway.short',
    ]) {
      const error = await rawCall(presented)
      expect(error?.code, String(presented)).toBe(status.UNAUTHENTICATED)
    }
    expect(await rawCall(`Bearer ${auth.gateway!.credential}`)).toBeUndefined()
    expect(handled).toBe(before + 1)
  })

  it('refuses a valid credential of a service this server takes no calls from, PERMISSION_DENIED', async () => {
    const error = await rawCall(`Bearer ${auth['webhook-relay']!.credential}`)
    expect(error?.code).toBe(status.PERMISSION_DENIED)
  })

  it('answers the refusal as an AppError that says the deployment is at fault, not the public caller', async () => {
    const impostor = createClient(JobSchedulerServiceClient, `127.0.0.1:${port}`, {
      credential: createGrpcAuth(['gateway']).gateway!.credential,
    })
    try {
      const error: unknown = await impostor.runTask(runTask).catch((e: unknown) => e)
      expect(isAppError(error)).toBe(true)
      expect(error).toMatchObject({ code: 'SERVICE_UNAUTHENTICATED', httpStatus: 500, nonRetryable: true })
    } finally {
      impostor.close()
    }
  })
})
