import type { Db, Trx } from '@taskforge/event-store'
import type { WorkflowEvent } from '@taskforge/proto/catalog/v1/events'
import type { TaskTrigger } from '@taskforge/proto/catalog/v1/model'
import { type Kysely, sql } from 'kysely'
import type { TriggerSourceKind } from '../triggers/task-triggers-table.js'

/**
 * One trigger of a workflow, as the scheduler knows it from the catalog's workflow events: a run of
 * `workflow_id` starts when `source_id` (a task with `outcome` success|failure, or a webhook with
 * outcome '') fires. The same shape as a task's triggers (decision 8).
 */
export interface WorkflowTriggersTable {
  customer: string
  workflow_id: string
  source_kind: TriggerSourceKind
  source_id: string
  outcome: string
}

/** The last workflow event applied per workflow (its stream version), so a late event changes nothing. */
export interface WorkflowTriggerVersionsTable {
  workflow_id: string
  version: number
  deleted: boolean
}

interface WorkflowTriggersDatabase {
  workflow_triggers: WorkflowTriggersTable
  workflow_trigger_versions: WorkflowTriggerVersionsTable
}

export const WORKFLOW_TRIGGERS_TABLE = 'workflow_triggers'
export const WORKFLOW_TRIGGER_VERSIONS_TABLE = 'workflow_trigger_versions'

function db(conn: Db | Trx): Kysely<WorkflowTriggersDatabase> {
  return conn as Kysely<WorkflowTriggersDatabase>
}

/** Creates the tables and their index when missing. */
export async function createWorkflowTriggersTables(conn: Db | Trx): Promise<void> {
  await db(conn)
    .schema.createTable(WORKFLOW_TRIGGERS_TABLE)
    .ifNotExists()
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('workflow_triggers_pk', ['workflow_id', 'source_kind', 'source_id', 'outcome'])
    .execute()
  await db(conn)
    .schema.createIndex('workflow_triggers_source')
    .ifNotExists()
    .on(WORKFLOW_TRIGGERS_TABLE)
    .columns(['customer', 'source_kind', 'source_id', 'outcome'])
    .execute()
  await db(conn)
    .schema.createTable(WORKFLOW_TRIGGER_VERSIONS_TABLE)
    .ifNotExists()
    .addColumn('workflow_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('deleted', 'boolean', (c) => c.notNull())
    .execute()
}

/** The rows a workflow's triggers make; a trigger naming neither a task nor a webhook makes none. */
export function workflowTriggerRows(
  customer: string,
  workflowId: string,
  triggers: readonly TaskTrigger[],
): WorkflowTriggersTable[] {
  return triggers.flatMap((trigger): WorkflowTriggersTable[] => {
    if (trigger.taskId !== '')
      return [
        {
          customer,
          workflow_id: workflowId,
          source_kind: 'task',
          source_id: trigger.taskId,
          outcome: trigger.event,
        },
      ]
    if (trigger.webhookId !== '')
      return [
        {
          customer,
          workflow_id: workflowId,
          source_kind: 'webhook',
          source_id: trigger.webhookId,
          outcome: '',
        },
      ]
    return []
  })
}

/**
 * Applies one workflow event (at its stream version) to the scheduler's copy of who triggers which
 * workflow, as {@link applyTaskEvent} does for tasks: a created or updated event carries the whole
 * definition, so the workflow's rows are replaced; an event at or below the version applied is
 * skipped; a deleted workflow keeps its version and no rows, and nothing older brings them back.
 */
export async function applyWorkflowTriggers(
  trx: Trx,
  fact: {
    workflowId: string
    customer: string
    streamVersion: number
    event: NonNullable<WorkflowEvent['event']>
  },
): Promise<boolean> {
  const { event } = fact
  if (event.$case !== 'created' && event.$case !== 'updated' && event.$case !== 'deleted') return false
  const deleted = event.$case === 'deleted'
  const claimed = await db(trx)
    .insertInto(WORKFLOW_TRIGGER_VERSIONS_TABLE)
    .values({ workflow_id: fact.workflowId, version: fact.streamVersion, deleted })
    .onConflict((oc) =>
      oc
        .column('workflow_id')
        .doUpdateSet((eb) => ({
          version: eb.ref('excluded.version'),
          deleted: sql<boolean>`${sql.ref(`${WORKFLOW_TRIGGER_VERSIONS_TABLE}.deleted`)} or excluded.deleted`,
        }))
        .where(`${WORKFLOW_TRIGGER_VERSIONS_TABLE}.version`, '<', fact.streamVersion),
    )
    .returning('deleted')
    .executeTakeFirst()
  if (claimed === undefined) return false
  await db(trx).deleteFrom(WORKFLOW_TRIGGERS_TABLE).where('workflow_id', '=', fact.workflowId).execute()
  if (claimed.deleted || event.$case === 'deleted') return true
  const rows = workflowTriggerRows(fact.customer, fact.workflowId, event.value.definition?.triggers ?? [])
  if (rows.length > 0)
    await db(trx)
      .insertInto(WORKFLOW_TRIGGERS_TABLE)
      .values(rows)
      .onConflict((oc) => oc.doNothing())
      .execute()
  return true
}

/** The workflows of `customer` that `source` triggers (for a task source, on `outcome`). */
export async function workflowsTriggeredBy(
  conn: Db | Trx,
  customer: string,
  source: { kind: TriggerSourceKind; id: string; outcome: string },
): Promise<string[]> {
  const rows = await db(conn)
    .selectFrom(WORKFLOW_TRIGGERS_TABLE)
    .select('workflow_id')
    .where('customer', '=', customer)
    .where('source_kind', '=', source.kind)
    .where('source_id', '=', source.id)
    .where('outcome', '=', source.outcome)
    .orderBy('workflow_id')
    .execute()
  return rows.map((row) => row.workflow_id)
}
