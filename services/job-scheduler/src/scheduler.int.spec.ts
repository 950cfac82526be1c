import type { Server } from '@grpc/grpc-js'
import { Bus, decodeEnvelope, Streams, type Subscription, subjects } from '@taskforge/bus'
import { type AppError, contentSha256, isAppError, Limits, newId, notFound } from '@taskforge/core'
import { createDb, EventStore } from '@taskforge/event-store'
import { BotReport, type DeepPartial, Heartbeat } from '@taskforge/proto/bots/v1/protocol'
import { TaskCatalogServiceService } from '@taskforge/proto/catalog/v1/catalog_service'
import { Script, Task, TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import type { Job } from '@taskforge/proto/jobs/v1/model'
import { JobSchedulerServiceClient, type ListJobsRequest } from '@taskforge/proto/jobs/v1/scheduler_service'
import { Durables } from '@taskforge/protocol'
import {
  type AsyncImpl,
  addService,
  createClient,
  createGrpcServer,
  type PromiseClient,
  startGrpcServer,
  stopGrpcServer,
} from '@taskforge/rpc'
import { type NatsServer, startNats, testDatabase, testGrpcAuth, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forgetExpiredRunKeys } from './app/run-keys.js'
import { type RunningScheduler, startScheduler } from './main.js'
import { consumeReports } from './reports/reports-consumer.js'

/** Every service's gRPC identity; the tests call as the gateway. */
const auth = await testGrpcAuth()
const asGateway = { credential: auth.of('gateway').credential }

const customer = 'acme'
/** Short, so that a job left without heartbeats ends within the test. */
const LEASE_MS = 1_500
const botId = newId()
const script = Script.fromPartial({
  id: newId(),
  customer,
  version: 1,
  filename: 'hello.sh',
  // As GetTaskToRun answers it: the content stays in the catalog, the job names it by hash.
  contentSha256: contentSha256(Buffer.from('echo hello')),
  contentSize: 10,
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
    multitasking: true,
    env: { GREETING: 'hi' },
    taskArguments: [
      { order: 1, type: 'input', label: 'who', required: true },
      { order: 0, type: 'fixed', label: 'mode', value: '--loud' },
    ],
  }),
})

/** A task whose jobs run one at a time, in order. */
const serialTask = Task.fromPartial({
  id: newId(),
  customer,
  version: 1,
  definition: TaskDefinition.fromPartial({
    name: 'serial',
    hostId: botId,
    scriptId: script.id,
    timeout: 60,
    multitasking: false,
  }),
})
const tasks = new Map([task, serialTask].map((t) => [t.id, t]))

/**
 * Stands in for task-catalog, which another service owns: the scheduler only queries GetTaskToRun,
 * so a real gRPC server answering it is the honest boundary for this test.
 */
async function startFakeCatalog(): Promise<{ server: Server; port: number }> {
  const server = createGrpcServer({ auth: auth.of('task-catalog'), callers: ['job-scheduler'] })
  const unimplemented = async (): Promise<never> => {
    throw new Error('not part of this fake')
  }
  // Every other method fails: the scheduler must not need it (and methods added later are covered).
  const rest = Object.fromEntries(
    Object.keys(TaskCatalogServiceService).map((method) => [method, unimplemented]),
  ) as unknown as AsyncImpl<typeof TaskCatalogServiceService>
  addService(server, TaskCatalogServiceService, {
    ...rest,
    async getTaskToRun(request) {
      const found = tasks.get(request.taskId)
      if (request.customer !== customer || found === undefined) throw notFound('task', request.taskId)
      return { task: found, script: found.definition?.scriptId === script.id ? script : undefined }
    },
    async getTasksToRun(request) {
      return {
        tasks: request.tasks.map((asked) => {
          const found = asked.customer === customer ? tasks.get(asked.taskId) : undefined
          return {
            task: found,
            script: found?.definition?.scriptId === script.id ? script : undefined,
          }
        }),
      }
    },
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
  let databaseUrl: string
  /** ListJobs, with no restriction to visible tasks, origin, time range or cursor unless given. */
  const listJobs = (
    request: Omit<ListJobsRequest, 'visibleTasks' | 'origin' | 'createdAfter' | 'createdBefore' | 'after'> &
      Partial<ListJobsRequest>,
  ) =>
    client.listJobs({
      visibleTasks: undefined,
      origin: '',
      createdAfter: undefined,
      createdBefore: undefined,
      after: undefined,
      ...request,
    })

  beforeAll(async () => {
    nats = await startNats()
    catalog = await startFakeCatalog()
    databaseUrl = await testDatabase()
    scheduler = await startScheduler(
      {
        databaseUrl,
        natsUrl: nats.url,
        grpcPort: 0,
        grpcHost: '127.0.0.1',
        healthPort: 0,
        healthHost: '127.0.0.1',
        grpcAuthFile: auth.file('job-scheduler'),
        catalogGrpcUrl: `127.0.0.1:${catalog.port}`,
        // The fake catalog announces none of its changes on `cache.catalog`: every run reads it.
        taskCacheTtlMs: 0,
        taskCacheMaxBytes: 0,
        jobLeaseMs: LEASE_MS,
        leaseSweepIntervalMs: 100,
        maxQueuedJobsPerTask: 1000,
        maxQueuedJobsPerOrganization: 10000,
        maxSchedulesPerOrganization: 1000,
        scheduleTimerMaxSleepMs: 1000,
        scheduleTimerConcurrency: 4,
        scheduleTimerBurst: 64,
        reportsPerBot: 400,
      },
      { handleProcessEvents: false, telemetry: false },
    )
    client = createClient(JobSchedulerServiceClient, `127.0.0.1:${scheduler.grpcPort}`, asGateway)
    bot = await Bus.connect({ servers: nats.url, name: 'test-bot' })
  })

  afterAll(async () => {
    client?.close()
    await bot?.close()
    await scheduler?.stop()
    if (catalog) await stopGrpcServer(catalog.server, 1_000)
    await nats?.stop()
  })

  const run = (args: string[] = ['world'], jobId = '', idempotencyKey = '', taskId = task.id) =>
    client.runTask({
      customer,
      taskId,
      taskArguments: args,
      origin: 'api',
      author: 'ops',
      jobId,
      idempotencyKey,
      secret: '',
      caller: undefined,
    })

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
        const info = await bot.jsm.consumers.info(Streams.REPORTS.name, Durables.reports)
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

    // The job's events name the script by its content's hash; they do not carry the content.
    const store = new EventStore(createDb(databaseUrl))
    try {
      const specs = (await store.readStream(job!.id)).events.map((stored) => {
        const event = JobEvent.decode(stored.data).event
        return event?.$case === 'queued' || event?.$case === 'assigned' ? event.value.spec : undefined
      })
      expect(specs).toHaveLength(2)
      for (const spec of specs) {
        expect(spec).toMatchObject({
          scriptFilename: 'hello.sh',
          scriptSha256: script.contentSha256,
          scriptSize: 10,
        })
        expect(spec?.scriptContent).toHaveLength(0)
      }
    } finally {
      await store.db.destroy()
    }
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
          client.runTask({
            customer,
            taskId: newId(),
            taskArguments: [],
            origin: '',
            author: '',
            jobId: '',
            idempotencyKey: '',
            secret: '',
            caller: undefined,
          }),
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
            idempotencyKey: '',
            secret: '',
            caller: undefined,
          }),
        )
      ).code,
    ).toBe('NOT_FOUND')
    const missing = await failure(run([]))
    expect(missing.code).toBe('VALIDATION_FAILED')
    expect(missing.message).toContain('who')
    expect((await failure(run(['a', 'b']))).code).toBe('VALIDATION_FAILED')
    // Sizes are checked here too, not only at the gateway.
    const limit = Limits.taskArgument.value
    expect(await failure(run([`é${'x'.repeat(limit - 1)}`]))).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: `task_arguments[0] is ${limit + 1} bytes; the limit is ${limit} bytes (task argument size)`,
    })
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

  it('keeps whatever text a bot reports out of the read models as well-formed text, and goes on', async () => {
    const { job } = await run()
    const jobId = job!.id
    const printed = Buffer.from([0x61, 0x00, 0x62, 0xff, 0x0a])
    await report({ jobId, report: { $case: 'started', value: { pid: 4242, startedAt: new Date() } } })
    // What a bot that does not decode output well might send: NUL and a lone surrogate.
    await report({
      jobId,
      report: {
        $case: 'output',
        value: { seq: 1, stream: 'stdout', text: 'a\u0000b\ud800\n', data: printed },
      },
    })
    await report({
      jobId,
      report: { $case: 'output', value: { seq: 2, stream: 'stderr', text: 'old bot\n' } },
    })
    await report({
      jobId,
      report: {
        $case: 'finished',
        value: {
          state: 'success',
          result: { code: 0, lastline: 'a\u0000b', log: 'a\u0000b\ud800\n' },
          output: ['a\u0000b\udc00'],
        },
      },
    })
    const finished = await waitUntil(async () => {
      const current = await getJob(jobId)
      return current.lifecycle === 'finished' ? current : false
    })
    expect(finished.output).toEqual(['a\ufffdb\ufffd'])
    expect(finished.result).toMatchObject({ lastline: 'a\ufffdb', log: 'a\ufffdb\ufffd\nold bot\n' })
    const readLog = async (raw: boolean) => {
      for (;;) {
        const page = await client.getJobLog({ customer, jobId, afterSeq: -1, waitMs: 5_000, raw })
        if (page.done) return page.chunks
      }
    }
    expect((await readLog(false)).map((chunk) => chunk.text).join('')).toBe('a\ufffdb\ufffd\nold bot\n')
    // Raw: the bytes the bot sent, and the text's UTF-8 where it sent none.
    const raw = await readLog(true)
    expect(raw.every((chunk) => chunk.text === '')).toBe(true)
    expect(Buffer.concat(raw.map((chunk) => chunk.data))).toEqual(
      Buffer.concat([printed, Buffer.from('old bot\n')]),
    )
    // The next job is applied as ever.
    const next = (await run()).job!.id
    await report({ jobId: next, report: { $case: 'started', value: { pid: 4243, startedAt: new Date() } } })
    await waitUntil(async () => (await getJob(next)).version === 3)
  })

  it('applies a report delivered twice only once', async () => {
    const { job } = await run()
    const jobId = job!.id
    const output = await report({
      jobId,
      report: { $case: 'output', value: { seq: 0, stream: 'stdout', text: 'once\n' } },
    })
    // Same report id, another JetStream message id: only the scheduler can tell it is a repeat.
    await report({ ...output }, { msgId: 'redelivered-output' })
    await report({ ...output }, { msgId: 'redelivered-output-again' })
    await reportsSettled()
    const current = await getJob(jobId)
    expect(current.result?.log).toBe('once\n')
    expect(current.version).toBe(3)
  })

  /** A job's reports as a bot numbers them (attempt 1): started, each output, finished. */
  function numberedReports(jobId: string, outputs: string[]): DeepPartial<BotReport>[] {
    const reports: DeepPartial<BotReport>[] = [
      { jobId, report: { $case: 'started', value: { pid: 7, startedAt: new Date() } } },
      ...outputs.map(
        (text, index): DeepPartial<BotReport> => ({
          jobId,
          report: { $case: 'output', value: { seq: index + 1, stream: 'stdout', text } },
        }),
      ),
      { jobId, report: { $case: 'finished', value: { state: 'success', output: outputs } } },
    ]
    return reports.map((fields, index) => ({ ...fields, sequence: index + 1, attempt: 1 }))
  }

  /** The job's events as stored: their case, and the seq of each output. */
  async function storedHistory(store: EventStore, jobId: string): Promise<string[]> {
    const { events } = await store.readStream(jobId)
    return events.map((stored) => {
      const event = JobEvent.decode(stored.data).event
      return event?.$case === 'outputAppended' ? `output ${event.value.seq}` : String(event?.$case)
    })
  }

  it('applies numbered reports in the order the bot sent them, whatever order they arrive in', async () => {
    const store = new EventStore(createDb(databaseUrl))
    try {
      const jobId = (await run()).job!.id
      const reports = numberedReports(jobId, ['one\n', 'two\n'])
      for (const fields of [...reports].reverse()) await report(fields)
      await waitUntil(async () => (await getJob(jobId)).lifecycle === 'finished', { timeoutMs: 30_000 })
      const history = ['queued', 'assigned', 'started', 'output 1', 'output 2', 'finished']
      expect(await storedHistory(store, jobId)).toEqual(history)
      // Delivered again (a bot that lost an acknowledgement): nothing changes.
      for (const fields of reports) await report(fields)
      await reportsSettled()
      expect(await storedHistory(store, jobId)).toEqual(history)
    } finally {
      await store.db.destroy()
    }
  })

  it("applies each job's reports in order while two consumers share the durable", async () => {
    const store = new EventStore(createDb(databaseUrl))
    const replicaBus = await Bus.connect({ servers: nats.url, name: 'second-scheduler' })
    let replica: Subscription | undefined
    try {
      replica = await consumeReports({ store, leaseMs: 60_000, bus: replicaBus })
      const jobIds = await Promise.all(Array.from({ length: 12 }, async () => (await run()).job!.id))
      const outputs = ['a\n', 'b\n', 'c\n']
      // Each job's reports one after the other, as its bot sends them; the jobs all at once.
      await Promise.all(
        jobIds.map(async (jobId) => {
          for (const fields of numberedReports(jobId, outputs)) await report(fields)
        }),
      )
      await reportsSettled()
      for (const jobId of jobIds) {
        expect(await storedHistory(store, jobId)).toEqual([
          'queued',
          'assigned',
          'started',
          'output 1',
          'output 2',
          'output 3',
          'finished',
        ])
      }
    } finally {
      await replica?.stop()
      await replicaBus.close()
      await store.db.destroy()
    }
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
    const { jobs } = await listJobs({
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
      (await listJobs({ customer, taskId: '', lifecycle: '', state: '', hostId: '', limit: 1 })).jobs,
    ).toHaveLength(1)
    expect(
      (
        await listJobs({
          customer: 'other',
          taskId: '',
          lifecycle: '',
          state: '',
          hostId: '',
          limit: 0,
        })
      ).jobs,
    ).toEqual([])
    // Only the tasks the caller may see, before the limit; none seen, no jobs.
    const list = (visibleTasks: { ids: string[] }) =>
      listJobs({ customer, taskId: '', lifecycle: '', state: '', hostId: '', limit: 1, visibleTasks })
    expect((await list({ ids: ['01a25000-0000-7000-8000-000000000000', task.id] })).jobs).toHaveLength(1)
    expect((await list({ ids: ['01a25000-0000-7000-8000-000000000000'] })).jobs).toEqual([])
    expect((await list({ ids: [] })).jobs).toEqual([])

    const { job: canceled } = await client.cancelJob({
      customer,
      jobId: older.id,
      reason: 'not needed',
      author: 'ops',
    })
    expect(canceled).toMatchObject({ id: older.id, lifecycle: 'canceled', state: 'canceled' })
    // The answer is the projection's fold of the stream (decision 11): the same job a GET reads.
    expect(await getJob(older.id)).toEqual(canceled)
    expect(
      (await failure(client.cancelJob({ customer, jobId: older.id, reason: '', author: '' }))).code,
    ).toBe('INVALID_STATE')
    expect(
      (await failure(client.cancelJob({ customer: 'other', jobId: newer.id, reason: '', author: '' }))).code,
    ).toBe('NOT_FOUND')
    const filtered = await listJobs({
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

  const runSerial = () =>
    client.runTask({
      customer,
      taskId: serialTask.id,
      taskArguments: [],
      origin: 'api',
      author: 'ops',
      jobId: '',
      idempotencyKey: '',
      secret: '',
      caller: undefined,
    })
  const start = (jobId: string) => report({ jobId, report: { $case: 'started', value: { pid: 7 } } })
  const finish = (jobId: string, state = 'success') =>
    report({ jobId, report: { $case: 'finished', value: { state, result: { code: 0 } } } })
  const lifecycleOf = async (jobId: string) => (await getJob(jobId)).lifecycle
  const becomes = (jobId: string, lifecycle: string) =>
    waitUntil(async () => (await lifecycleOf(jobId)) === lifecycle, {
      message: `job ${jobId} to be ${lifecycle}`,
    })

  it('runs the jobs of a task without multitasking one at a time, in order', async () => {
    const first = (await runSerial()).job!
    const second = (await runSerial()).job!
    const third = (await runSerial()).job!
    expect([first.lifecycle, second.lifecycle, third.lifecycle]).toEqual(['assigned', 'ready', 'ready'])

    await start(first.id)
    await finish(first.id)
    await becomes(second.id, 'assigned')
    expect(await lifecycleOf(third.id)).toBe('ready')

    // A job of the task canceled before its bot started it hands the turn to the next one.
    await client.cancelJob({ customer, jobId: second.id, reason: 'not needed', author: 'ops' })
    await becomes(third.id, 'assigned')
    const fourth = (await runSerial()).job!
    const fifth = (await runSerial()).job!
    expect([fourth.lifecycle, fifth.lifecycle]).toEqual(['ready', 'ready'])

    const emptied = await client.emptyTaskQueue({ customer, taskId: serialTask.id, author: 'ops' })
    expect(emptied.canceled).toBe(3)
    expect([...emptied.jobIds].sort()).toEqual([third.id, fourth.id, fifth.id].sort())
    for (const job of [third, fourth, fifth]) {
      expect(await getJob(job.id)).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })
    }
    expect((await client.emptyTaskQueue({ customer, taskId: serialTask.id, author: 'ops' })).canceled).toBe(0)
    expect((await runSerial()).job?.lifecycle).toBe('assigned')
  })

  it('empties only the queue: a running job goes on', async () => {
    const running = (await run()).job!
    const waiting = (
      await client.runTask({
        customer,
        taskId: task.id,
        taskArguments: ['x'],
        origin: 'api',
        author: 'ops',
        jobId: '',
        idempotencyKey: '',
        secret: '',
        caller: undefined,
      })
    ).job!
    await start(running.id)
    await waitUntil(async () => (await getJob(running.id)).version >= 3)
    const emptied = await client.emptyTaskQueue({ customer, taskId: task.id, author: 'ops' })
    expect(emptied.jobIds).toContain(waiting.id)
    expect(emptied.jobIds).not.toContain(running.id)
    expect(await lifecycleOf(running.id)).toBe('assigned')
    await finish(running.id)
    await becomes(running.id, 'finished')
  })

  it('ends a running job whose bot went silent, and not one its heartbeats keep alive', async () => {
    const silent = (await run()).job!
    const alive = (await run()).job!
    await start(silent.id)
    await start(alive.id)
    await reportsSettled()
    const beat = () =>
      bot.nc.publish(
        subjects.heartbeat(botId),
        Heartbeat.encode(Heartbeat.fromPartial({ botId, customer, runningJobIds: [alive.id] })).finish(),
      )
    beat()
    const timer = setInterval(beat, 200)
    try {
      const ended = await waitUntil(
        async () => {
          const current = await getJob(silent.id)
          return current.lifecycle === 'terminated' ? current : false
        },
        { message: 'the silent job to end' },
      )
      expect(ended).toMatchObject({ state: 'error' })
      expect(ended.result?.reason).toMatch(/lease expired/)
      // Started together with the silent one: without its heartbeats it would have ended as well.
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS))
      expect(await getJob(alive.id)).toMatchObject({ lifecycle: 'assigned', state: 'in_progress' })
    } finally {
      clearInterval(timer)
    }
    // A late report of the ended job changes nothing.
    await finish(silent.id)
    await reportsSettled()
    expect(await getJob(silent.id)).toMatchObject({ lifecycle: 'terminated', state: 'error' })
    await finish(alive.id)
    await becomes(alive.id, 'finished')
  })

  it('asks the bot to stop a running job, which ends canceled when the bot says so', async () => {
    const cancels = await bot.js.consumers.get(Streams.EVENTS.name, {
      filter_subjects: subjects.event('job', 'cancelRequested'),
    })
    const { job } = await run()
    await start(job!.id)
    await reportsSettled()
    const { job: asked } = await client.cancelJob({
      customer,
      jobId: job!.id,
      reason: 'stop it',
      author: 'ops',
    })
    expect(asked).toMatchObject({ lifecycle: 'assigned', state: 'in_progress' })
    expect(await getJob(job!.id)).toEqual(asked)
    const requested = await waitUntil(async () => {
      const msg = await cancels.next({ expires: 1000 })
      if (msg === null) return false
      const envelope = decodeEnvelope(msg.data)
      return envelope.streamId === job!.id ? envelope : false
    })
    expect(JobEvent.decode(requested.data).event).toEqual({
      $case: 'cancelRequested',
      value: { reason: 'stop it', botId, attempt: 1 },
    })
    await finish(job!.id, 'canceled')
    const { job: ended, done } = await client.waitForJob(
      { customer, jobId: job!.id, timeoutMs: 20_000 },
      { deadlineMs: 30_000 },
    )
    expect(done).toBe(true)
    expect(ended).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })
  })

  it('waits for a job to end and follows its log while it runs', async () => {
    const jobId = (await run()).job!.id
    const early = await client.waitForJob({ customer, jobId, timeoutMs: 100 })
    expect(early.done).toBe(false)
    expect(early.job?.lifecycle).toBe('assigned')
    expect(await client.getJobLog({ customer, jobId, afterSeq: -1, waitMs: 0, raw: false })).toEqual({
      chunks: [],
      done: false,
      truncatedBytes: 0n,
    })

    const waiting = client.waitForJob({ customer, jobId, timeoutMs: 30_000 }, { deadlineMs: 40_000 })
    const firstPage = client.getJobLog(
      { customer, jobId, afterSeq: -1, waitMs: 20_000, raw: false },
      { deadlineMs: 30_000 },
    )
    await start(jobId)
    await report({ jobId, report: { $case: 'output', value: { seq: 1, stream: 'stdout', text: 'one\n' } } })
    const page = await firstPage
    expect(page.done).toBe(false)
    expect(page.chunks.map((chunk) => chunk.text)).toEqual(['one\n'])

    const last = page.chunks.at(-1)!.seq
    const secondPage = client.getJobLog(
      { customer, jobId, afterSeq: last, waitMs: 20_000, raw: false },
      { deadlineMs: 30_000 },
    )
    await report({ jobId, report: { $case: 'output', value: { seq: 2, stream: 'stderr', text: 'two\n' } } })
    await report({
      jobId,
      report: {
        $case: 'finished',
        value: { state: 'failure', result: { code: 3, truncatedBytes: 42n }, output: ['one', 'two'] },
      },
    })
    const next = await secondPage
    expect(next.chunks).toEqual([
      { seq: expect.any(Number), stream: 'stderr', text: 'two\n', data: Buffer.alloc(0) },
    ])
    expect(next.chunks[0]!.seq).toBeGreaterThan(last)

    const { job, done } = await waiting
    expect(done).toBe(true)
    expect(job).toMatchObject({ lifecycle: 'finished', state: 'failure' })
    // The log is its own projection: it may end a moment after the job did. Followed, it ends too.
    let afterSeq = -1
    let text = ''
    for (;;) {
      const page = await client.getJobLog({ customer, jobId, afterSeq, waitMs: 5_000, raw: false })
      text += page.chunks.map((chunk) => chunk.text).join('')
      afterSeq = page.chunks.at(-1)?.seq ?? afterSeq
      if (page.done) {
        expect(page.truncatedBytes).toBe(42n)
        break
      }
    }
    expect(text).toBe('one\ntwo\n')
    expect(
      (await failure(client.getJobLog({ customer: 'other', jobId, afterSeq: -1, waitMs: 0, raw: false })))
        .code,
    ).toBe('NOT_FOUND')
  })

  it('answers a range of lines from the chunks that hold it, right across chunk boundaries', async () => {
    const jobId = (await run()).job!.id
    await start(jobId)
    // Lines that start in one chunk and end in another, a chunk of newlines only, one without any,
    // a blank line, and a last line without its line end.
    const texts = ['a\nb', 'c\n', '\n\n', 'd', 'e', '\nf\r\ng\n', 'h\n\ni']
    const chunksSeen = async () =>
      (await client.getJobLog({ customer, jobId, afterSeq: -1, waitMs: 0, raw: false })).chunks.length
    for (const [i, text] of texts.entries()) {
      await report({ jobId, report: { $case: 'output', value: { seq: i + 1, stream: 'stdout', text } } })
      // Half the chunks are numbered on top of ones already stored, half within one batch.
      if (i % 2 === 1) await waitUntil(async () => (await chunksSeen()) === i + 1)
    }
    await report({
      jobId,
      report: { $case: 'finished', value: { state: 'success', result: { code: 0 }, output: [] } },
    })
    await waitUntil(
      async () => (await client.getJobLog({ customer, jobId, afterSeq: -1, waitMs: 0, raw: false })).done,
    )
    const whole = texts.join('').split('\n')
    expect(whole).toEqual(['a', 'bc', '', '', 'de', 'f\r', 'g', 'h', '', 'i'])
    const total = whole.length
    for (let offset = 0; offset <= total + 1; offset++) {
      for (let limit = 1; limit <= total + 1; limit++) {
        const range = await client.getJobLogLines({ customer, jobId, offset, limit })
        expect(range, `offset ${offset}, limit ${limit}`).toEqual({
          offset: Math.min(offset, total),
          lines: whole.slice(offset, offset + limit),
          totalLines: total,
          done: true,
          truncatedBytes: 0n,
        })
      }
    }
    for (let tail = 0; tail <= total + 1; tail++) {
      const range = await client.getJobLogLines({ customer, jobId, offset: 0, limit: 0, tail })
      expect(range.lines, `tail ${tail}`).toEqual(tail === 0 ? [] : whole.slice(-tail))
      expect(range.offset).toBe(Math.max(0, total - tail))
      expect(range.totalLines).toBe(total)
    }
    const ended = await client.getJobLogLines({ customer, jobId, offset: 0, limit: 1, tail: 3 })
    expect(ended.lines).toEqual(['h', '', 'i'])
    expect(
      (await failure(client.getJobLogLines({ customer: 'other', jobId, offset: 0, limit: 1 }))).code,
    ).toBe('NOT_FOUND')
  })

  describe('runs with an idempotency key', () => {
    /** What each task takes: the multitasking one an argument, the serial one none. */
    const argsOf = (taskId: string) => (taskId === task.id ? ['again'] : [])
    const jobsOf = async (taskId: string) =>
      (await listJobs({ customer, taskId, lifecycle: '', state: '', hostId: '', limit: 1000 })).jobs.length

    it('answers the job of the first run with the key, and creates no other', async () => {
      for (const taskId of [task.id, serialTask.id]) {
        const key = `retry-${newId()}`
        const before = await jobsOf(taskId)
        const first = (await run(argsOf(taskId), '', key, taskId)).job!
        const again = (await run(argsOf(taskId), '', key, taskId)).job!
        expect(again.id).toBe(first.id)
        expect(again.taskArgumentsValues).toEqual(first.taskArgumentsValues)
        expect(await jobsOf(taskId)).toBe(before + 1)
        // Another key, or none, is another run.
        expect((await run(argsOf(taskId), '', `other-${newId()}`, taskId)).job!.id).not.toBe(first.id)
      }
    })

    it('resolves concurrent runs with one key to one job', async () => {
      for (const taskId of [task.id, serialTask.id]) {
        const key = `burst-${newId()}`
        const before = await jobsOf(taskId)
        const jobs = await Promise.all(Array.from({ length: 8 }, () => run(argsOf(taskId), '', key, taskId)))
        expect(new Set(jobs.map(({ job }) => job!.id)).size).toBe(1)
        expect(await jobsOf(taskId)).toBe(before + 1)
      }
    })

    it('refuses a key used for another task, and keys that cannot be one', async () => {
      const key = `task-${newId()}`
      const first = (await run(['one'], '', key)).job!
      const reused = await failure(run([], '', key, serialTask.id))
      expect(reused.code).toBe('CONFLICT')
      expect(reused.message).toContain(task.id)
      for (const bad of [' padded', 'x'.repeat(201), 'tab\there', 'é']) {
        expect((await failure(run(['one'], '', bad))).code).toBe('VALIDATION_FAILED')
      }
      // A key whose run failed names no job: it can be used again.
      const refused = `refused-${newId()}`
      expect((await failure(run([], '', refused))).code).toBe('VALIDATION_FAILED')
      expect((await run(['one'], '', refused)).job!.id).not.toBe(first.id)
    })

    it('forgets a key after 24 hours', async () => {
      const key = `old-${newId()}`
      const first = (await run(['old'], '', key)).job!
      const db = createDb(databaseUrl)
      try {
        await db
          .updateTable('run_keys')
          .set({ created_at: new Date(Date.now() - 25 * 60 * 60 * 1000) })
          .where('key', '=', key)
          .execute()
        const later = (await run(['old'], '', key)).job!
        expect(later.id).not.toBe(first.id)
        expect((await run(['old'], '', key)).job!.id).toBe(later.id)
        await db
          .updateTable('run_keys')
          .set({ created_at: new Date(Date.now() - 25 * 60 * 60 * 1000) })
          .where('key', '=', key)
          .execute()
        expect(await forgetExpiredRunKeys(db)).toBeGreaterThanOrEqual(1)
        expect(await db.selectFrom('run_keys').selectAll().where('key', '=', key).execute()).toEqual([])
      } finally {
        await db.destroy()
      }
    })
  })
})
