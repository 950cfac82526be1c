import { newId } from '@taskforge/core'
import { createDb, type Db, EventStore } from '@taskforge/event-store'
import { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { testDatabase } from '@taskforge/testkit'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executeJobCommand, type JobCommandDeps } from '../app/job-command-handler.js'
import { createJobScheduleTable } from '../schedule/job-schedule-table.js'
import { jobsProjection } from './jobs-projection.js'
import { JOBS_TABLE, type JobsDatabase } from './jobs-table.js'

const customer = 'acme'
const botId = newId()

describe('jobs projection', () => {
  let db: Db
  let store: EventStore
  let deps: JobCommandDeps

  beforeAll(async () => {
    db = createDb(await testDatabase())
    store = new EventStore(db)
    await store.migrate()
    await createJobScheduleTable(db)
    await jobsProjection.setup(db)
    deps = { store, leaseMs: 60_000 }
  })

  afterAll(async () => {
    await db?.destroy()
  })

  const apply = (events: Parameters<typeof jobsProjection.apply>[1]) =>
    db.transaction().execute((trx) => jobsProjection.apply(trx, events))
  const rowOf = (jobId: string) =>
    (db as unknown as Kysely<JobsDatabase>)
      .selectFrom(JOBS_TABLE)
      .select(['version', 'lifecycle'])
      .where('id', '=', jobId)
      .executeTakeFirst()

  it('folds a job whose stream starts in the batch, and never takes its row back to an older version', async () => {
    const jobId = newId()
    const spec = JobSpec.fromPartial({ taskId: newId(), taskName: 't', hostId: botId, multitasking: true })
    await executeJobCommand(
      deps,
      jobId,
      { type: 'QueueJob', jobId, customer, spec, argumentsValues: [], origin: 'api', now: new Date() },
      { author: 'test' },
    )
    await executeJobCommand(
      deps,
      jobId,
      { type: 'RecordStarted', botId, pid: 1, startedAt: new Date(), sequence: 1 },
      { author: botId },
    )
    const { events } = await store.readStream(jobId)
    expect(events.map((event) => event.type)).toEqual(['queued', 'assigned', 'started'])
    await apply(events)
    const started = await rowOf(jobId)
    expect(started?.version).toBe(3)
    // The start of the stream again, alone (a replayed batch): the row stays where it is.
    await apply(events.slice(0, 2))
    expect(await rowOf(jobId)).toEqual(started)
    // A later event alone reads the row it continues.
    await executeJobCommand(
      deps,
      jobId,
      { type: 'RecordFinished', botId, state: 'success', result: undefined, output: [], sequence: 2 },
      { author: botId },
    )
    const all = (await store.readStream(jobId)).events
    await apply(all.slice(3))
    expect(await rowOf(jobId)).toEqual({ version: 4, lifecycle: 'finished' })
  })
})
