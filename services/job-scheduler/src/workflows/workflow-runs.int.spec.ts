import { contentSha256, newId, notFound } from '@taskforge/core'
import { createDb, type Db, EventStore } from '@taskforge/event-store'
import {
  Script,
  Task,
  TaskDefinition,
  type WorkflowDefinition,
  Workflow as WorkflowMessage,
} from '@taskforge/proto/catalog/v1/model'
import { JobResult } from '@taskforge/proto/jobs/v1/model'
import { createLogger } from '@taskforge/telemetry'
import { testDatabase } from '@taskforge/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { executeJobCommand } from '../app/job-command-handler.js'
import { decodeJobEvent } from '../domain/job-events.js'
import { createJobScheduleTable } from '../schedule/job-schedule-table.js'
import { executeRunCommand } from './workflow-run-commands.js'
import { decodeRunEvent } from './workflow-run-events.js'
import type { WorkflowCatalog } from './workflow-run-service.js'
import { WorkflowRunTimers } from './workflow-run-timers.js'
import {
  createWorkflowTables,
  passTurn,
  takeTurn,
  WORKFLOW_RUN_TURNS_TABLE,
  WORKFLOW_RUN_WAKEUPS_TABLE,
  workflowsDb,
} from './workflow-tables.js'
import { keepWorkflow } from './workflow-versions.js'

const customer = 'acme'
const BOT = 'bot-1'
const script = Script.fromPartial({
  id: newId(),
  customer,
  filename: 'run.sh',
  contentSha256: contentSha256(Buffer.from('echo')),
  contentSize: 4,
})
const logger = createLogger('workflow-runs-test')
logger.level = 'silent'

// Runs against a real Postgres: jobs queued through the job command path, their ends brought to the
// run by the wake-ups the job's terminal transaction writes. The catalog is an in-memory stand-in.
describe('workflow runs', () => {
  let db: Db
  let store: EventStore
  const tasks = new Map<string, Task>()
  const catalog: WorkflowCatalog = {
    async getTaskToRun({ taskId }) {
      const found = tasks.get(taskId)
      if (found === undefined) throw notFound('task', taskId)
      return { task: found, script }
    },
    async getTasksToRun() {
      throw new Error('not used')
    },
    async getWorkflow() {
      throw new Error('not used')
    },
  }
  const deps = () => ({
    store,
    leaseMs: 60_000,
    catalog,
    queueQuotas: { perTask: 100_000, perOrganization: 100_000 },
  })
  const replica = (concurrency?: number) =>
    new WorkflowRunTimers({
      ...deps(),
      logger,
      maxSleepMs: 60_000,
      ...(concurrency === undefined ? {} : { concurrency }),
    })

  beforeEach(async () => {
    db = createDb(await testDatabase())
    store = new EventStore(db)
    await store.migrate()
    await createJobScheduleTable(db)
    await createWorkflowTables(db)
  })

  afterEach(async () => {
    await db?.destroy()
  })

  function task(name: string, inputs = 0): string {
    const taskId = newId()
    tasks.set(
      taskId,
      Task.fromPartial({
        id: taskId,
        customer,
        definition: TaskDefinition.fromPartial({
          name,
          hostId: BOT,
          scriptId: script.id,
          multitasking: true,
          taskArguments: Array.from({ length: inputs }, (_, order) => ({
            order,
            type: 'input',
            label: `a${order}`,
          })),
        }),
      }),
    )
    return taskId
  }

  /** A → {B, C} → D, B taking A's first output line. */
  function diamond(): WorkflowDefinition {
    const node = (key: string, inputs = 0) => ({
      key,
      step: { $case: 'taskId' as const, value: task(key, inputs) },
      arguments:
        inputs === 0
          ? []
          : [
              {
                source: {
                  $case: 'from' as const,
                  value: { node: 'a', output: { $case: 'index' as const, value: 0 } },
                },
              },
            ],
      timeout: 0,
      retry: undefined,
      join: 'all',
    })
    return {
      name: 'diamond',
      description: '',
      nodes: [node('a'), node('b', 1), node('c'), node('d')],
      edges: [
        { from: 'a', to: 'b', on: 'success' },
        { from: 'a', to: 'c', on: 'success' },
        { from: 'b', to: 'd', on: 'success' },
        { from: 'c', to: 'd', on: 'success' },
      ],
      start: 'a',
      acls: [],
      env: { SHARED: '1' },
      triggers: [],
      graceTime: 0,
      multitasking: true,
    }
  }

  async function start(definition: WorkflowDefinition, owner = customer) {
    const workflow = WorkflowMessage.fromPartial({ id: newId(), customer: owner, version: 1, definition })
    const runId = newId()
    const result = await store.transaction(async (trx) => {
      await keepWorkflow(trx, workflow)
      return executeRunCommand(
        deps(),
        trx,
        runId,
        {
          type: 'StartRun',
          runId,
          customer: owner,
          workflowId: workflow.id,
          version: 1,
          arguments: [],
          origin: 'api',
          author: 'alice',
          now: new Date(),
        },
        'alice',
        definition,
      )
    })
    return { runId, state: result.state }
  }

  async function runState(runId: string) {
    const { events } = await store.readStream(runId)
    return events.map(decodeRunEvent)
  }

  const liveJob = async (runId: string, key: string) => {
    const events = await runState(runId)
    const started = events.filter((event) => event.$case === 'nodeStarted' && event.value.key === key)
    const last = started.at(-1)
    if (last?.$case !== 'nodeStarted') throw new Error(`node ${key} never started`)
    return last.value.jobId
  }

  async function finish(jobId: string, state: string, output: string[] = []) {
    await executeJobCommand(
      deps(),
      jobId,
      { type: 'RecordStarted', botId: BOT, pid: 1, startedAt: new Date() },
      { author: BOT },
    )
    await executeJobCommand(
      deps(),
      jobId,
      {
        type: 'RecordFinished',
        botId: BOT,
        state,
        result: JobResult.fromPartial({ lastline: output.at(-1) ?? '' }),
        output,
      },
      { author: BOT },
    )
  }

  const started = async (runId: string) =>
    (await runState(runId)).flatMap((event) => (event.$case === 'nodeStarted' ? [event.value.key] : []))

  it('A → {B, C} → D: node jobs are real jobs of the run, D runs once, the run succeeds', async () => {
    const { runId } = await start(diamond())
    const a = await liveJob(runId, 'a')
    const queued = decodeJobEvent((await store.readStream(a)).events[0]!)
    expect(queued).toMatchObject({
      $case: 'queued',
      value: { origin: 'workflow', workflowRunId: runId, workflowNode: 'a', spec: { env: { SHARED: '1' } } },
    })
    await finish(a, 'success', ['v2.0'])
    await replica().fireDue()
    expect(await started(runId)).toEqual(['a', 'b', 'c'])
    const b = await liveJob(runId, 'b')
    expect(decodeJobEvent((await store.readStream(b)).events[0]!)).toMatchObject({
      value: { taskArgumentsValues: ['v2.0'] },
    })
    await finish(b, 'success')
    await replica().fireDue()
    expect(await started(runId)).toEqual(['a', 'b', 'c'])
    await finish(await liveJob(runId, 'c'), 'success')
    await replica().fireDue()
    expect(await started(runId)).toEqual(['a', 'b', 'c', 'd'])
    await finish(await liveJob(runId, 'd'), 'success')
    await replica().fireDue()
    expect((await runState(runId)).at(-1)).toMatchObject({ $case: 'ended', value: { state: 'success' } })
    expect(await workflowsDb(db).selectFrom(WORKFLOW_RUN_WAKEUPS_TABLE).selectAll().execute()).toEqual([])
  })

  it('a job’s end reaches its run once, with replicas racing for it', async () => {
    const { runId } = await start(diamond())
    await finish(await liveJob(runId, 'a'), 'success', ['x'])
    await Promise.all([replica().fireDue(), replica().fireDue(), replica().fireDue()])
    const events = await runState(runId)
    expect(events.filter((event) => event.$case === 'nodeEnded')).toHaveLength(1)
    expect(await started(runId)).toEqual(['a', 'b', 'c'])
  })

  it('cancel stops every live job of the run; it ends canceled once they ended', async () => {
    const { runId } = await start(diamond())
    await finish(await liveJob(runId, 'a'), 'success', ['x'])
    await replica().fireDue()
    const b = await liveJob(runId, 'b')
    const c = await liveJob(runId, 'c')
    // b is running on its bot; c was never started.
    await executeJobCommand(
      deps(),
      b,
      { type: 'RecordStarted', botId: BOT, pid: 1, startedAt: new Date() },
      { author: BOT },
    )
    await store.transaction((trx) =>
      executeRunCommand(
        deps(),
        trx,
        runId,
        { type: 'CancelRun', customer, reason: 'stop', author: 'bob', now: new Date() },
        'bob',
      ),
    )
    const bEvents = (await store.readStream(b)).events.map(decodeJobEvent)
    const cEvents = (await store.readStream(c)).events.map(decodeJobEvent)
    expect(bEvents.at(-1)?.$case).toBe('cancelRequested')
    expect(cEvents.at(-1)?.$case).toBe('canceled')
    await replica().fireDue()
    expect((await runState(runId)).at(-1)?.$case).not.toBe('ended')
    await executeJobCommand(
      deps(),
      b,
      { type: 'RecordFinished', botId: BOT, state: 'canceled', result: undefined, output: [] },
      { author: BOT },
    )
    await replica().fireDue()
    expect((await runState(runId)).at(-1)).toMatchObject({ $case: 'ended', value: { state: 'canceled' } })
    // Neither a run that is not there nor a job's id names a run.
    for (const id of [newId(), b]) {
      await expect(
        store.transaction((trx) =>
          executeRunCommand(
            deps(),
            trx,
            id,
            { type: 'CancelRun', customer, reason: '', author: 'bob', now: new Date() },
            'bob',
          ),
        ),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    }
  })

  it('runs of one organization do not hold back another’s: their wake-ups are taken in turns', async () => {
    const busy = await Promise.all(Array.from({ length: 5 }, () => start(diamond())))
    const other = await start(diamond(), 'globex')
    // The busy organization's jobs end first; the other's last.
    for (const { runId } of busy) await finish(await liveJob(runId, 'a'), 'success', ['x'])
    await finish(await liveJob(other.runId, 'a'), 'success', ['x'])
    await replica(1).fireDue()
    const endedAt = async (runId: string) => {
      const { events } = await store.readStream(runId)
      return events.find((stored) => stored.type === 'nodeEnded')!.position
    }
    const order = [
      ...(await Promise.all(busy.map(({ runId }) => endedAt(runId)))),
      await endedAt(other.runId),
    ]
    const rank = [...order].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).indexOf(order.at(-1)!)
    expect(rank).toBeLessThanOrEqual(1)
  })

  it('one run at a time: concurrent starts take turns under the workflow’s lock, and each end wakes the oldest waiting run', async () => {
    const workflowId = newId()
    const runs = Array.from({ length: 6 }, () => newId())
    const behind = await Promise.all(
      runs.map((runId) => store.transaction((trx) => takeTurn(trx, { runId, workflowId, customer }))),
    )
    const line = async () =>
      (
        await workflowsDb(db)
          .selectFrom(WORKFLOW_RUN_TURNS_TABLE)
          .select('run_id')
          .where('workflow_id', '=', workflowId)
          .orderBy('queued_at')
          .orderBy('run_id')
          .execute()
      ).map((row) => row.run_id)
    const order = await line()
    expect([...order].sort()).toEqual([...runs].sort())
    const first = order[0]!
    // Exactly one runs now; every other one waits behind it.
    expect(behind.filter((runId) => runId === undefined)).toHaveLength(1)
    expect(runs[behind.indexOf(undefined)]).toBe(first)
    expect(behind.filter((runId) => runId !== undefined).every((runId) => runId === first)).toBe(true)

    const released = async () =>
      (
        await workflowsDb(db)
          .selectFrom(WORKFLOW_RUN_WAKEUPS_TABLE)
          .select('run_id')
          .where('wakeup_id', 'like', 'release:%')
          .execute()
      ).map((row) => row.run_id)
    for (let ended = 0; ended < runs.length; ended++) {
      const [current, next] = await line()
      await store.transaction((trx) => passTurn(trx, current!))
      expect(await released()).toEqual(next === undefined ? [] : [next])
      await workflowsDb(db).deleteFrom(WORKFLOW_RUN_WAKEUPS_TABLE).execute()
    }
    // An end that had no place in the line (a run of a workflow that runs several) wakes nothing.
    await store.transaction((trx) => passTurn(trx, newId()))
    expect(await released()).toEqual([])
    expect(await store.transaction((trx) => takeTurn(trx, { runId: newId(), workflowId, customer }))).toBe(
      undefined,
    )
  })
})
