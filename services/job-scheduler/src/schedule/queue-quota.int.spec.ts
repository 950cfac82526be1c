import { isAppError } from '@taskforge/core'
import { createDb, type Db } from '@taskforge/event-store'
import { testDatabase } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createJobScheduleTable, type SchedulePhase, scheduleDb } from './job-schedule-table.js'
import { checkQueueQuota, countNotStarted, takeQueueRoom } from './queue-quota.js'

describe('checkQueueQuota', () => {
  let db: Db

  beforeAll(async () => {
    db = createDb(await testDatabase())
    await createJobScheduleTable(scheduleDb(db))
  })
  afterAll(() => db.destroy())

  const jobs = async (customer: string, taskId: string, phase: SchedulePhase, count: number) => {
    for (let i = 0; i < count; i++) {
      await scheduleDb(db)
        .insertInto('job_schedule')
        .values({
          job_id: crypto.randomUUID(),
          customer,
          task_id: taskId,
          bot_id: 'b1',
          multitasking: true,
          phase,
          attempt: 1,
        })
        .execute()
    }
  }
  const refusal = (customer: string, taskId: string, quotas = { perTask: 3, perOrganization: 5 }) =>
    checkQueueQuota(db, quotas, customer, taskId).then(
      () => undefined,
      (error: unknown) => (isAppError(error) ? error : Promise.reject(error)),
    )

  it('counts jobs not started, of the task and of the organization, and refuses one more: 429 naming the quota', async () => {
    await jobs('org-a', 't1', 'onhold', 1)
    await jobs('org-a', 't1', 'ready', 1)
    await jobs('org-a', 't1', 'running', 5)
    expect(await refusal('org-a', 't1')).toBeUndefined()
    await jobs('org-a', 't1', 'assigned', 1)
    expect((await refusal('org-a', 't1'))?.toJSON()).toEqual({
      statusCode: 429,
      code: 'TOO_MANY_REQUESTS',
      message: 'task t1 has 3 jobs not started; the limit is 3 jobs (queued jobs per task)',
      details: { limit: 'queued jobs per task', maximum: 3, unit: 'jobs', retry_after_seconds: 5 },
    })
    await jobs('org-a', 't2', 'ready', 1)
    expect(await refusal('org-a', 't2')).toBeUndefined()
    await jobs('org-a', 't3', 'ready', 1)
    expect((await refusal('org-a', 't2'))?.details).toMatchObject({
      limit: 'queued jobs per organization',
      maximum: 5,
    })
    // Another organization's queue is its own.
    expect(await refusal('org-b', 't1')).toBeUndefined()
  })
  it('counts several tasks in one query, and a burst takes room job by job up to the quota', async () => {
    const quotas = { perTask: 3, perOrganization: 4 }
    await jobs('org-c', 'c1', 'ready', 2)
    await jobs('org-c', 'c2', 'ready', 1)
    await jobs('org-d', 'd1', 'ready', 3)
    const counts = await countNotStarted(db, quotas, [
      { customer: 'org-c', taskId: 'c1' },
      { customer: 'org-c', taskId: 'c2' },
      { customer: 'org-c', taskId: 'c1' },
      { customer: 'org-d', taskId: 'd1' },
    ])
    expect(counts.ofOrganization).toEqual(
      new Map([
        ['org-c', 3],
        ['org-d', 3],
      ]),
    )
    const take = (customer: string, taskId: string) => {
      try {
        takeQueueRoom(quotas, counts, customer, taskId)
        return 'queued'
      } catch (error) {
        if (!isAppError(error)) throw error
        return String(error.details?.limit)
      }
    }
    // org-c has room for one more job; d1 is full.
    expect(take('org-c', 'c1')).toBe('queued')
    expect(take('org-c', 'c2')).toBe('queued jobs per organization')
    expect(take('org-d', 'd1')).toBe('queued jobs per task')
    expect(counts.ofTask.get('org-c\0c1')).toBe(3)
    expect(counts.ofOrganization.get('org-c')).toBe(4)
  })
})
