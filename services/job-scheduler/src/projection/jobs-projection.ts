import { storableJson } from '@taskforge/core'
import type { Db, Projection, StoredEvent } from '@taskforge/event-store'
import { applyJobEvent, type JobEventFacts, type JobView } from '@taskforge/model'
import type { Kysely, Selectable, Transaction } from 'kysely'
import { notifyJobsChanged } from '../changes/notify-job-changes.js'
import { decodeJobEvent, JOB_STREAM_TYPE } from '../domain/job-events.js'
import { createJobsTable, JOBS_TABLE, type JobsDatabase, type JobsTable } from './jobs-table.js'

/** A row as read back (pg parses jsonb and timestamptz). */
export function rowToView(row: Selectable<JobsTable>): JobView {
  return {
    id: row.id,
    customer: row.customer,
    taskId: row.task_id,
    name: row.name,
    hostId: row.host_id,
    lifecycle: row.lifecycle,
    state: row.state,
    taskArgumentsValues: row.task_arguments_values,
    output: row.output,
    result: row.result,
    origin: row.origin,
    creationDate: row.creation_date,
    lastUpdate: row.last_update,
    version: row.version,
    author: row.author,
    ...(row.schedule_id === null ? {} : { scheduleId: row.schedule_id }),
    ...(row.scheduled_for === null ? {} : { scheduledFor: row.scheduled_for }),
    ...(row.hold_until === null ? {} : { holdUntil: row.hold_until }),
    ...(row.workflow_run_id === null
      ? {}
      : { workflowRunId: row.workflow_run_id, workflowNode: row.workflow_node ?? '' }),
  }
}

function viewToRow(view: JobView) {
  return {
    id: view.id,
    customer: view.customer,
    task_id: view.taskId,
    name: view.name,
    host_id: view.hostId,
    lifecycle: view.lifecycle,
    state: view.state,
    // Events recorded before reports' texts were made well-formed may hold what jsonb refuses.
    task_arguments_values: storableJson(view.taskArgumentsValues),
    output: storableJson(view.output),
    result: storableJson(view.result),
    origin: view.origin,
    creation_date: view.creationDate,
    last_update: view.lastUpdate,
    version: view.version,
    author: view.author,
    schedule_id: view.scheduleId ?? null,
    scheduled_for: view.scheduledFor ?? null,
    hold_until: view.holdUntil ?? null,
    workflow_run_id: view.workflowRunId ?? null,
    workflow_node: view.workflowNode ?? null,
  }
}

/** The facts of a stored job event the fold takes besides its payload. */
function factsOf(stored: StoredEvent): JobEventFacts {
  return {
    jobId: stored.streamId,
    version: Number(stored.streamVersion),
    occurredAt: stored.occurredAt,
    author: stored.metadata.author ?? '',
  }
}

/**
 * The view this projection writes for a job whose whole stream is `events` (in order, as stored):
 * what a command that appended them answers once the read model passed them (decision 11).
 */
export function foldJobStream(events: readonly StoredEvent[]): JobView | undefined {
  let view: JobView | undefined
  for (const stored of events) view = applyJobEvent(view, decodeJobEvent(stored), factsOf(stored))
  return view
}

/**
 * The `jobs` read model. A batch is folded in memory per job (a running job sends many output events),
 * then every changed job is written in one statement. Events at or below a row's version are skipped,
 * and a row is never written back to an older version, so replaying a batch is harmless. Listeners
 * hear of every changed job when the batch commits.
 */
export const jobsProjection: Projection = {
  name: JOBS_TABLE,
  // 2: the log a row keeps is the end of it (VIEW_LOG_BYTES); every text in it is well-formed.
  // 3: the schedule that started a job, and the time it was scheduled for.
  // 4: when a triggered run's grace time ends, for why it waits.
  // 5: the workflow run and node of a job (a run's steps are reached through their workflow).
  version: 5,
  streamTypes: [JOB_STREAM_TYPE],

  async setup(db: Db) {
    await createJobsTable(db)
  },

  async reset(trx: Transaction<JobsDatabase>) {
    await trx.schema.dropTable(JOBS_TABLE).ifExists().execute()
    await createJobsTable(trx)
  },

  async apply(trx: Transaction<JobsDatabase>, events: StoredEvent[]) {
    const jobEvents = events.filter((event) => event.streamType === JOB_STREAM_TYPE)
    if (jobEvents.length === 0) return
    // A job whose stream starts in this batch (a run just queued) has no row to read: its view is
    // folded from the batch alone, and the write below never takes a row back to an older version.
    const starting = new Set<string>()
    const seen = new Set<string>()
    for (const event of jobEvents) {
      if (seen.has(event.streamId)) continue
      seen.add(event.streamId)
      if (event.streamVersion === 1n) starting.add(event.streamId)
    }
    const ids = [...seen].filter((id) => !starting.has(id))
    const rows =
      ids.length === 0 ? [] : await trx.selectFrom(JOBS_TABLE).selectAll().where('id', 'in', ids).execute()
    const views = new Map(rows.map((row) => [row.id, rowToView(row)]))
    const changed = new Set<string>()
    for (const stored of jobEvents) {
      const current = views.get(stored.streamId)
      const facts = factsOf(stored)
      if (current !== undefined && current.version >= facts.version) continue
      const next = applyJobEvent(current, decodeJobEvent(stored), facts)
      if (next === undefined || next === current) continue
      views.set(stored.streamId, next)
      changed.add(stored.streamId)
    }
    if (changed.size === 0) return
    const upserts = [...changed].map((id) => viewToRow(views.get(id)!))
    const columns = Object.keys(upserts[0]!).filter((column) => column !== 'id') as (keyof JobsTable)[]
    await trx
      .insertInto(JOBS_TABLE)
      .values(upserts)
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) =>
            Object.fromEntries(columns.map((column) => [column, eb.ref(`excluded.${column}`)])),
          )
          .whereRef(`${JOBS_TABLE}.version`, '<', 'excluded.version'),
      )
      .execute()
    await notifyJobsChanged(trx, changed)
  },
}

/** The projection's tables typed for this service's queries. */
export type JobsDb = Kysely<JobsDatabase>
