import { newId } from '@taskforge/core'
import { createDb, type Db, EventStore } from '@taskforge/event-store'
import { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { testDatabase } from '@taskforge/testkit'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ReportTooEarly } from '../domain/job-decider.js'
import { createJobScheduleTable, JOB_SCHEDULE_TABLE, scheduleDb } from '../schedule/job-schedule-table.js'
import { JobCommandBatches } from './job-command-batches.js'
import { executeJobCommand, executeJobCommands, type JobCommandDeps } from './job-command-handler.js'

const customer = 'acme'
const botId = newId()

describe('job commands in batches', () => {
  let db: Db
  let deps: JobCommandDeps

  beforeAll(async () => {
    db = createDb(await testDatabase())
    const store = new EventStore(db)
    await store.migrate()
    await createJobScheduleTable(db)
    deps = { store, leaseMs: 60_000 }
  })

  afterAll(async () => {
    await db?.destroy()
  })

  /** A job of a task with multitasking, assigned to the bot. */
  async function assignedJob(): Promise<string> {
    const jobId = newId()
    const spec = JobSpec.fromPartial({ taskId: newId(), taskName: 't', hostId: botId, multitasking: true })
    await executeJobCommand(
      deps,
      jobId,
      { type: 'QueueJob', jobId, customer, spec, argumentsValues: [], origin: 'api', now: new Date() },
      { author: 'test' },
    )
    return jobId
  }

  const phaseOf = async (jobId: string) =>
    (
      await scheduleDb(db)
        .selectFrom(JOB_SCHEDULE_TABLE)
        .select('phase')
        .where('job_id', '=', jobId)
        .executeTakeFirst()
    )?.phase

  it('applies the commands of a batch together, a failing decision failing its own command only', async () => {
    const [starting, early, stranger, finishing] = await Promise.all([1, 2, 3, 4].map(() => assignedJob()))
    await executeJobCommand(
      deps,
      finishing!,
      { type: 'RecordStarted', botId, pid: 1, startedAt: new Date(), sequence: 1 },
      { author: botId },
    )
    const outcomes = await executeJobCommands(deps, [
      {
        jobId: starting!,
        command: { type: 'RecordStarted', botId, pid: 1, startedAt: new Date(), sequence: 1 },
        author: botId,
      },
      {
        jobId: early!,
        command: { type: 'RecordOutput', botId, seq: 1, stream: 'stdout', text: 'x', sequence: 2 },
        author: botId,
      },
      {
        jobId: stranger!,
        command: { type: 'RecordStarted', botId: newId(), pid: 1, startedAt: new Date() },
        author: botId,
      },
      {
        jobId: finishing!,
        command: {
          type: 'RecordFinished',
          botId,
          state: 'success',
          result: undefined,
          output: [],
          sequence: 2,
        },
        author: botId,
      },
    ])
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, false, true])
    expect(outcomes[1]).toMatchObject({ ok: false, error: expect.any(ReportTooEarly) })
    expect(outcomes[3]).toMatchObject({ ok: true, result: { state: { lifecycle: 'finished' } } })
    expect(await phaseOf(starting!)).toBe('running')
    expect(await phaseOf(early!)).toBe('assigned')
    expect(await phaseOf(stranger!)).toBe('assigned')
    expect(await phaseOf(finishing!)).toBeUndefined()
  })

  it('holds a batch of new jobs to their queue quotas, counted once: batch-mates count each other', async () => {
    const taskId = newId()
    const spec = JobSpec.fromPartial({ taskId, taskName: 't', hostId: botId, multitasking: true })
    const queue = (organization: string) => {
      const jobId = newId()
      return {
        jobId,
        author: 'test',
        queueQuotas: { perTask: 2, perOrganization: 100 },
        command: {
          type: 'QueueJob' as const,
          jobId,
          customer: organization,
          spec,
          argumentsValues: [],
          origin: 'api',
          now: new Date(),
        },
      }
    }
    const other = `other-${newId()}`
    const outcomes = await executeJobCommands(deps, [
      queue(customer),
      queue(customer),
      queue(customer),
      queue(other),
    ])
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, false, true])
    expect(outcomes[2]).toMatchObject({ ok: false, error: { details: { limit: 'queued jobs per task' } } })
    // The two queued fill the task's queue: the next batch is refused too.
    const [later] = await executeJobCommands(deps, [queue(customer)])
    expect(later).toMatchObject({ ok: false })
  })

  it('applies what is handed in meanwhile as the next batch, one command per job and in order', async () => {
    const jobs = await Promise.all([1, 2, 3].map(() => assignedJob()))
    const batches = new JobCommandBatches(deps)
    const report = (jobId: string, sequence: number) =>
      batches.apply({
        jobId,
        author: botId,
        command:
          sequence === 1
            ? { type: 'RecordStarted', botId, pid: 1, startedAt: new Date(), sequence }
            : { type: 'RecordOutput', botId, seq: sequence, stream: 'stdout', text: 'x', sequence },
      })
    // The second and third reports of the first job are handed in while the first is being applied.
    const results = await Promise.all([
      report(jobs[0]!, 1),
      report(jobs[0]!, 2),
      report(jobs[1]!, 1),
      report(jobs[0]!, 3),
      report(jobs[2]!, 1),
    ])
    expect(results.map((result) => result.appended.length)).toEqual([1, 1, 1, 1, 1])
    expect(results[3]!.state.outputSeqs.size).toBe(2)
    for (const jobId of jobs) expect(await phaseOf(jobId)).toBe('running')
  })

  it('applies the others alone when one command fails the whole transaction', async () => {
    const [poisoned, ...others] = await Promise.all([1, 2, 3].map(() => assignedJob()))
    // The database refuses any event of the poisoned job: its append fails the batch's transaction.
    await sql`ALTER TABLE events ADD CONSTRAINT refuse_poisoned CHECK (stream_id::text <> ${sql.lit(poisoned!)}) NOT VALID`.execute(
      db,
    )
    try {
      const batches = new JobCommandBatches(deps)
      const started = (jobId: string) =>
        batches.apply({
          jobId,
          author: botId,
          command: { type: 'RecordStarted', botId, pid: 1, startedAt: new Date(), sequence: 1 },
        })
      const outcomes = await Promise.allSettled([started(poisoned!), ...others.map(started)])
      expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: { code: '23514' } })
      expect(outcomes.slice(1).map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled'])
      for (const jobId of others) expect(await phaseOf(jobId)).toBe('running')
    } finally {
      await sql`ALTER TABLE events DROP CONSTRAINT refuse_poisoned`.execute(db)
    }
  })
})
