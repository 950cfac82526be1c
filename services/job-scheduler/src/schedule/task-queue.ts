import type { Db, Trx } from '@taskforge/event-store'
import { NotStartedLifecycles } from '@taskforge/model'
import { sql } from 'kysely'
import type { PlacementFacts } from '../domain/job-placement.js'
import { JOB_SCHEDULE_TABLE, scheduleDb } from './job-schedule-table.js'

/** First key of the scheduler's advisory locks, apart from the event store's. */
const LOCK_NAMESPACE = 0x6a6f_6273

/**
 * Serializes the commands on the jobs of one task without multitasking until the transaction ends.
 * Decisions about such a task's queue (may this job start, which job is next) read other jobs'
 * rows; without the lock two transactions could both see the task idle and start two jobs of a task
 * that runs one at a time. Jobs of a task with multitasking never wait for each other and take no
 * lock. Commands take it before writing any job stream, so locks are always taken in the same order.
 */
export async function lockTask(trx: Db | Trx, taskId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext(${`task:${taskId}`}))`.execute(trx)
}

/**
 * {@link lockTask} for several tasks in one statement, in task order (the order every transaction
 * takes them in, so that two taking several cannot wait for each other in a circle).
 */
export async function lockTasks(trx: Db | Trx, taskIds: readonly string[]): Promise<void> {
  const tasks = [...new Set(taskIds)].sort()
  if (tasks.length === 0) return
  // In the order given (sorted here as the command loop sorts), not the database's collation.
  await sql`SELECT count(pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext('task:' || task)))
    FROM (SELECT task FROM unnest(${tasks}::text[]) WITH ORDINALITY AS t (task, n) ORDER BY n) AS sorted`.execute(
    trx,
  )
}

/**
 * What the placement of a new job of `taskId` needs to know about the task's other jobs that run one
 * at a time. Jobs queued while the task allowed multitasking keep their own spec and are not
 * counted: they never wait for a turn, nor hand one over.
 */
export async function placementFacts(conn: Db | Trx, taskId: string): Promise<PlacementFacts> {
  const db = scheduleDb(conn)
  const row = await db
    .selectFrom(JOB_SCHEDULE_TABLE)
    .select([
      sql<string>`count(*) filter (where phase in ('assigned', 'running'))`.as('running'),
      sql<string>`count(*) filter (where phase = 'ready' and bot_id <> '')`.as('waiting'),
    ])
    .where('task_id', '=', taskId)
    .where('multitasking', '=', false)
    .executeTakeFirst()
  return { runningJobsOfTask: Number(row?.running ?? 0), waitingJobsOfTask: Number(row?.waiting ?? 0) }
}

/**
 * The job of `taskId` whose turn it is, when none of the task's jobs is assigned or running: the
 * oldest one waiting in `ready` for a host. Jobs without a host wait for someone to give them one.
 */
export async function nextWaitingJob(
  conn: Db | Trx,
  taskId: string,
): Promise<{ jobId: string; botId: string } | undefined> {
  const db = scheduleDb(conn)
  const facts = await placementFacts(db, taskId)
  if ((facts.runningJobsOfTask ?? 0) > 0) return undefined
  const row = await db
    .selectFrom(JOB_SCHEDULE_TABLE)
    .select(['job_id', 'bot_id'])
    .where('task_id', '=', taskId)
    .where('phase', '=', 'ready')
    .where('bot_id', '<>', '')
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst()
  return row === undefined ? undefined : { jobId: row.job_id, botId: row.bot_id }
}

/**
 * The task's jobs no bot has started: waiting ones newest first, then those assigned. Canceling in
 * this order never hands the task's turn to a job about to be canceled as well.
 */
export async function unstartedJobsOfTask(
  conn: Db | Trx,
  customer: string,
  taskId: string,
): Promise<string[]> {
  const db = scheduleDb(conn)
  const rows = await db
    .selectFrom(JOB_SCHEDULE_TABLE)
    .select('job_id')
    .where('customer', '=', customer)
    .where('task_id', '=', taskId)
    .where('phase', 'in', NotStartedLifecycles)
    .orderBy(sql`phase = 'assigned'`)
    .orderBy('seq', 'desc')
    .execute()
  return rows.map((row) => row.job_id)
}
