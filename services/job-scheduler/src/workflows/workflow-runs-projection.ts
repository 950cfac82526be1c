import type { Db, Projection, StoredEvent, Trx } from '@taskforge/event-store'
import { applyWorkflowRunEvent } from '@taskforge/model'
import type { WorkflowRun } from '@taskforge/proto/jobs/v1/workflow_runs'
import { type Insertable, type Selectable, sql } from 'kysely'
import type { RunDomainEvent } from './workflow-run-decider.js'
import { decodeRunEvent, WORKFLOW_RUN_STREAM_TYPE } from './workflow-run-events.js'
import {
  createWorkflowRunsTable,
  type RunNodeView,
  WORKFLOW_RUNS_TABLE,
  type WorkflowRunsTable,
  workflowsDb,
} from './workflow-tables.js'
import { pinnedDefinition } from './workflow-versions.js'

/** A run row as the projection folds it. */
export interface RunRow {
  id: string
  customer: string
  workflow_id: string
  version: number
  lifecycle: string
  state: string
  nodes: RunNodeView[]
  arguments: string[]
  origin: string
  author: string
  reason: string
  /** Why a held run waits for its turn; '' otherwise. */
  waiting_reason: string
  /** When a triggered run held for its grace time starts; null otherwise. */
  hold_until: Date | null
  created_at: Date
  updated_at: Date
  ended_at: Date | null
}

/** A run as the read model keeps it. */
function rowFromRun(run: WorkflowRun): RunRow {
  return {
    id: run.id,
    customer: run.customer,
    workflow_id: run.workflowId,
    version: run.version,
    lifecycle: run.lifecycle,
    state: run.state,
    nodes: run.nodes.map((node) => ({
      key: node.key,
      state: node.state,
      job_ids: node.jobIds,
      reason: node.reason,
    })),
    arguments: run.arguments,
    origin: run.origin,
    author: run.author,
    reason: run.reason,
    waiting_reason: run.waitingReason,
    hold_until: run.holdUntil ?? null,
    created_at: run.creationDate ?? new Date(0),
    updated_at: run.lastUpdate ?? new Date(0),
    ended_at: run.endedAt ?? null,
  }
}

/**
 * Folds one run event into its row (undefined before `started`) with the one fold of run events
 * ({@link applyWorkflowRunEvent}). `nodeKeys` are the keys of the pinned definition, in order, for a
 * `started` that does not name them.
 */
export function applyRunEvent(
  row: RunRow | undefined,
  event: RunDomainEvent,
  at: Date,
  nodeKeys: readonly string[] = [],
): RunRow | undefined {
  const run = applyWorkflowRunEvent(
    row === undefined ? undefined : workflowRunFromRow(row),
    event,
    at,
    nodeKeys,
  )
  return run === undefined ? undefined : rowFromRun(run)
}

function rowOf(row: Selectable<WorkflowRunsTable>): RunRow {
  return {
    ...row,
    nodes: row.nodes as unknown as RunNodeView[],
    arguments: row.arguments as unknown as string[],
  }
}

function insertable(row: RunRow): Insertable<WorkflowRunsTable> {
  return { ...row, nodes: JSON.stringify(row.nodes), arguments: JSON.stringify(row.arguments) }
}

/** A row as the gRPC model answers it. */
export function workflowRunFromRow(row: RunRow): WorkflowRun {
  return {
    id: row.id,
    customer: row.customer,
    workflowId: row.workflow_id,
    version: row.version,
    lifecycle: row.lifecycle,
    state: row.state,
    nodes: row.nodes.map((node) => ({
      key: node.key,
      state: node.state,
      jobId: node.job_ids.at(-1) ?? '',
      jobIds: node.job_ids,
      reason: node.reason,
    })),
    arguments: row.arguments,
    origin: row.origin,
    author: row.author,
    reason: row.reason,
    waitingReason: row.waiting_reason,
    holdUntil: row.hold_until ?? undefined,
    creationDate: row.created_at,
    lastUpdate: row.updated_at,
    endedAt: row.ended_at ?? undefined,
  }
}

/** Folds a run's stored events (as a command read and appended them) into its row. */
export function foldRunStream(
  events: readonly StoredEvent[],
  nodeKeys: readonly string[],
): RunRow | undefined {
  let row: RunRow | undefined
  for (const stored of events) row = applyRunEvent(row, decodeRunEvent(stored), stored.occurredAt, nodeKeys)
  return row
}

export async function findWorkflowRun(db: Db, customer: string, runId: string): Promise<RunRow | undefined> {
  const row = await workflowsDb(db)
    .selectFrom(WORKFLOW_RUNS_TABLE)
    .selectAll()
    .where('id', '=', runId)
    .where('customer', '=', customer)
    .executeTakeFirst()
  return row === undefined ? undefined : rowOf(row)
}

/** Runs listed at most per page, and when no limit is asked. */
export const MAX_RUNS_PAGE = 1000
export const DEFAULT_RUNS_PAGE = 100

/**
 * A page of a workflow's runs, newest first (creation date, then id, both descending), and whether
 * more follow it. Read in order from `(customer, workflow_id, created_at)`, so a page costs the same
 * whatever number of runs precedes it.
 */
export async function listWorkflowRuns(
  db: Db,
  filter: { customer: string; workflowId: string; limit?: number; after?: { createdAt: Date; id: string } },
): Promise<{ runs: RunRow[]; more: boolean }> {
  const limit = Math.min(Math.max(filter.limit || DEFAULT_RUNS_PAGE, 1), MAX_RUNS_PAGE)
  let query = workflowsDb(db)
    .selectFrom(WORKFLOW_RUNS_TABLE)
    .selectAll()
    .where('customer', '=', filter.customer)
    .where('workflow_id', '=', filter.workflowId)
  if (filter.after)
    query = query.where(sql<boolean>`(created_at, id) < (${filter.after.createdAt}, ${filter.after.id})`)
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute()
  return { runs: rows.slice(0, limit).map(rowOf), more: rows.length > limit }
}

/** The `workflow_runs` read model: one row per run, its nodes in the order of its pinned definition. */
export const workflowRunsProjection: Projection = {
  name: 'workflow_runs',
  // 2: a held run's waiting reason; 3: the end of a triggered run's grace time.
  version: 3,
  streamTypes: [WORKFLOW_RUN_STREAM_TYPE],
  async setup(db: Db) {
    await createWorkflowRunsTable(workflowsDb(db))
  },
  async reset(trx: Trx) {
    await workflowsDb(trx).schema.dropTable(WORKFLOW_RUNS_TABLE).ifExists().execute()
    await createWorkflowRunsTable(workflowsDb(trx))
  },
  async apply(trx: Trx, events: StoredEvent[]) {
    const db = workflowsDb(trx)
    const rows = new Map<string, RunRow | undefined>()
    for (const stored of events) {
      const event = decodeRunEvent(stored)
      const runId = stored.streamId
      if (!rows.has(runId)) {
        const found = await db
          .selectFrom(WORKFLOW_RUNS_TABLE)
          .selectAll()
          .where('id', '=', runId)
          .executeTakeFirst()
        rows.set(runId, found === undefined ? undefined : rowOf(found))
      }
      let keys: string[] = []
      if (event.$case === 'started' && event.value.nodeKeys.length === 0) {
        const definition = await pinnedDefinition(trx, event.value.workflowId, event.value.version).catch(
          () => undefined,
        )
        keys = definition?.nodes.map((node) => node.key) ?? []
      }
      rows.set(runId, applyRunEvent(rows.get(runId), event, stored.occurredAt, keys))
    }
    for (const row of rows.values()) {
      if (row === undefined) continue
      const values = insertable(row)
      await db
        .insertInto(WORKFLOW_RUNS_TABLE)
        .values(values)
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .execute()
    }
  },
}
