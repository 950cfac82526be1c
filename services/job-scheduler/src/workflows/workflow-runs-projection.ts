import type { Db, Projection, StoredEvent, Trx } from '@taskforge/event-store'
import type { WorkflowRun } from '@taskforge/proto/jobs/v1/workflow_runs'
import type { Insertable, Selectable } from 'kysely'
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
  created_at: Date
  updated_at: Date
  ended_at: Date | null
}

function setNode(row: RunRow, key: string, change: (node: RunNodeView) => RunNodeView): RunRow {
  const nodes = row.nodes.some((node) => node.key === key)
    ? row.nodes.map((node) => (node.key === key ? change(node) : node))
    : [...row.nodes, change({ key, state: 'pending', job_ids: [], reason: '' })]
  return { ...row, nodes }
}

/**
 * Folds one run event into its row (undefined before `started`). `nodeKeys` are the keys of the
 * pinned definition, in order, for the nodes a run shows before they did anything.
 */
export function applyRunEvent(
  row: RunRow | undefined,
  event: RunDomainEvent,
  at: Date,
  nodeKeys: readonly string[] = [],
): RunRow | undefined {
  if (event.$case === 'started') {
    const s = event.value
    return {
      id: s.runId,
      customer: s.customer,
      workflow_id: s.workflowId,
      version: s.version,
      lifecycle: 'assigned',
      state: 'in_progress',
      nodes: nodeKeys.map((key) => ({ key, state: 'pending', job_ids: [], reason: '' })),
      arguments: s.arguments,
      origin: s.origin,
      author: s.author,
      reason: '',
      waiting_reason: '',
      created_at: s.startedAt ?? at,
      updated_at: at,
      ended_at: null,
    }
  }
  if (row === undefined) return undefined
  const next = { ...row, updated_at: at }
  switch (event.$case) {
    case 'nodeStarted':
      return setNode(next, event.value.key, (node) => ({
        ...node,
        state: 'running',
        job_ids: [...node.job_ids, event.value.jobId],
        reason: '',
      }))
    case 'nodeRetryScheduled':
      return setNode(next, event.value.key, (node) => ({
        ...node,
        state: 'running',
        reason: event.value.reason,
      }))
    case 'nodeEnded':
      return setNode(next, event.value.key, (node) => ({
        ...node,
        state: event.value.state,
        reason: event.value.reason,
      }))
    case 'nodeSkipped':
      return setNode(next, event.value.key, (node) => ({ ...node, state: 'skipped' }))
    case 'nodeCanceled':
      return setNode(next, event.value.key, (node) => ({ ...node, state: 'canceled' }))
    case 'cancelRequested':
      return { ...next, reason: event.value.reason }
    case 'held':
      return { ...next, lifecycle: 'ready', waiting_reason: event.value.reason }
    case 'released':
      return { ...next, lifecycle: 'assigned', waiting_reason: '' }
    case 'ended':
      return {
        ...next,
        waiting_reason: '',
        lifecycle: event.value.state === 'canceled' ? 'canceled' : 'finished',
        state: event.value.state,
        reason: event.value.reason,
        ended_at: event.value.endedAt ?? at,
      }
    case 'retried': {
      const reset = new Set(event.value.nodes)
      return {
        ...next,
        lifecycle: 'assigned',
        state: 'in_progress',
        reason: '',
        ended_at: null,
        nodes: next.nodes.map((node) =>
          reset.has(node.key) ? { ...node, state: 'pending', reason: '' } : node,
        ),
      }
    }
  }
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

/** The `workflow_runs` read model: one row per run, its nodes in the order of its pinned definition. */
export const workflowRunsProjection: Projection = {
  name: 'workflow_runs',
  // 2: a held run's waiting reason.
  version: 2,
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
      if (event.$case === 'started') {
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
