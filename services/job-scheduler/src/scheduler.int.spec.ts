import type { Server } from '@grpc/grpc-js'
import { Bus, Streams, subjects } from '@taskforge/bus'
import { type AppError, isAppError, newId, notFound } from '@taskforge/core'
import { BotReport, type DeepPartial } from '@taskforge/proto/bots/v1/protocol'
import { TaskCatalogServiceService } from '@taskforge/proto/catalog/v1/catalog_service'
import { Script, Task, TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import type { Job } from '@taskforge/proto/jobs/v1/model'
import { JobSchedulerServiceClient } from '@taskforge/proto/jobs/v1/scheduler_service'
import {
  addService,
  createClient,
  createGrpcServer,
  type PromiseClient,
  startGrpcServer,
  stopGrpcServer,
} from '@taskforge/rpc'
import { type NatsServer, startNats, testDatabase, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningScheduler, startScheduler } from './main.js'
import { REPORTS_DURABLE } from './reports/reports-consumer.js'

const customer = 'acme'
const botId = newId()
const script = Script.fromPartial({
  id: newId(),
  customer,
  version: 1,
  filename: 'hello.sh',
  content: Buffer.from('echo hello'),
})
const task = Task.fromPartial({
  id: newId(),
  customer,
  version: 3,
  definition: TaskDefinition.fromPartial({
    name: 'hello',
    hostId: botId,
    scriptId: script.id,
    runAs: 'bash %script%',
    timeout: 60,
    env: { GREETING: 'hi' },
    taskArguments: [
      { order: 1, type: 'input', label: 'who', required: true },
      { order: 0, type: 'fixed', label: 'mode', value: '--loud' },
    ],
  }),
})

/**
 * Stands in for task-catalog, which another service owns: the scheduler only queries GetTask and
 * GetScript, so a real gRPC server answering those two is the honest boundary for this test.
 */
async function startFakeCatalog(): Promise<{ server: Server; port: number }> {
  const server = createGrpcServer()
  const unimplemented = async (): Promise<never> => {
    throw new Error('not part of this fake')
  }
  addService(server, TaskCatalogServiceService, {
    async getTask(request) {
      if (request.customer !== customer || request.taskId !== task.id) throw notFound('task', request.taskId)
      return { task }
    },
    async getScript(request) {
      if (request.customer !== customer || request.scriptId !== script.id)
        throw notFound('script', request.scriptId)
      return { script }
    },
    createScript: unimplemented,
    listScripts: unimplemented,
    createTask: unimplemented,
    listTasks: unimplemented,
  })
  return { server, port: await startGrpcServer(server, 0, '127.0.0.1') }
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (isAppError(error)) return error
    throw error
  }
  throw new Error('expected the call to fail')
}

describe('job-scheduler', () => {
  let nats: NatsServer
  let catalog: { server: Server; port: number }
  let scheduler: RunningScheduler
  let client: PromiseClient<JobSchedulerServiceClient> & { close(): void }
  let bot: Bus

  beforeAll(async () => {
    nats = await startNats()
    catalog = await startFakeCatalog()
    scheduler = await startScheduler(
      {
        databaseUrl: await testDatabase(),
        natsUrl: nats.url,
        grpcPort: 0,
        healthPort: 0,
        catalogGrpcUrl: `127.0.0.1:${catalog.port}`,
      },
      { handleProcessEvents: false, telemetry: false },
    )
    client = createClient(JobSchedulerServiceClient, `127.0.0.1:${scheduler.grpcPort}`)
    bot = await Bus.connect({ servers: nats.url, name: 'test-bot' })
  })

  afterAll(async () => {
    client?.close()
    await bot?.close()
    await scheduler?.stop()
    if (catalog) await stopGrpcServer(catalog.server, 1_000)
    await nats?.stop()
  })

  const run = (args: string[] = ['world'], jobId = '') =>
    client.runTask({ customer, taskId: task.id, taskArguments: args, origin: 'api', author: 'ops', jobId })

  let reportSeq = 0
  async function report(
    fields: DeepPartial<BotReport>,
    options: { subjectBot?: string; msgId?: string } = {},
  ) {
    const message = BotReport.fromPartial({
      reportId: newId(),
      botId,
      customer,
      sentAt: new Date(),
      ...fields,
    })
    await bot.publish(subjects.report(options.subjectBot ?? botId), BotReport.encode(message).finish(), {
      msgId: options.msgId ?? `test-${reportSeq++}`,
    })
    return message
  }

  /** Every report published so far has been handled (acked or terminated) by the scheduler. */
  async function reportsSettled(): Promise<void> {
    const stream = await bot.jsm.streams.info(Streams.REPORTS.name)
    await waitUntil(
      async () => {
        const info = await bot.jsm.consumers.info(Streams.REPORTS.name, REPORTS_DURABLE)
        return info.ack_floor.stream_seq >= stream.state.last_seq && info.num_ack_pending === 0
      },
      { timeoutMs: 30_000, message: 'reports consumer did not catch up' },
    )
  }

  const getJob = async (jobId: string): Promise<Job> => (await client.getJob({ customer, jobId })).job!

  it('runs a task: the job is queued and assigned to the task host, with its argv and a snapshot', async () => {
    const { job } = await run()
    expect(job).toMatchObject({
      customer,
      taskId: task.id,
      name: 'hello',
      hostId: botId,
      lifecycle: 'assigned',
      state: 'in_progress',
      taskArgumentsValues: ['--loud', 'world'],
      origin: 'api',
      author: 'ops',
      version: 2,
    })
    expect(job?.creationDate).toBeInstanceOf(Date)
    expect(await getJob(job!.id)).toEqual(job)
  })

  it('answers the same job when a run is retried with its job id', async () => {
    const jobId = newId()
    const first = await run(['again'], jobId)
    const second = await run(['again'], jobId)
    expect(second.job).toEqual(first.job)
    expect(first.job?.id).toBe(jobId)
  })

  it('propagates NOT_FOUND from the catalog and refuses bad arguments', async () => {
    expect(
      (
        await failure(
          client.runTask({ customer, taskId: newId(), taskArguments: [], origin: '', author: '', jobId: '' }),
        )
      ).code,
    ).toBe('NOT_FOUND')
    expect(
      (
        await failure(
          client.runTask({
            customer: 'other',
            taskId: task.id,
            taskArguments: ['x'],
            origin: '',
            author: '',
            jobId: '',
          }),
        )
      ).code,
    ).toBe('NOT_FOUND')
    const missing = await failure(run([]))
    expect(missing.code).toBe('VALIDATION_FAILED')
    expect(missing.message).toContain('who')
    expect((await failure(run(['a', 'b']))).code).toBe('VALIDATION_FAILED')
    expect((await failure(getJob(newId()))).code).toBe('NOT_FOUND')
  })

  it('applies bot reports: started, output, finished with output and result', async () => {
    const { job } = await run()
    const jobId = job!.id
    await report({ jobId, report: { $case: 'started', value: { pid: 4242, startedAt: new Date() } } })
    await report({ jobId, report: { $case: 'output', value: { seq: 0, stream: 'stdout', text: 'hello\n' } } })
    await report({
      jobId,
      report: {
        $case: 'finished',
        value: {
          state: 'success',
          result: { code: 0, lastline: 'hello', log: 'hello\n' },
          output: ['hello'],
        },
      },
    })
    const finished = await waitUntil(async () => {
      const current = await getJob(jobId)
      return current.lifecycle === 'finished' ? current : false
    })
    expect(finished).toMatchObject({ lifecycle: 'finished', state: 'success', output: ['hello'], version: 5 })
    expect(finished.result).toMatchObject({ code: 0, lastline: 'hello', log: 'hello\n' })
  })

  it('applies a report delivered twice only once', async () => {
    const { job } = await run()
    const jobId = job!.id
    const output = await report({
      jobId,
      report: { $case: 'output', value: { seq: 0, stream: 'stdout', text: 'once\n' } },
    })
    // Same report id, another JetStream message id: only the inbox can tell it is a repeat.
    await report({ ...output }, { msgId: 'redelivered-output' })
    await report({ ...output }, { msgId: 'redelivered-output-again' })
    await reportsSettled()
    const current = await getJob(jobId)
    expect(current.result?.log).toBe('once\n')
    expect(current.version).toBe(3)
  })

  it('ignores reports from a bot the job is not assigned to, or sent on another bot subject', async () => {
    const { job } = await run()
    const jobId = job!.id
    const intruder = newId()
    await report(
      { jobId, botId: intruder, report: { $case: 'started', value: { pid: 1 } } },
      { subjectBot: intruder },
    )
    await report(
      { jobId, report: { $case: 'finished', value: { state: 'failure' } } },
      { subjectBot: intruder },
    )
    await report(
      { jobId, botId: intruder, report: { $case: 'finished', value: { state: 'failure' } } },
      { subjectBot: intruder },
    )
    await reportsSettled()
    expect(await getJob(jobId)).toMatchObject({ lifecycle: 'assigned', state: 'in_progress', version: 2 })
  })

  it('lists jobs newest first with filters, and cancels a job not yet started', async () => {
    const older = (await run(['one'])).job!
    const newer = (await run(['two'])).job!
    const { jobs } = await client.listJobs({
      customer,
      taskId: task.id,
      lifecycle: 'assigned',
      state: '',
      hostId: botId,
      limit: 0,
    })
    const ids = jobs.map((job) => job.id)
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id))
    expect(ids.indexOf(older.id)).toBeGreaterThanOrEqual(0)
    expect(
      (await client.listJobs({ customer, taskId: '', lifecycle: '', state: '', hostId: '', limit: 1 })).jobs,
    ).toHaveLength(1)
    expect(
      (
        await client.listJobs({
          customer: 'other',
          taskId: '',
          lifecycle: '',
          state: '',
          hostId: '',
          limit: 0,
        })
      ).jobs,
    ).toEqual([])

    const { job: canceled } = await client.cancelJob({ customer, jobId: older.id, reason: 'not needed' })
    expect(canceled).toMatchObject({ id: older.id, lifecycle: 'canceled', state: 'canceled' })
    expect((await failure(client.cancelJob({ customer, jobId: older.id, reason: '' }))).code).toBe(
      'INVALID_STATE',
    )
    expect((await failure(client.cancelJob({ customer: 'other', jobId: newer.id, reason: '' }))).code).toBe(
      'NOT_FOUND',
    )
    const filtered = await client.listJobs({
      customer,
      taskId: '',
      lifecycle: 'canceled',
      state: 'canceled',
      hostId: '',
      limit: 0,
    })
    expect(filtered.jobs.map((job) => job.id)).toContain(older.id)
    expect(filtered.jobs.map((job) => job.id)).not.toContain(newer.id)
  })
})
