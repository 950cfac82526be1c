import type { Db, Trx } from '@taskforge/event-store'
import { type ColumnType, type Kysely, sql } from 'kysely'
import type { DueTimerTable } from '../timers/due-timer-table.js'
import { createWorkflowStepsTable } from './workflow-steps-table.js'
import { createWorkflowTriggersTables } from './workflow-triggers.js'

type Json<T> = ColumnType<T, string, string>

/**
 * Every version of every workflow the scheduler has seen (decision 31): from the catalog's
 * `WorkflowCreated`/`WorkflowUpdated` events, and from the catalog itself when a run starts on a
 * version the events have not brought yet. A version never changes, so both write the same row.
 * Kept when the workflow is deleted: runs pinned to a version go on with it.
 */
export interface WorkflowVersionsTable {
  workflow_id: string
  version: number
  customer: string
  /** The encoded `catalog.v1.WorkflowDefinition`. */
  definition: Buffer
}

/**
 * What a workflow run waits for: the end of one of its jobs (`end:<job id>`, written in the
 * transaction that ends the job), the due time of a node's retry (`retry:<run id>`) or the expiry of
 * a waiting step (`expire:<job id>`). The run's
 * timer loop claims due rows (`FOR UPDATE SKIP LOCKED`) and deletes them in the transaction that
 * records what they bring.
 */
export interface WorkflowRunWakeupsTable {
  wakeup_id: string
  run_id: string
  customer: string
  due_at: Date
}

/**
 * The live runs of workflows that run one run at a time (`multitasking: false` on the version a run
 * is pinned to): a row from the run's start to its end, in the transactions of those events. The
 * oldest row of a workflow runs; the others are held, and the end of a run wakes the next.
 */
export interface WorkflowRunTurnsTable {
  run_id: string
  workflow_id: string
  customer: string
  queued_at: Date
}

/** A node of a run as the read model shows it. */
export interface RunNodeView {
  key: string
  state: string
  job_ids: string[]
  reason: string
}

/** The `workflow_runs` read model, rebuilt from the run streams. */
export interface WorkflowRunsTable {
  id: string
  customer: string
  workflow_id: string
  version: number
  lifecycle: string
  state: string
  nodes: Json<RunNodeView[]>
  arguments: Json<string[]>
  origin: string
  author: string
  reason: string
  waiting_reason: string
  hold_until: Date | null
  created_at: Date
  updated_at: Date
  ended_at: Date | null
}

export interface WorkflowsDatabase {
  workflow_versions: WorkflowVersionsTable
  workflow_run_wakeups: WorkflowRunWakeupsTable
  workflow_run_turns: WorkflowRunTurnsTable
  workflow_runs: WorkflowRunsTable
}

export const WORKFLOW_VERSIONS_TABLE = 'workflow_versions'
export const WORKFLOW_RUN_WAKEUPS_TABLE = 'workflow_run_wakeups'
export const WORKFLOW_RUNS_TABLE = 'workflow_runs'
export const WORKFLOW_RUN_TURNS_TABLE = 'workflow_run_turns'

export function workflowsDb(db: Db | Trx): Kysely<WorkflowsDatabase> {
  return db as Kysely<WorkflowsDatabase>
}

/** Creates the versions, wake-ups, turns and triggers tables when missing (the read model is the projection's). */
export async function createWorkflowTables(conn: Db): Promise<void> {
  const db = workflowsDb(conn)
  await db.schema
    .createTable(WORKFLOW_VERSIONS_TABLE)
    .ifNotExists()
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('definition', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('workflow_versions_key', ['workflow_id', 'version'])
    .execute()
  await db.schema
    .createTable(WORKFLOW_RUN_WAKEUPS_TABLE)
    .ifNotExists()
    .addColumn('wakeup_id', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('workflow_run_wakeups_due')
    .ifNotExists()
    .on(WORKFLOW_RUN_WAKEUPS_TABLE)
    .column('due_at')
    .execute()
  await db.schema
    .createIndex('workflow_run_wakeups_run')
    .ifNotExists()
    .on(WORKFLOW_RUN_WAKEUPS_TABLE)
    .column('run_id')
    .execute()
  await createWorkflowStepsTable(conn)
  await createWorkflowTriggersTables(conn)
  await db.schema
    .createTable(WORKFLOW_RUN_TURNS_TABLE)
    .ifNotExists()
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('workflow_run_turns_workflow')
    .ifNotExists()
    .on(WORKFLOW_RUN_TURNS_TABLE)
    .columns(['workflow_id', 'queued_at', 'run_id'])
    .execute()
}

export async function createWorkflowRunsTable(db: Kysely<WorkflowsDatabase>): Promise<void> {
  await db.schema
    .createTable(WORKFLOW_RUNS_TABLE)
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('lifecycle', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('nodes', 'jsonb', (c) => c.notNull())
    .addColumn('arguments', 'jsonb', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('waiting_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('hold_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .execute()
  await db.schema
    .createIndex('workflow_runs_customer_workflow')
    .ifNotExists()
    .on(WORKFLOW_RUNS_TABLE)
    .columns(['customer', 'workflow_id', 'created_at'])
    .execute()
}

/**
 * Wakes the runs of jobs that just ended, in the transaction that ends them: one row per job, so a
 * job's end is brought to its run once (a second insert of the same end changes nothing).
 */
export async function wakeRunsOfEndedJobs(
  trx: Trx,
  ends: readonly { jobId: string; runId: string; customer: string }[],
): Promise<void> {
  if (ends.length === 0) return
  await workflowsDb(trx)
    .insertInto(WORKFLOW_RUN_WAKEUPS_TABLE)
    .values(
      ends.map((end) => ({
        wakeup_id: `end:${end.jobId}`,
        run_id: end.runId,
        customer: end.customer,
        due_at: sql<Date>`now()`,
      })),
    )
    .onConflict((oc) => oc.column('wakeup_id').doNothing())
    .execute()
}

/** Sets (or clears, with undefined) the due time of a run's next node retry, in the transaction of its events. */
export async function setRetryWakeup(
  trx: Trx,
  runId: string,
  customer: string,
  dueAt: Date | undefined,
): Promise<void> {
  const db = workflowsDb(trx)
  const wakeupId = `retry:${runId}`
  if (dueAt === undefined) {
    await db.deleteFrom(WORKFLOW_RUN_WAKEUPS_TABLE).where('wakeup_id', '=', wakeupId).execute()
    return
  }
  await db
    .insertInto(WORKFLOW_RUN_WAKEUPS_TABLE)
    .values({ wakeup_id: wakeupId, run_id: runId, customer, due_at: dueAt })
    .onConflict((oc) => oc.column('wakeup_id').doUpdateSet({ due_at: dueAt }))
    .execute()
}

/**
 * The end of a triggered run's grace time (`grace:<run id>`), written in the transaction that starts
 * the run: the run timers' loop releases the run then (a run canceled before has ended: it ignores it).
 */
export async function setGraceWakeup(trx: Trx, runId: string, customer: string, dueAt: Date): Promise<void> {
  await workflowsDb(trx)
    .insertInto(WORKFLOW_RUN_WAKEUPS_TABLE)
    .values({ wakeup_id: `grace:${runId}`, run_id: runId, customer, due_at: dueAt })
    .onConflict((oc) => oc.column('wakeup_id').doNothing())
    .execute()
}

/**
 * The expiry of a waiting step (`expire:<job id>`), due at its `expires_at`, written in the
 * transaction that queues the step's job: the run timers' loop ends the step then if nobody decided it.
 */
export async function setStepExpiry(
  trx: Trx,
  jobId: string,
  runId: string,
  customer: string,
  dueAt: Date,
): Promise<void> {
  await workflowsDb(trx)
    .insertInto(WORKFLOW_RUN_WAKEUPS_TABLE)
    .values({ wakeup_id: `expire:${jobId}`, run_id: runId, customer, due_at: dueAt })
    .onConflict((oc) => oc.column('wakeup_id').doNothing())
    .execute()
}

/** The due wake-ups of a run (the claimed one included), held for the caller's transaction. */
export async function dueWakeupsOfRun(trx: Trx, runId: string, at: Date): Promise<WorkflowRunWakeupsTable[]> {
  return workflowsDb(trx)
    .selectFrom(WORKFLOW_RUN_WAKEUPS_TABLE)
    .selectAll()
    .where('run_id', '=', runId)
    .where('due_at', '<=', at)
    .forUpdate()
    .skipLocked()
    .execute()
}

export async function deleteWakeups(trx: Trx, wakeupIds: readonly string[]): Promise<void> {
  if (wakeupIds.length === 0) return
  await workflowsDb(trx)
    .deleteFrom(WORKFLOW_RUN_WAKEUPS_TABLE)
    .where('wakeup_id', 'in', [...wakeupIds])
    .execute()
}

/**
 * Serializes the turns of one workflow's runs: a start that looks for a live run and the end that
 * passes the turn on cannot miss each other (held to the transaction's end).
 */
async function lockTurns(trx: Trx, workflowId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`workflow-turns:${workflowId}`}))`.execute(trx)
}

/**
 * A run of a workflow that runs one run at a time takes its place in the line, in the transaction
 * that starts (or retries) it: answers the live run it waits behind (the oldest), or undefined when
 * it runs now.
 */
export async function takeTurn(
  trx: Trx,
  turn: { runId: string; workflowId: string; customer: string },
): Promise<string | undefined> {
  await lockTurns(trx, turn.workflowId)
  const db = workflowsDb(trx)
  const first = await db
    .selectFrom(WORKFLOW_RUN_TURNS_TABLE)
    .select('run_id')
    .where('workflow_id', '=', turn.workflowId)
    .where('run_id', '!=', turn.runId)
    .orderBy('queued_at')
    .orderBy('run_id')
    .limit(1)
    .executeTakeFirst()
  await db
    .insertInto(WORKFLOW_RUN_TURNS_TABLE)
    .values({
      run_id: turn.runId,
      workflow_id: turn.workflowId,
      customer: turn.customer,
      queued_at: sql<Date>`clock_timestamp()`,
    })
    .onConflict((oc) => oc.column('run_id').doNothing())
    .execute()
  return first?.run_id
}

/**
 * A run ended: it leaves the line, and the run now first in it (if any) is woken to start, by a
 * `release:<run id>` wake-up due now, in the same transaction. A run that had no place does nothing.
 */
export async function passTurn(trx: Trx, runId: string): Promise<void> {
  const db = workflowsDb(trx)
  const left = await db
    .deleteFrom(WORKFLOW_RUN_TURNS_TABLE)
    .where('run_id', '=', runId)
    .returning(['workflow_id'])
    .executeTakeFirst()
  if (left === undefined) return
  await lockTurns(trx, left.workflow_id)
  const next = await db
    .selectFrom(WORKFLOW_RUN_TURNS_TABLE)
    .select(['run_id', 'customer'])
    .where('workflow_id', '=', left.workflow_id)
    .orderBy('queued_at')
    .orderBy('run_id')
    .limit(1)
    .executeTakeFirst()
  if (next === undefined) return
  await db
    .insertInto(WORKFLOW_RUN_WAKEUPS_TABLE)
    .values({
      wakeup_id: `release:${next.run_id}`,
      run_id: next.run_id,
      customer: next.customer,
      due_at: sql<Date>`now()`,
    })
    .onConflict((oc) => oc.column('wakeup_id').doNothing())
    .execute()
}

/** The wake-ups as a table of due times. */
export const WORKFLOW_RUN_WAKEUPS: DueTimerTable = { table: WORKFLOW_RUN_WAKEUPS_TABLE, key: 'wakeup_id' }
