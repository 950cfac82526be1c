import type { JobView } from '@taskforge/model'
import { sql } from 'kysely'
import type { JobsDb } from './jobs-projection.js'
import { rowToView } from './jobs-projection.js'
import { JOBS_TABLE } from './jobs-table.js'

export const DEFAULT_LIST_LIMIT = 100
export const MAX_LIST_LIMIT = 1000

/** A customer's job, or undefined (another customer's job is as good as missing). */
export async function findJob(db: JobsDb, customer: string, jobId: string): Promise<JobView | undefined> {
  const row = await db
    .selectFrom(JOBS_TABLE)
    .selectAll()
    .where('id', '=', jobId)
    .where('customer', '=', customer)
    .executeTakeFirst()
  return row === undefined ? undefined : rowToView(row)
}

export interface JobFilter {
  customer: string
  taskId?: string
  lifecycle?: string
  state?: string
  hostId?: string
  /** Only jobs of these tasks (the caller's visible tasks; empty: none), before the limit. */
  taskIds?: readonly string[]
  /** Default {@link DEFAULT_LIST_LIMIT}, at most {@link MAX_LIST_LIMIT}. */
  limit?: number
}

/** A customer's jobs, newest first; empty filter fields match everything. */
export async function listJobs(db: JobsDb, filter: JobFilter): Promise<JobView[]> {
  const limit = Math.min(Math.max(filter.limit || DEFAULT_LIST_LIMIT, 1), MAX_LIST_LIMIT)
  let query = db.selectFrom(JOBS_TABLE).selectAll().where('customer', '=', filter.customer)
  if (filter.taskId) query = query.where('task_id', '=', filter.taskId)
  if (filter.lifecycle) query = query.where('lifecycle', '=', filter.lifecycle)
  if (filter.state) query = query.where('state', '=', filter.state)
  if (filter.hostId) query = query.where('host_id', '=', filter.hostId)
  if (filter.taskIds !== undefined) {
    if (filter.taskIds.length === 0) return []
    // One array parameter, however many tasks (a list of parameters would be bounded by the protocol).
    query = query.where(sql<boolean>`task_id = any(${[...filter.taskIds]}::text[])`)
  }
  const rows = await query.orderBy('creation_date', 'desc').orderBy('id', 'desc').limit(limit).execute()
  return rows.map(rowToView)
}
