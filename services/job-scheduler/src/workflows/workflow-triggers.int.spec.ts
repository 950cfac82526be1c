import { type Envelope, toEnvelope } from '@taskforge/bus'
import { contentSha256, newId, notFound } from '@taskforge/core'
import { createDb, type Db, EventStore } from '@taskforge/event-store'
import type { WorkflowEvent } from '@taskforge/proto/catalog/v1/events'
import {
  Script,
  Task,
  TaskDefinition,
  type Workflow,
  WorkflowDefinition,
} from '@taskforge/proto/catalog/v1/model'
import { JobSpec } from '@taskforge/proto/jobs/v1/model'
import type { WorkflowRunEvent } from '@taskforge/proto/jobs/v1/workflow_runs'
import { createLogger } from '@taskforge/telemetry'
import { testDatabase } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executeJobCommand } from '../app/job-command-handler.js'
import { createJobScheduleTable } from '../schedule/job-schedule-table.js'
import { createTaskTriggersTables } from '../triggers/task-triggers-table.js'
import { onJobFinished } from '../triggers/trigger-consumers.js'
import type { TriggeredRunsDeps } from '../triggers/triggered-runs.js'
import { startTriggeredWorkflowRun } from './triggered-workflow-runs.js'
import { decodeRunEvent } from './workflow-run-events.js'
import type { WorkflowCatalog } from './workflow-run-service.js'
import { createWorkflowTables, WORKFLOW_RUN_WAKEUPS_TABLE, workflowsDb } from './workflow-tables.js'
import { applyWorkflowTriggers, workflowsTriggeredBy } from './workflow-triggers.js'

const customer = 'acme'
const BOT = 'bot-1'
const script = Script.fromPartial({
  id: newId(),
  customer,
  filename: 'run.sh',
  contentSha256: contentSha256(Buffer.from('echo')),
  contentSize: 4,
})
const logger = createLogger('workflow-triggers-test')
logger.level = 'silent'

// The scheduler's side of workflow triggers against a real Postgres: the copy of who triggers which
// workflow kept from workflow events, and runs started from finished jobs, once per source event.
// The catalog is an in-memory stand-in answering GetTaskToRun and GetWorkflow.
describe('workflow triggers in the scheduler', () => {
  let db: Db
  let store: EventStore
  const tasks = new Map<string, Task>()
  const workflows = new Map<string, Workflow>()
  const catalog: WorkflowCatalog = {
    async getTaskToRun({ taskId }) {
      const found = tasks.get(taskId)
      if (found === undefined) throw notFound('task', taskId)
      return { task: found, script }
    },
    async getTasksToRun() {
      throw new Error('not used')
    },
    async getWorkflow({ workflowId }) {
      const found = workflows.get(workflowId)
      if (found === undefined) throw notFound('workflow', workflowId)
      return { workflow: found }
    },
  }
  let deps: TriggeredRunsDeps
  const woken: Date[] = []

  beforeAll(async () => {
    db = createDb(await testDatabase())
    store = new EventStore(db)
    await store.migrate()
    await createJobScheduleTable(db)
    await createTaskTriggersTables(db)
    await createWorkflowTables(db)
    const base = { store, leaseMs: 60_000, catalog, logger, maxChainDepth: 5 }
    deps = {
      ...base,
      onHoldTimer: () => {},
      startWorkflowRun: (run) =>
        startTriggeredWorkflowRun(
          {
            ...base,
            queueQuotas: { perTask: 100_000, perOrganization: 100_000 },
            onWoken: (at) => woken.push(at),
          },
          run,
        ),
    }
  })

  afterAll(async () => {
    await db?.destroy()
  })

  function task(): string {
    const id = newId()
    tasks.set(
      id,
      Task.fromPartial({
        id,
        customer,
        definition: TaskDefinition.fromPartial({
          name: id,
          hostId: BOT,
          scriptId: script.id,
          multitasking: true,
        }),
      }),
    )
    return id
  }

  /** A workflow of one node running `nodeTask`, saved as the catalog's workflow events would. */
  async function defineWorkflow(
    nodeTask: string,
    fields: Partial<WorkflowDefinition>,
    version = 1,
    id = newId(),
  ): Promise<string> {
    const definition = WorkflowDefinition.fromPartial({
      name: `wf ${id}`,
      nodes: [{ key: 'n', step: { $case: 'taskId', value: nodeTask }, arguments: [], join: 'all' }],
      edges: [],
      start: 'n',
      multitasking: true,
      ...fields,
    })
    workflows.set(id, { id, customer, version, definition, deleted: false } as unknown as Workflow)
    const event: NonNullable<WorkflowEvent['event']> =
      version === 1
        ? { $case: 'created', value: { workflowId: id, customer, definition, sealedSecret: Buffer.alloc(0) } }
        : { $case: 'updated', value: { version, definition, changedFields: ['triggers'] } }
    await store.transaction((trx) =>
      applyWorkflowTriggers(trx, { workflowId: id, customer, streamVersion: version, event }),
    )
    return id
  }

  /** Runs a job of `taskId` to its success, answering the envelope of its `finished` event. */
  async function finishedJob(taskId: string, output: string[]): Promise<Envelope> {
    const jobId = newId()
    const spec = JobSpec.fromPartial({ taskId, taskName: taskId, hostId: BOT, multitasking: true })
    const context = { author: 'test' }
    await executeJobCommand(
      deps,
      jobId,
      { type: 'QueueJob', jobId, customer, spec, argumentsValues: [], origin: 'api', now: new Date() },
      context,
    )
    await executeJobCommand(
      deps,
      jobId,
      { type: 'RecordStarted', botId: BOT, pid: 1, startedAt: new Date() },
      context,
    )
    const { appended } = await executeJobCommand(
      deps,
      jobId,
      { type: 'RecordFinished', botId: BOT, state: 'success', result: undefined, output },
      context,
    )
    return toEnvelope(appended.find((event) => event.type === 'finished')!)
  }

  /** The runs of `workflowId`, each with its events. */
  async function runsOf(workflowId: string) {
    const rows = await db
      .selectFrom('events')
      .select('stream_id')
      .where('stream_type', '=', 'workflow_run')
      .where('type', '=', 'started')
      .execute()
    const runs: { id: string; events: NonNullable<WorkflowRunEvent['event']>[] }[] = []
    for (const { stream_id } of rows as { stream_id: string }[]) {
      const { events } = await store.readStream(stream_id)
      const decoded = events.map(decodeRunEvent)
      const started = decoded[0]
      if (started?.$case === 'started' && started.value.workflowId === workflowId)
        runs.push({ id: stream_id, events: decoded })
    }
    return runs
  }

  it('keeps who triggers which workflow from its events, skipping older ones and after a deletion', async () => {
    const a = task()
    const id = await defineWorkflow(a, { triggers: [{ taskId: a, event: 'success', webhookId: '' }] })
    expect(await workflowsTriggeredBy(db, customer, { kind: 'task', id: a, outcome: 'success' })).toEqual([
      id,
    ])
    await defineWorkflow(a, { triggers: [{ taskId: a, event: 'failure', webhookId: '' }] }, 2, id)
    // A late redelivery of the first version changes nothing.
    await defineWorkflow(a, { triggers: [{ taskId: a, event: 'success', webhookId: '' }] }, 1, id)
    expect(await workflowsTriggeredBy(db, customer, { kind: 'task', id: a, outcome: 'success' })).toEqual([])
    expect(await workflowsTriggeredBy(db, customer, { kind: 'task', id: a, outcome: 'failure' })).toEqual([
      id,
    ])
    await store.transaction((trx) =>
      applyWorkflowTriggers(trx, {
        workflowId: id,
        customer,
        streamVersion: 3,
        event: { $case: 'deleted', value: {} },
      }),
    )
    expect(await workflowsTriggeredBy(db, customer, { kind: 'task', id: a, outcome: 'failure' })).toEqual([])
  })

  it("starts one run per finished event, redelivered or not, with the job's output as its values", async () => {
    const a = task()
    const id = await defineWorkflow(task(), { triggers: [{ taskId: a, event: 'success', webhookId: '' }] })
    const envelope = await finishedJob(a, ['alpha', 'beta gamma'])
    expect(await onJobFinished(deps, envelope)).toBe(1)
    await onJobFinished(deps, envelope)
    const runs = await runsOf(id)
    expect(runs).toHaveLength(1)
    const [started, nodeStarted] = runs[0]!.events
    expect(started).toMatchObject({
      $case: 'started',
      value: {
        arguments: ['alpha', 'beta gamma'],
        origin: `trigger:task:${a}:${envelope.streamId}`,
        author: 'trigger',
        chain: { id: envelope.streamId, depth: 1, taskIds: [a, id] },
        heldUntil: undefined,
      },
    })
    expect(nodeStarted?.$case).toBe('nodeStarted')
  })

  it('holds a run for the grace time, its release due then', async () => {
    const a = task()
    const id = await defineWorkflow(task(), {
      graceTime: 60,
      triggers: [{ taskId: a, event: 'success', webhookId: '' }],
    })
    await onJobFinished(deps, await finishedJob(a, []))
    const [run] = await runsOf(id)
    expect(run!.events.map((event) => event.$case)).toEqual(['started'])
    const started = run!.events[0]!
    if (started.$case !== 'started') throw new Error('not started')
    expect(started.value.heldReason).toContain("the trigger's grace time")
    const wakeup = await workflowsDb(db)
      .selectFrom(WORKFLOW_RUN_WAKEUPS_TABLE)
      .selectAll()
      .where('wakeup_id', '=', `grace:${run!.id}`)
      .executeTakeFirstOrThrow()
    expect(wakeup.due_at.getTime()).toBe(started.value.heldUntil!.getTime())
    expect(woken.at(-1)?.getTime()).toBe(started.value.heldUntil!.getTime())
  })
})
