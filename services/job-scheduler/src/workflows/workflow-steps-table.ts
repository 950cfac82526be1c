import type { Db, Trx } from '@taskforge/event-store'
import type { JobDomainEvent } from '@taskforge/model'
import { Roles } from '@taskforge/model'
import type { StepFormField } from '@taskforge/proto/jobs/v1/model'
import type { StepVoter, WorkflowStepView } from '@taskforge/proto/jobs/v1/workflow_runs'
import { type ColumnType, type Kysely, sql } from 'kysely'

type Json<T> = ColumnType<T, string, string>

/**
 * The steps of workflow runs that wait for people (decision 32): one row per step job while it
 * waits, written in the transaction of the job's events (as the job's schedule row is), deleted when
 * the step ends. The inbox is read from it.
 */
export interface WorkflowStepsTable {
  job_id: string
  customer: string
  run_id: string
  workflow_id: string
  workflow_name: string
  node: string
  kind: string
  approvers: string[]
  required: number
  approvals: number
  /** Names and ids of the tokens that voted: they do not see the step again. */
  voter_names: string[]
  voter_ids: string[]
  starter_id: string
  starter_name: string
  form: Json<StepFormField[]>
  expires_at: Date
  created_at: Date
}

export const WORKFLOW_STEPS_TABLE = 'workflow_steps'

interface StepsDatabase {
  workflow_steps: WorkflowStepsTable
}

const stepsDb = (conn: Db | Trx) => conn as unknown as Kysely<StepsDatabase>

export async function createWorkflowStepsTable(conn: Db): Promise<void> {
  const db = stepsDb(conn)
  await db.schema
    .createTable(WORKFLOW_STEPS_TABLE)
    .ifNotExists()
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('workflow_name', 'text', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('approvers', sql`text[]`, (c) => c.notNull())
    .addColumn('required', 'integer', (c) => c.notNull())
    .addColumn('approvals', 'integer', (c) => c.notNull())
    .addColumn('voter_names', sql`text[]`, (c) => c.notNull())
    .addColumn('voter_ids', sql`text[]`, (c) => c.notNull())
    .addColumn('starter_id', 'text', (c) => c.notNull())
    .addColumn('starter_name', 'text', (c) => c.notNull())
    .addColumn('form', 'jsonb', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('workflow_steps_customer_created')
    .ifNotExists()
    .on(WORKFLOW_STEPS_TABLE)
    .columns(['customer', 'created_at desc', 'job_id desc'])
    .execute()
}

/** Brings the waiting steps up to date with events just appended for jobs, in their transaction. */
export async function applyStepEvents(
  trx: Trx,
  changes: readonly { jobId: string; customer: string; events: readonly JobDomainEvent[] }[],
  now: Date,
): Promise<void> {
  const db = stepsDb(trx)
  for (const { jobId, customer, events } of changes) {
    for (const event of events) {
      switch (event.$case) {
        case 'awaitingApproval': {
          const step = event.value.step
          if (step === undefined) break
          await db
            .insertInto(WORKFLOW_STEPS_TABLE)
            .values({
              job_id: jobId,
              customer,
              run_id: step.runId,
              workflow_id: step.workflowId,
              workflow_name: step.workflowName,
              node: step.node,
              kind: step.kind,
              approvers: step.approvers.map((entry) => entry.trim()).filter((entry) => entry !== ''),
              required: step.required,
              approvals: 0,
              voter_names: [],
              voter_ids: [],
              starter_id: step.starterId,
              starter_name: step.starterName,
              form: JSON.stringify(step.form),
              expires_at: step.expiresAt ?? now,
              created_at: now,
            })
            .onConflict((oc) => oc.column('job_id').doNothing())
            .execute()
          break
        }
        case 'stepVoted': {
          const { voterName, voterId, vote } = event.value
          await db
            .updateTable(WORKFLOW_STEPS_TABLE)
            .set({
              approvals: sql`approvals + ${vote === 'approve' ? 1 : 0}`,
              voter_names: sql`array_append(voter_names, ${voterName}::text)`,
              voter_ids: sql`array_append(voter_ids, ${voterId}::text)`,
            })
            .where('job_id', '=', jobId)
            .execute()
          break
        }
        case 'finished':
        case 'canceled':
        case 'leaseExpired':
          await db.deleteFrom(WORKFLOW_STEPS_TABLE).where('job_id', '=', jobId).execute()
          break
        default:
          break
      }
    }
  }
}

/** The acl entries a voter matches: its name, its tags, and every role it has at least. */
function entriesOf(voter: StepVoter): string[] {
  const rank = Roles.indexOf(voter.role as (typeof Roles)[number])
  return [voter.name, ...voter.tags, ...Roles.filter((_, index) => index <= rank)]
}

/**
 * The waiting steps `voter` may decide, newest first, after the keyset `after`: those whose
 * approvers it matches (as {@link mayDecide} decides), that its token did not start and did not vote
 * on yet, of the workflows given (those it sees) when they are given. At most `limit`, and whether
 * more follow.
 */
export async function listInbox(
  conn: Db,
  query: {
    customer: string
    voter: StepVoter
    workflowIds: readonly string[] | undefined
    limit: number
    after: { createdAt: Date; jobId: string } | undefined
  },
): Promise<{ steps: WorkflowStepView[]; more: boolean }> {
  const { customer, voter, workflowIds, limit, after } = query
  if (workflowIds !== undefined && workflowIds.length === 0) return { steps: [], more: false }
  const isAdmin = voter.role === 'admin'
  const mayRun = voter.role === 'admin' || voter.role === 'user'
  let select = stepsDb(conn)
    .selectFrom(WORKFLOW_STEPS_TABLE)
    .selectAll()
    .where('customer', '=', customer)
    .where(
      sql<boolean>`NOT (starter_id <> '' AND (starter_id = ${voter.id} OR starter_name = ${voter.name}))`,
    )
    .where(sql<boolean>`NOT (${voter.name}::text = ANY(voter_names))`)
    .where(sql<boolean>`NOT (${voter.id}::text <> '' AND ${voter.id}::text = ANY(voter_ids))`)
  if (!isAdmin) {
    select = select.where(
      sql<boolean>`((cardinality(approvers) = 0 AND ${mayRun}) OR approvers && ${entriesOf(voter)}::text[])`,
    )
  }
  if (workflowIds !== undefined) select = select.where('workflow_id', 'in', [...workflowIds])
  if (after !== undefined)
    select = select.where(sql<boolean>`(created_at, job_id) < (${after.createdAt}, ${after.jobId})`)
  const rows = await select
    .orderBy('created_at', 'desc')
    .orderBy('job_id', 'desc')
    .limit(limit + 1)
    .execute()
  return {
    steps: rows.slice(0, limit).map((row) => ({
      jobId: row.job_id,
      runId: row.run_id,
      workflowId: row.workflow_id,
      workflowName: row.workflow_name,
      node: row.node,
      kind: row.kind,
      approvals: row.approvals,
      required: row.required,
      form: row.form as unknown as StepFormField[],
      expiresAt: row.expires_at,
      createdAt: row.created_at,
      state: 'waiting',
      approvers: row.approvers,
    })),
    more: rows.length > limit,
  }
}
