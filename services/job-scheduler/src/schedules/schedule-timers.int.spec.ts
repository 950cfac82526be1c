import { contentSha256, newId, notFound } from '@taskforge/core'
import { createDb, type Db, EventStore } from '@taskforge/event-store'
import { publicJobOfView } from '@taskforge/model'
import { Script, Task, TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import type { ScheduleSpec } from '@taskforge/proto/jobs/v1/schedules'
import { createLogger } from '@taskforge/telemetry'
import { testDatabase } from '@taskforge/testkit'
import { type Kysely, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { executeJobCommand } from '../app/job-command-handler.js'
import type { TaskCatalog } from '../grpc/scheduler-service.js'
import { jobsProjection, rowToView } from '../projection/jobs-projection.js'
import { JOBS_TABLE, type JobsDatabase } from '../projection/jobs-table.js'
import { createJobScheduleTable } from '../schedule/job-schedule-table.js'
import { executeScheduleCommand, readSchedule } from './schedule-firing.js'
import { createScheduleTables, listFires } from './schedule-tables.js'
import { ScheduleTimers } from './schedule-timers.js'

const customer = 'acme'
const script = Script.fromPartial({
  id: newId(),
  customer,
  filename: 'run.sh',
  contentSha256: contentSha256(Buffer.from('echo')),
  contentSize: 4,
})
const logger = createLogger('schedule-timers-test')
logger.level = 'silent'

// The firing loop against a real Postgres, on a given clock: downtime and replicas racing for the
// same due time. The catalog is an in-memory stand-in answering GetTasksToRun.
describe('schedule timers', () => {
  let db: Db
  let store: EventStore
  const tasks = new Map<string, Task>()
  /** The tasks each catalog call asked for. */
  const catalogCalls: string[][] = []
  const catalog: TaskCatalog = {
    async getTaskToRun({ taskId }) {
      catalogCalls.push([taskId])
      const found = tasks.get(taskId)
      if (found === undefined) throw notFound('task', taskId)
      return { task: found, script }
    },
    async getTasksToRun({ tasks: asked }) {
      catalogCalls.push(asked.map(({ taskId }) => taskId))
      return {
        tasks: asked.map(({ customer: owner, taskId }) => {
          const found = tasks.get(taskId)
          return found?.customer === owner ? { task: found, script } : { task: undefined, script: undefined }
        }),
      }
    },
  }
  const replica = (concurrency?: number) =>
    new ScheduleTimers({
      ...(concurrency === undefined ? {} : { concurrency }),
      store,
      leaseMs: 60_000,
      catalog,
      queueQuotas: { perTask: 100_000, perOrganization: 100_000 },
      logger,
      maxSleepMs: 60_000,
    })

  // A database per test: a clock moved to a later year would fire every earlier test's schedules.
  beforeEach(async () => {
    catalogCalls.length = 0
    db = createDb(await testDatabase())
    store = new EventStore(db)
    await store.migrate()
    await createJobScheduleTable(db)
    await createScheduleTables(db)
  })

  afterEach(async () => {
    await db?.destroy()
  })

  /** A task of the catalog stand-in (by default one that runs jobs side by side, on no bot). */
  function task(owner = customer, definition: Partial<TaskDefinition> = {}): string {
    const taskId = newId()
    tasks.set(
      taskId,
      Task.fromPartial({
        id: taskId,
        customer: owner,
        definition: TaskDefinition.fromPartial({
          name: 'nightly',
          scriptId: script.id,
          multitasking: true,
          ...definition,
        }),
      }),
    )
    return taskId
  }

  async function schedule(
    createdAt: Date,
    spec: Partial<ScheduleSpec>,
    owner = customer,
    taskId = task(owner),
  ): Promise<string> {
    const scheduleId = newId()
    await store.transaction((trx) =>
      executeScheduleCommand(
        store,
        trx,
        scheduleId,
        {
          type: 'CreateSchedule',
          scheduleId,
          customer: owner,
          taskId,
          spec: { cron: '* * * * *', ...spec } as ScheduleSpec,
          now: createdAt,
        },
        'test',
        owner,
      ),
    )
    return scheduleId
  }

  const outcomes = async (scheduleId: string) =>
    (await listFires(db, customer, scheduleId, 1000))
      .reverse()
      .map((fire) => `${fire.scheduled_for.toISOString().slice(11, 16)} ${fire.outcome}`)

  it('after downtime past the window: the latest fire starts late only if inside it, the others are missed', async () => {
    const createdAt = new Date('2030-01-01T00:00:30Z')
    const inside = await schedule(createdAt, { catchupWindowSeconds: 120, overlap: 'allow_all' })
    const outside = await schedule(createdAt, { catchupWindowSeconds: 30 })
    // Down from 00:00:30 until 00:04:45.
    await replica().fireDue(new Date('2030-01-01T00:04:45Z'))
    expect(await outcomes(inside)).toEqual(['00:01 missed', '00:02 missed', '00:03 missed', '00:04 started'])
    expect(await outcomes(outside)).toEqual(['00:01 missed', '00:02 missed', '00:03 missed', '00:04 missed'])
    expect((await readSchedule(store, inside)).fire).toMatchObject({
      runs: 1,
      nextFireAt: new Date('2030-01-01T00:05:00Z'),
    })
    // Up again: the next fire is on time, nothing is replayed.
    await replica().fireDue(new Date('2030-01-01T00:05:00.2Z'))
    expect((await outcomes(inside)).slice(4)).toEqual(['00:05 started'])
  })

  it('replicas racing for the same due times fire each scheduled time once', async () => {
    const createdAt = new Date('2031-01-01T00:00:00.5Z')
    const scheduleId = await schedule(createdAt, { cron: '* * * * * *', overlap: 'allow_all' })
    const replicas = [replica(), replica(), replica()]
    for (let second = 1; second <= 10; second++) {
      const at = new Date(createdAt.getTime() - 500 + second * 1000 + 50)
      await Promise.all(replicas.map((r) => r.fireDue(at)))
    }
    const fires = await outcomes(scheduleId)
    expect(fires).toHaveLength(10)
    expect(fires.every((fire) => fire.endsWith('started'))).toBe(true)
    const rows = await listFires(db, customer, scheduleId, 1000)
    expect(new Set(rows.map((row) => row.scheduled_for.getTime())).size).toBe(10)
    expect(new Set(rows.map((row) => row.job_id)).size).toBe(10)
    expect((await readSchedule(store, scheduleId)).fire.runs).toBe(10)
  })

  it('a job a fire started shows its schedule and the time it was scheduled for in the jobs read model', async () => {
    const createdAt = new Date('2032-01-01T00:00:30Z')
    const scheduleId = await schedule(createdAt, {})
    await replica().fireDue(new Date('2032-01-01T00:01:00.1Z'))
    const [fire] = await listFires(db, customer, scheduleId, 10)
    expect(fire?.outcome).toBe('started')
    const { events } = await store.readStream(fire!.job_id)
    await jobsProjection.setup(db)
    await db.transaction().execute((trx) => jobsProjection.apply(trx, events))
    const row = await (db as unknown as Kysely<JobsDatabase>)
      .selectFrom(JOBS_TABLE)
      .selectAll()
      .where('id', '=', fire!.job_id)
      .executeTakeFirstOrThrow()
    expect(publicJobOfView(rowToView(row))).toMatchObject({
      id: fire!.job_id,
      origin: 'schedule',
      schedule_id: scheduleId,
      scheduled_for: '2032-01-01T00:01:00.000Z',
    })
  })

  it('gives every organization a turn: one with many schedules due at once delays another by one fire', async () => {
    const createdAt = new Date('2033-01-01T00:00:30Z')
    const flood = await Promise.all(
      Array.from({ length: 12 }, () => schedule(createdAt, { overlap: 'allow_all' }, 'flood')),
    )
    const quiet = await schedule(createdAt, {}, 'quiet')
    // One at a time, so that the order of the fires is the order of the turns.
    expect(await replica(1).fireDue(new Date('2033-01-01T00:01:00.1Z'))).toBeGreaterThanOrEqual(13)
    const { rows } = await sql<{ customer: string }>`SELECT customer FROM schedule_fires
      WHERE schedule_id = ANY(${[...flood, quiet]}::text[]) ORDER BY seq`.execute(db)
    expect(rows).toHaveLength(13)
    expect(rows.findIndex((row) => row.customer === 'quiet')).toBeLessThanOrEqual(1)
  })

  it('fires timers due together several at a time, each once', async () => {
    const createdAt = new Date('2034-01-01T00:00:30Z')
    const ids = await Promise.all(Array.from({ length: 16 }, () => schedule(createdAt, {}, 'parallel')))
    await Promise.all([replica(4), replica(4)].map((r) => r.fireDue(new Date('2034-01-01T00:01:00.1Z'))))
    const { rows } = await sql<{ schedule_id: string; outcome: string }>`SELECT schedule_id, outcome
      FROM schedule_fires WHERE schedule_id = ANY(${ids}::text[])`.execute(db)
    expect(rows.map((row) => row.outcome)).toEqual(Array(16).fill('started'))
    expect(new Set(rows.map((row) => row.schedule_id)).size).toBe(16)
  })

  it('buffer_one: the kept fire is not looked at until its job ends, and the end makes it due at once', async () => {
    const createdAt = new Date('2035-01-01T00:00:30Z')
    const scheduleId = await schedule(createdAt, { overlap: 'buffer_one' })
    await replica().fireDue(new Date('2035-01-01T00:01:00.1Z'))
    await replica().fireDue(new Date('2035-01-01T00:02:00.1Z'))
    expect(await outcomes(scheduleId)).toEqual(['00:01 started', '00:02 buffered'])
    const timerRow = () =>
      sql<{ due_at: Date | null; waits_for_job: string | null }>`SELECT due_at, waits_for_job
        FROM schedule_timers WHERE schedule_id = ${scheduleId}`.execute(db)
    const [first] = await listFires(db, customer, scheduleId, 10).then((fires) => fires.reverse())
    // Waiting: due at the next fire only, naming the job it waits for.
    expect((await timerRow()).rows[0]).toEqual({
      due_at: new Date('2035-01-01T00:03:00Z'),
      waits_for_job: first!.job_id,
    })
    await executeJobCommand(
      { store, leaseMs: 60_000 },
      first!.job_id,
      { type: 'Cancel', customer, reason: 'done with it' },
      { author: 'test' },
    )
    const woken = (await timerRow()).rows[0]!
    expect(woken.due_at!.getTime()).toBeLessThanOrEqual(Date.now())
    await replica().fireDue(new Date('2035-01-01T00:02:10Z'))
    expect(await outcomes(scheduleId)).toEqual(['00:01 started', '00:02 started'])
    expect((await timerRow()).rows[0]).toMatchObject({
      due_at: new Date('2035-01-01T00:03:00Z'),
      waits_for_job: null,
    })
  })

  it('fires a burst in one transaction: one catalog read for its tasks, one append for its fires', async () => {
    const createdAt = new Date('2036-01-01T00:00:30Z')
    const ids = [
      ...(await Promise.all(Array.from({ length: 6 }, () => schedule(createdAt, {}, 'burst-a')))),
      ...(await Promise.all(Array.from({ length: 4 }, () => schedule(createdAt, {}, 'burst-b')))),
    ]
    expect(await replica(1).fireDue(new Date('2036-01-01T00:01:00.1Z'))).toBe(10)
    const { rows } = await sql<{ outcome: string }>`SELECT outcome FROM schedule_fires
      WHERE schedule_id = ANY(${ids}::text[])`.execute(db)
    expect(rows.map((row) => row.outcome)).toEqual(Array(10).fill('started'))
    expect(catalogCalls).toHaveLength(1)
    expect(catalogCalls[0]).toHaveLength(10)
    const { rows: appends } = await sql<{
      transactions: string
    }>`SELECT count(DISTINCT transaction_id) AS transactions
      FROM events WHERE stream_id = ANY(${ids}::text[]) AND type = 'fired'`.execute(db)
    expect(Number(appends[0]!.transactions)).toBe(1)
  })

  it('a fire that cannot start is recorded with its reason and the rest of its burst starts', async () => {
    const createdAt = new Date('2037-01-01T00:00:30Z')
    const good = await schedule(createdAt, {})
    const goneTask = task()
    const gone = await schedule(createdAt, {}, customer, goneTask)
    const needsArgument = await schedule(
      createdAt,
      {},
      customer,
      task(customer, {
        taskArguments: [{ order: 0, type: 'input', label: 'target', value: '', required: true, options: [] }],
      }),
    )
    const alsoGood = await schedule(createdAt, {})
    tasks.delete(goneTask)
    expect(await replica(1).fireDue(new Date('2037-01-01T00:01:00.1Z'))).toBe(4)
    expect(await outcomes(good)).toEqual(['00:01 started'])
    expect(await outcomes(alsoGood)).toEqual(['00:01 started'])
    expect(await outcomes(gone)).toEqual(['00:01 failed_to_start'])
    expect(await outcomes(needsArgument)).toEqual(['00:01 failed_to_start'])
    const [refused] = await listFires(db, customer, needsArgument, 1)
    expect(refused?.reason).toContain('target')
    // A task that is gone puts its schedule in error; the one refused keeps going.
    expect((await readSchedule(store, gone)).error).toBe(`task ${goneTask} is gone`)
    expect((await readSchedule(store, needsArgument)).fire.nextFireAt).toEqual(
      new Date('2037-01-01T00:02:00Z'),
    )
  })

  it('a poison fire is set apart: the rest of its burst fires, and it is tried again alone', async () => {
    const createdAt = new Date('2038-01-01T00:00:30Z')
    const ids = await Promise.all(Array.from({ length: 5 }, () => schedule(createdAt, {})))
    const poison = ids[2]!
    // A record of its 00:01 fire exists already: recording it again fails its transaction.
    await sql`INSERT INTO schedule_fires (schedule_id, kind, scheduled_for, customer, outcome, job_id, reason, fired_at)
      VALUES (${poison}, 'schedule', ${new Date('2038-01-01T00:01:00Z')}, ${customer}, 'started', '', 'already', now())`.execute(
      db,
    )
    const at = new Date('2038-01-01T00:01:00.1Z')
    expect(await replica(1).fireDue(at)).toBe(4)
    for (const id of ids.filter((id) => id !== poison)) expect(await outcomes(id)).toEqual(['00:01 started'])
    expect((await listFires(db, customer, poison, 10)).map((fire) => fire.reason)).toEqual(['already'])
    // Not fired, so still due: the next round tries it again, and it fails alone again.
    const { rows } = await sql<{
      due_at: Date
    }>`SELECT due_at FROM schedule_timers WHERE schedule_id = ${poison}`.execute(db)
    expect(rows[0]?.due_at).toEqual(new Date('2038-01-01T00:01:00Z'))
    expect(await replica(1).fireDue(at)).toBe(0)
  })

  it('schedules of one task without multitasking in one burst: its jobs queue one behind the other', async () => {
    const createdAt = new Date('2039-01-01T00:00:30Z')
    const serial = task(customer, { multitasking: false, hostId: 'bot-1' })
    const ids = await Promise.all(
      Array.from({ length: 3 }, () => schedule(createdAt, { overlap: 'allow_all' }, customer, serial)),
    )
    expect(await replica(1).fireDue(new Date('2039-01-01T00:01:00.1Z'))).toBe(3)
    for (const id of ids) expect(await outcomes(id)).toEqual(['00:01 started'])
    const { rows } = await sql<{ phase: string }>`SELECT phase FROM job_schedule WHERE task_id = ${serial}
      ORDER BY phase`.execute(db)
    expect(rows.map((row) => row.phase)).toEqual(['assigned', 'ready', 'ready'])
  })
})
