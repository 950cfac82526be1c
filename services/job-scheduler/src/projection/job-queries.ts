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
  /** Only jobs whose origin is this, or starts with it and a colon (`trigger` matches `trigger:task:…`). */
  origin?: string
  /** Only jobs created at or after this instant. */
  createdAfter?: Date
  /** Only jobs created before this instant. */
  createdBefore?: Date
  /** Only jobs after this one in the list's order (creation date, then id, both descending). */
  after?: { creationDate: Date; id: string }
  /** Default {@link DEFAULT_LIST_LIMIT}, at most {@link MAX_LIST_LIMIT}. */
  limit?: number
}

/** A page of a customer's jobs, newest first, and whether more follow it. */
export async function listJobPage(
  db: JobsDb,
  filter: JobFilter,
): Promise<{ jobs: JobView[]; more: boolean }> {
  const limit = Math.min(Math.max(filter.limit || DEFAULT_LIST_LIMIT, 1), MAX_LIST_LIMIT)
  const views = await listJobs(db, { ...filter, limit: limit + 1 }, MAX_LIST_LIMIT + 1)
  return { jobs: views.slice(0, limit), more: views.length > limit }
}

/** A customer's jobs, newest first; empty filter fields match everything. */
export async function listJobs(db: JobsDb, filter: JobFilter, maxLimit = MAX_LIST_LIMIT): Promise<JobView[]> {
  const limit = Math.min(Math.max(filter.limit || DEFAULT_LIST_LIMIT, 1), maxLimit)
  let query = db.selectFrom(JOBS_TABLE).selectAll().where('customer', '=', filter.customer)
  if (filter.taskId) query = query.where('task_id', '=', filter.taskId)
  if (filter.lifecycle) query = query.where('lifecycle', '=', filter.lifecycle)
  if (filter.state) query = query.where('state', '=', filter.state)
  if (filter.hostId) query = query.where('host_id', '=', filter.hostId)
  if (filter.origin) {
    const origin = filter.origin
    query = query.where((eb) =>
      eb.or([
        eb('origin', '=', origin),
        eb(sql<string>`left(origin, ${origin.length + 1})`, '=', `${origin}:`),
      ]),
    )
  }
  if (filter.createdAfter) query = query.where('creation_date', '>=', filter.createdAfter)
  if (filter.createdBefore) query = query.where('creation_date', '<', filter.createdBefore)
  if (filter.after) {
    // A row comparison, which the (customer, creation_date desc, id desc) indexes answer in order.
    query = query.where(
      sql<boolean>`(creation_date, id) < (${filter.after.creationDate}, ${filter.after.id})`,
    )
  }
  if (filter.taskIds !== undefined) {
    if (filter.taskIds.length === 0) return []
    // One array parameter, however many tasks (a list of parameters would be bounded by the protocol).
    query = query.where(sql<boolean>`task_id = any(${[...filter.taskIds]}::text[])`)
  }
  const rows = await query.orderBy('creation_date', 'desc').orderBy('id', 'desc').limit(limit).execute()
  return rows.map(rowToView)
}
