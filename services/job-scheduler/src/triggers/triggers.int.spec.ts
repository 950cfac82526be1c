import { type Envelope, toEnvelope } from '@taskforge/bus'
import { contentSha256, fold, Limits, newId, notFound } from '@taskforge/core'
import { createDb, type Db, EventStore } from '@taskforge/event-store'
import { TaskEvent, WebhookEvent } from '@taskforge/proto/catalog/v1/events'
import { Script, Task, TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { createLogger } from '@taskforge/telemetry'
import { testDatabase } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executeJobCommand } from '../app/job-command-handler.js'
import { jobDecider } from '../domain/job-decider.js'
import { decodeJobEvent } from '../domain/job-events.js'
import type { TaskCatalog } from '../grpc/scheduler-service.js'
import { createJobScheduleTable } from '../schedule/job-schedule-table.js'
import { HoldTimers } from './hold-timers.js'
import { createHoldTimersTable, HOLD_TIMERS_TABLE } from './hold-timers-table.js'
import { applyTaskEvent, tasksTriggeredBy } from './task-triggers.js'
import { createTaskTriggersTables, TASK_TRIGGER_VERSIONS_TABLE, triggersDb } from './task-triggers-table.js'
import { onJobFinished, onTaskEvent, onWebhookFired } from './trigger-consumers.js'
import type { TriggeredRunsDeps } from './triggered-runs.js'

const customer = 'acme'
const botId = newId()
const script = Script.fromPartial({
  id: newId(),
  customer,
  filename: 'run.sh',
  contentSha256: contentSha256(Buffer.from('echo')),
  contentSize: 4,
})
const logger = createLogger('triggers-test')
logger.level = 'silent'

function task(id: string, fields: Partial<TaskDefinition> = {}): Task {
  return Task.fromPartial({
    id,
    customer,
    version: 1,
    definition: TaskDefinition.fromPartial({
      name: `task ${id}`,
      hostId: botId,
      scriptId: script.id,
      ...fields,
    }),
  })
}

// The scheduler's side of triggers against a real Postgres: the trigger tables fed by task events,
// triggered jobs started from finished jobs and webhook fires, and grace-time timers that outlive the
// process that set them. The catalog is an in-memory stand-in answering GetTaskToRun.
describe('triggers and grace time in the scheduler', () => {
  let db: Db
  let store: EventStore
  const tasks = new Map<string, Task>()
  const catalog: TaskCatalog = {
    async getTaskToRun({ taskId }) {
      const found = tasks.get(taskId)
      if (found === undefined) throw notFound('task', taskId)
      return { task: found, script: found.definition?.scriptId === script.id ? script : undefined }
    },
    async getTasksToRun({ tasks: asked }) {
      return {
        tasks: asked.map(({ taskId }) => {
          const found = tasks.get(taskId)
          return { task: found, script: found?.definition?.scriptId === script.id ? script : undefined }
        }),
      }
    },
  }
  const wakes: Date[] = []
  let deps: TriggeredRunsDeps

  beforeAll(async () => {
    db = createDb(await testDatabase())
    store = new EventStore(db)
    await store.migrate()
    await createJobScheduleTable(db)
    await createTaskTriggersTables(db)
    await createHoldTimersTable(db)
    deps = { store, leaseMs: 60_000, catalog, logger, maxChainDepth: 3, onHoldTimer: (at) => wakes.push(at) }
  })

  afterAll(async () => {
    await db?.destroy()
  })

  /** Declares a task's triggers as the catalog's task events would. */
  async function defineTask(t: Task, version = 1): Promise<void> {
    tasks.set(t.id, t)
    await store.transaction((trx) =>
      applyTaskEvent(trx, {
        taskId: t.id,
        customer,
        version,
        event: {
          $case: version === 1 ? 'created' : 'updated',
          value:
            version === 1
              ? { taskId: t.id, customer, definition: t.definition, secret: '' }
              : { definition: t.definition, changedFields: ['triggers'] },
        } as never,
      }),
    )
  }

  /** Runs a job of `taskId` to its end on the bot, answering the envelope of its `finished` event. */
  async function finishedJob(
    taskId: string,
    output: string[],
    extra: { chain?: { id: string; depth: number; taskIds: string[] } } = {},
  ): Promise<Envelope> {
    const jobId = newId()
    const spec = JobSpec.fromPartial({ taskId, taskName: taskId, hostId: botId, multitasking: true })
    const context = { author: 'test' }
    await executeJobCommand(
      deps,
      jobId,
      {
        type: 'QueueJob',
        jobId,
        customer,
        spec,
        argumentsValues: [],
        origin: 'api',
        now: new Date(),
        ...extra,
      },
      context,
    )
    await executeJobCommand(
      deps,
      jobId,
      { type: 'RecordStarted', botId, pid: 1, startedAt: new Date() },
      context,
    )
    const { appended } = await executeJobCommand(
      deps,
      jobId,
      { type: 'RecordFinished', botId, state: 'success', result: undefined, output },
      context,
    )
    return toEnvelope(appended.find((event) => event.type === 'finished')!)
  }

  /** Jobs the scheduler queued for `taskId`, with their state. */
  async function jobsOf(taskId: string) {
    const rows = await db
      .selectFrom('events')
      .select('stream_id')
      .where('stream_type', '=', 'job')
      .where('type', '=', 'queued')
      .execute()
    const jobs = []
    for (const { stream_id } of rows as { stream_id: string }[]) {
      const { events } = await store.readStream(stream_id)
      const decoded = events.map(decodeJobEvent)
      const queued = decoded[0]
      if (queued?.$case !== 'queued' || queued.value.spec?.taskId !== taskId) continue
      jobs.push({ id: stream_id, queued: queued.value, state: fold(jobDecider, decoded), events: decoded })
    }
    return jobs
  }

  it('keeps who triggers which task from task events, skipping redelivered and older ones', async () => {
    const a = newId()
    const b = newId()
    await defineTask(task(b, { triggers: [{ taskId: a, event: 'success', webhookId: '' }] }))
    expect(await tasksTriggeredBy(db, customer, { kind: 'task', id: a, outcome: 'success' })).toEqual([b])
    await defineTask(task(b, { triggers: [{ taskId: a, event: 'failure', webhookId: '' }] }), 2)
    // A late redelivery of the first version changes nothing.
    await defineTask(task(b, { triggers: [{ taskId: a, event: 'success', webhookId: '' }] }), 1)
    expect(await tasksTriggeredBy(db, customer, { kind: 'task', id: a, outcome: 'success' })).toEqual([])
    expect(await tasksTriggeredBy(db, customer, { kind: 'task', id: a, outcome: 'failure' })).toEqual([b])
    expect(await tasksTriggeredBy(db, 'other', { kind: 'task', id: a, outcome: 'failure' })).toEqual([])
  })

  it('moves only the version for updates that leave the triggers, and replaces them after a gap', async () => {
    const a = newId()
    const b = newId()
    const on = (outcome: string) => tasksTriggeredBy(db, customer, { kind: 'task', id: a, outcome })
    const envelopeOf = (version: number, event: TaskEvent['event']): Envelope =>
      toEnvelope({
        eventId: newId(),
        streamType: 'task',
        streamId: b,
        streamVersion: BigInt(version),
        type: event!.$case,
        data: TaskEvent.encode({ event }).finish(),
        metadata: { customer },
        occurredAt: new Date(),
        transactionId: 1n,
        position: BigInt(version),
      })
    const success = task(b, { triggers: [{ taskId: a, event: 'success', webhookId: '' }] }).definition!
    const failure = task(b, { triggers: [{ taskId: a, event: 'failure', webhookId: '' }] }).definition!
    const updated = (definition: TaskDefinition, changedFields: string[]) =>
      ({ $case: 'updated', value: { definition, changedFields } }) as const
    await onTaskEvent(
      { store },
      envelopeOf(1, {
        $case: 'created',
        value: { taskId: b, customer, definition: success, secret: '', sealedSecret: Buffer.alloc(97, 1) },
      }),
    )
    await onTaskEvent({ store }, envelopeOf(2, updated({ ...success, description: 'x' }, ['description'])))
    await onTaskEvent(
      { store },
      envelopeOf(3, { $case: 'secretRotated', value: { secret: '', sealedSecret: Buffer.alloc(97, 2) } }),
    )
    expect(await on('success')).toEqual([b])
    const version = () =>
      triggersDb(db)
        .selectFrom(TASK_TRIGGER_VERSIONS_TABLE)
        .select('version')
        .where('task_id', '=', b)
        .executeTakeFirst()
    expect(await version()).toEqual({ version: 3 })
    // Version 4 (the triggers' change) never arrived: version 5 carries the whole definition.
    await onTaskEvent({ store }, envelopeOf(5, updated({ ...failure, description: 'y' }, ['description'])))
    expect(await on('success')).toEqual([])
    expect(await on('failure')).toEqual([b])
    // A redelivery of an older update changes nothing.
    await onTaskEvent({ store }, envelopeOf(2, updated({ ...success, description: 'x' }, ['description'])))
    expect(await on('failure')).toEqual([b])
    expect(await version()).toEqual({ version: 5 })
  })

  it('holds a triggered job for its grace time with the output as arguments, once per finished job', async () => {
    const a = newId()
    const b = newId()
    await defineTask(task(a))
    await defineTask(task(b, { graceTime: 3600, triggers: [{ taskId: a, event: 'success', webhookId: '' }] }))
    const finished = await finishedJob(a, ['first line', 'second line'])
    expect(await onJobFinished(deps, finished)).toBe(1)
    // JetStream may deliver the event again: no second job.
    await onJobFinished(deps, finished)
    const [job, ...more] = await jobsOf(b)
    expect(more).toEqual([])
    expect(job?.state).toMatchObject({ lifecycle: 'onhold', argumentsValues: ['first line', 'second line'] })
    expect(job?.queued.origin).toBe(`trigger:task:${a}:${finished.streamId}`)
    expect(job?.queued.chain).toEqual({ id: finished.streamId, depth: 1, taskIds: [a, b] })
    const timer = await db
      .selectFrom(HOLD_TIMERS_TABLE)
      .selectAll()
      .where('job_id', '=', job!.id)
      .executeTakeFirst()
    expect(timer?.due_at.getTime()).toBe(job?.queued.holdUntil?.getTime())
    expect(wakes.at(-1)?.getTime()).toBe(job?.queued.holdUntil?.getTime())
  })

  it('releases jobs whose grace time ran out from a fresh timer process (as after a restart)', async () => {
    const a = newId()
    const b = newId()
    await defineTask(task(a))
    await defineTask(task(b, { graceTime: 1, triggers: [{ taskId: a, event: 'success', webhookId: '' }] }))
    await onJobFinished(deps, await finishedJob(a, ['x']))
    const timers = new HoldTimers({ store, leaseMs: 60_000, logger, maxSleepMs: 60_000 })
    const [held] = await jobsOf(b)
    const due = held!.queued.holdUntil!
    expect(await timers.fireDue(new Date(due.getTime() - 1))).toBe(0)
    expect(await timers.fireDue(due)).toBeGreaterThanOrEqual(1)
    const [released] = await jobsOf(b)
    expect(released?.state).toMatchObject({ lifecycle: 'assigned', botId, argumentsValues: ['x'] })
    expect(released?.events.map((event) => event.$case)).toEqual(['queued', 'holdReleased', 'assigned'])
    const left = await db
      .selectFrom(HOLD_TIMERS_TABLE)
      .select('job_id')
      .where('job_id', '=', released!.id)
      .execute()
    expect(left).toEqual([])
  })

  it('leaves a job canceled while on hold canceled when its timer fires', async () => {
    const a = newId()
    const b = newId()
    await defineTask(task(a))
    await defineTask(task(b, { graceTime: 1, triggers: [{ taskId: a, event: 'success', webhookId: '' }] }))
    await onJobFinished(deps, await finishedJob(a, []))
    const [held] = await jobsOf(b)
    await executeJobCommand(
      deps,
      held!.id,
      { type: 'Cancel', customer, reason: 'not needed' },
      { author: 'ops' },
    )
    const timers = new HoldTimers({ store, leaseMs: 60_000, logger, maxSleepMs: 60_000 })
    await timers.fireDue(new Date(Date.now() + 5_000))
    const [after] = await jobsOf(b)
    expect(after?.state.lifecycle).toBe('canceled')
  })

  it('stops a cycle with a clear reason, as a job canceled at once', async () => {
    const a = newId()
    const b = newId()
    await defineTask(task(a, { triggers: [{ taskId: b, event: 'success', webhookId: '' }] }))
    await defineTask(task(b, { triggers: [{ taskId: a, event: 'success', webhookId: '' }] }))
    await onJobFinished(deps, await finishedJob(a, ['go']))
    const [jobB] = await jobsOf(b)
    expect(jobB?.state.lifecycle).toBe('assigned')
    // B's run ends: it triggers A, which already ran in this chain.
    const chain = jobB!.queued.chain!
    await onJobFinished(deps, await finishedJob(b, ['again'], { chain }))
    const refused = (await jobsOf(a)).find((job) => job.queued.origin.startsWith('trigger:'))
    expect(refused?.state.lifecycle).toBe('canceled')
    const canceled = refused?.events.find((event) => event.$case === 'canceled')
    expect(canceled?.$case === 'canceled' && canceled.value.reason).toBe(
      `trigger cycle stopped: task ${a} already ran in this chain of triggers (${a} → ${b} → ${a})`,
    )
  })

  it('stops a chain deeper than the limit', async () => {
    const ids = [newId(), newId(), newId(), newId(), newId()]
    for (const [index, id] of ids.entries()) {
      const previous = ids[index - 1]
      await defineTask(
        task(id, previous ? { triggers: [{ taskId: previous, event: 'success', webhookId: '' }] } : {}),
      )
    }
    let chain: { id: string; depth: number; taskIds: string[] } | undefined
    for (const [index, id] of ids.slice(0, 4).entries()) {
      await onJobFinished(deps, await finishedJob(id, [], chain === undefined ? {} : { chain }))
      const [next] = await jobsOf(ids[index + 1]!)
      chain = next?.queued.chain
    }
    const [last] = await jobsOf(ids[4]!)
    expect(last?.state.lifecycle).toBe('canceled')
    expect(last?.queued.chain?.depth).toBe(4)
  })

  it('refuses a triggered run whose values are past the argument limits, keeping none of them', async () => {
    const a = newId()
    const b = newId()
    await defineTask(task(a))
    await defineTask(task(b, { triggers: [{ taskId: a, event: 'success', webhookId: '' }] }))
    const limit = Limits.taskArgument.value
    await onJobFinished(deps, await finishedJob(a, ['ok', 'x'.repeat(limit + 1)]))
    const [refused] = await jobsOf(b)
    expect(refused?.state.lifecycle).toBe('canceled')
    expect(refused?.queued.taskArgumentsValues).toEqual([])
    const canceled = refused?.events.find((event) => event.$case === 'canceled')
    expect(canceled?.$case === 'canceled' && canceled.value.reason).toBe(
      `the trigger's values do not fit the task's arguments: the trigger values[1] is ${limit + 1} bytes; the limit is ${limit} bytes (task argument size)`,
    )
  })

  it('starts the tasks an incoming webhook triggers, with its payload as arguments', async () => {
    const webhookId = newId()
    const c = newId()
    await defineTask(task(c, { triggers: [{ taskId: '', event: '', webhookId }] }))
    const fireId = newId()
    const envelope: Envelope = toEnvelope({
      eventId: newId(),
      streamType: 'webhook',
      streamId: webhookId,
      streamVersion: 2n,
      type: 'fired',
      data: WebhookEvent.encode({
        event: { $case: 'fired', value: { fireId, payloadJson: '["alpha","beta"]', firedAt: new Date() } },
      }).finish(),
      metadata: { customer, author: 'webhook' },
      occurredAt: new Date(),
      transactionId: 1n,
      position: 1n,
    })
    expect(await onWebhookFired(deps, envelope)).toBe(1)
    await onWebhookFired(deps, envelope)
    const jobs = await jobsOf(c)
    expect(jobs).toHaveLength(1)
    expect(jobs[0]?.state).toMatchObject({ lifecycle: 'assigned', argumentsValues: ['alpha', 'beta'] })
    expect(jobs[0]?.queued).toMatchObject({
      origin: `trigger:webhook:${webhookId}`,
      chain: { id: fireId, depth: 1, taskIds: [c] },
    })
  })
})
