import { notFound } from '@taskforge/core'
import type { Db, Trx } from '@taskforge/event-store'
import type { WorkflowEvent } from '@taskforge/proto/catalog/v1/events'
import { type Workflow, WorkflowDefinition } from '@taskforge/proto/catalog/v1/model'
import { WORKFLOW_VERSIONS_TABLE, workflowsDb } from './workflow-tables.js'

/** Keeps one version of a workflow as saved; a version already kept stays as it is (versions never change). */
export async function keepWorkflowVersion(
  conn: Db | Trx,
  version: { workflowId: string; customer: string; version: number; definition: WorkflowDefinition },
): Promise<void> {
  await workflowsDb(conn)
    .insertInto(WORKFLOW_VERSIONS_TABLE)
    .values({
      workflow_id: version.workflowId,
      version: version.version,
      customer: version.customer,
      definition: Buffer.from(WorkflowDefinition.encode(version.definition).finish()),
    })
    .onConflict((oc) => oc.columns(['workflow_id', 'version']).doNothing())
    .execute()
}

/** Keeps the version a catalog answer holds. */
export async function keepWorkflow(conn: Db | Trx, workflow: Workflow): Promise<void> {
  if (workflow.definition === undefined) return
  await keepWorkflowVersion(conn, {
    workflowId: workflow.id,
    customer: workflow.customer,
    version: workflow.version,
    definition: workflow.definition,
  })
}

/**
 * Applies one of the catalog's workflow events (decision 29: each carries a whole version). A
 * deletion keeps the versions: runs pinned to one go on with it.
 */
export async function applyWorkflowEvent(
  conn: Db | Trx,
  fact: { workflowId: string; customer: string; event: NonNullable<WorkflowEvent['event']> },
): Promise<void> {
  const { event } = fact
  if (event.$case === 'created' && event.value.definition !== undefined) {
    await keepWorkflowVersion(conn, { ...fact, version: 1, definition: event.value.definition })
  } else if (event.$case === 'updated' && event.value.definition !== undefined) {
    await keepWorkflowVersion(conn, {
      ...fact,
      version: event.value.version,
      definition: event.value.definition,
    })
  }
}

/** The definition of a workflow at one version, as kept. */
export async function pinnedDefinition(
  conn: Db | Trx,
  workflowId: string,
  version: number,
): Promise<WorkflowDefinition> {
  const row = await workflowsDb(conn)
    .selectFrom(WORKFLOW_VERSIONS_TABLE)
    .select('definition')
    .where('workflow_id', '=', workflowId)
    .where('version', '=', version)
    .executeTakeFirst()
  if (row === undefined) throw notFound('workflow version', `${workflowId}@${version}`)
  return WorkflowDefinition.decode(row.definition)
}
