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
  const phases = sql.join(NotStartedLifecycles.map((phase) => sql.lit(phase)))
  const table = sql.table(JOB_SCHEDULE_TABLE)
  const { rows } = await sql<{ of_task: string; of_organization: string }>`
    SELECT
      (SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE task_id = ${taskId} AND customer = ${customer}
        AND phase IN (${phases}) LIMIT ${quotas.perTask}) t) AS of_task,
      (SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE customer = ${customer}
        AND phase IN (${phases}) LIMIT ${quotas.perOrganization}) o) AS of_organization
  `.execute(conn)
  const ofTask = Number(rows[0]?.of_task ?? 0)
  const ofOrganization = Number(rows[0]?.of_organization ?? 0)
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
}
