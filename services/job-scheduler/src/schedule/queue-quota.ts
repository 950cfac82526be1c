import { Quotas, quotaExceeded } from '@taskforge/core'
import type { Db, Trx } from '@taskforge/event-store'
import { NotStartedLifecycles } from '@taskforge/model'
import { sql } from 'kysely'
import { JOB_SCHEDULE_TABLE } from './job-schedule-table.js'

/** How many jobs no bot has started yet one task and one organization may have (quotas: 429 past them). */
export interface QueueQuotas {
  perTask: number
  perOrganization: number
}

/**
 * Counts the task's and the organization's jobs not started, each only up to its quota (so a full
 * queue costs a bounded index range, not a count of everything queued), and refuses a run that
 * would pass either: 429 naming the quota. Read from the schedule table, which is written in the
 * transaction of each job's events.
 *
 * Runs checked at the same moment may each see room for one: the quota can be passed by as many
 * runs as are being queued at once, and never by more. (Holding the organization's lock for every
 * run would serialize all of an organization's runs for that.)
 */
export async function checkQueueQuota(
  conn: Db | Trx,
  quotas: QueueQuotas,
  customer: string,
  taskId: string,
): Promise<void> {
  const counts = await countNotStarted(conn, quotas, [{ customer, taskId }])
  takeQueueRoom(quotas, counts, customer, taskId)
}

/** Jobs not started, per task (`customer` NUL `task id`) and per organization, each counted up to its quota. */
export interface NotStartedCounts {
  ofTask: Map<string, number>
  ofOrganization: Map<string, number>
}

const taskKey = (customer: string, taskId: string) => `${customer}\0${taskId}`

/**
 * {@link checkQueueQuota}'s counts for several tasks (of any organizations) in one query: a burst of
 * schedule fires counts once, then takes room for each of its jobs with {@link takeQueueRoom}.
 */
export async function countNotStarted(
  conn: Db | Trx,
  quotas: QueueQuotas,
  tasks: readonly { customer: string; taskId: string }[],
): Promise<NotStartedCounts> {
  const counts: NotStartedCounts = { ofTask: new Map(), ofOrganization: new Map() }
  if (tasks.length === 0) return counts
  const unique = [...new Map(tasks.map((task) => [taskKey(task.customer, task.taskId), task])).values()]
  const organizations = [...new Set(unique.map((task) => task.customer))]
  const phases = sql.join(NotStartedLifecycles.map((phase) => sql.lit(phase)))
  const table = sql.table(JOB_SCHEDULE_TABLE)
  const { rows } = await sql<{ customer: string; task_id: string | null; n: string }>`
    SELECT k.customer, k.task_id, (SELECT count(*) FROM (SELECT 1 FROM ${table}
        WHERE task_id = k.task_id AND customer = k.customer AND phase IN (${phases}) LIMIT ${quotas.perTask}) t) AS n
      FROM unnest(${unique.map((task) => task.customer)}::text[], ${unique.map((task) => task.taskId)}::text[])
        AS k (customer, task_id)
    UNION ALL
    SELECT o.customer, NULL, (SELECT count(*) FROM (SELECT 1 FROM ${table}
        WHERE customer = o.customer AND phase IN (${phases}) LIMIT ${quotas.perOrganization}) c) AS n
      FROM unnest(${organizations}::text[]) AS o (customer)
  `.execute(conn)
  for (const row of rows) {
    if (row.task_id === null) counts.ofOrganization.set(row.customer, Number(row.n))
    else counts.ofTask.set(taskKey(row.customer, row.task_id), Number(row.n))
  }
  return counts
}

/**
 * Takes room for one more job of the task in `counts` (from {@link countNotStarted}), or refuses it
 * (429 naming the quota) and leaves the counts as they were.
 */
export function takeQueueRoom(
  quotas: QueueQuotas,
  counts: NotStartedCounts,
  customer: string,
  taskId: string,
): void {
  const key = taskKey(customer, taskId)
  const ofTask = counts.ofTask.get(key) ?? 0
  const ofOrganization = counts.ofOrganization.get(customer) ?? 0
  if (ofTask >= quotas.perTask)
    throw quotaExceeded(
      Quotas.queuedJobsPerTask,
      quotas.perTask,
      `task ${taskId} has ${ofTask} jobs not started`,
    )
  if (ofOrganization >= quotas.perOrganization)
    throw quotaExceeded(
      Quotas.queuedJobsPerOrganization,
      quotas.perOrganization,
      `organization ${customer} has ${ofOrganization} jobs not started`,
    )
  counts.ofTask.set(key, ofTask + 1)
  counts.ofOrganization.set(customer, ofOrganization + 1)
}
