import type { Db, Trx } from '@taskforge/event-store'
import type { TaskEvent } from '@taskforge/proto/catalog/v1/events'
import type { TaskTrigger } from '@taskforge/proto/catalog/v1/model'
import { sql } from 'kysely'
import {
  TASK_TRIGGER_VERSIONS_TABLE,
  TASK_TRIGGERS_TABLE,
  type TaskTriggersTable,
  type TriggerSourceKind,
  triggersDb,
} from './task-triggers-table.js'

/** One task event as the projection needs it (from an events.v1.Envelope of stream type `task`). */
export interface TaskEventFact {
  taskId: string
  customer: string
  version: number
  event: NonNullable<TaskEvent['event']>
}

/** The rows a task's triggers make; a trigger naming neither a task nor a webhook makes none. */
export function triggerRows(customer: string, taskId: string, triggers: readonly TaskTrigger[]) {
  const rows: TaskTriggersTable[] = []
  for (const trigger of triggers) {
    if (trigger.taskId !== '') {
      rows.push({
        customer,
        task_id: taskId,
        source_kind: 'task',
        source_id: trigger.taskId,
        outcome: trigger.event,
      })
    } else if (trigger.webhookId !== '') {
      rows.push({
        customer,
        task_id: taskId,
        source_kind: 'webhook',
        source_id: trigger.webhookId,
        outcome: '',
      })
    }
  }
  return rows
}

/**
 * Applies one task event to the scheduler's copy of who triggers which task. Every created or updated
 * event carries the whole definition, so the task's rows are replaced; events at or below the version
 * already applied are skipped (redeliveries, late arrivals), and a deleted task keeps its version so
 * that nothing older brings it back. Answers whether the event changed anything.
 */
export async function applyTaskEvent(trx: Trx, fact: TaskEventFact): Promise<boolean> {
  const db = triggersDb(trx)
  const deleted = fact.event.$case === 'deleted'
  const claimed = await db
    .insertInto(TASK_TRIGGER_VERSIONS_TABLE)
    .values({ task_id: fact.taskId, version: fact.version, deleted })
    .onConflict((oc) =>
      oc
        .column('task_id')
        .doUpdateSet((eb) => ({
          version: eb.ref('excluded.version'),
          // Once deleted, a task stays deleted: its id never comes back.
          deleted: sql<boolean>`${sql.ref(`${TASK_TRIGGER_VERSIONS_TABLE}.deleted`)} or excluded.deleted`,
        }))
        .where(`${TASK_TRIGGER_VERSIONS_TABLE}.version`, '<', fact.version),
    )
    .returning('deleted')
    .executeTakeFirst()
  if (claimed === undefined) return false
  const { event } = fact
  if (event.$case !== 'created' && event.$case !== 'updated' && event.$case !== 'deleted') return false
  await db.deleteFrom(TASK_TRIGGERS_TABLE).where('task_id', '=', fact.taskId).execute()
  if (claimed.deleted || event.$case === 'deleted') return true
  const rows = triggerRows(fact.customer, fact.taskId, event.value.definition?.triggers ?? [])
  if (rows.length > 0) {
    await db
      .insertInto(TASK_TRIGGERS_TABLE)
      .values(rows)
      .onConflict((oc) => oc.doNothing())
      .execute()
  }
  return true
}

/** An update of other fields than `triggers`, or a new secret: the task's trigger rows stay as they are. */
function leavesTriggers(event: TaskEventFact['event']): boolean {
  if (event.$case === 'secretRotated') return true
  if (event.$case !== 'updated') return false
  // An update naming no field says nothing about its triggers.
  const fields = event.value.changedFields
  return fields.length > 0 && !fields.includes('triggers')
}

/**
 * Applies, in one statement and without a transaction, an event that leaves the task's triggers as
 * they are and directly follows the version applied last: only that version moves. Most task events
 * are such updates (a description, arguments, a timeout), and they need no more. Answers false when
 * the event is not one of them, or does not follow the applied version (a gap, a redelivery, a
 * deleted task): {@link applyTaskEvent} then decides, on the whole definition the event carries.
 */
export async function applyTriggerlessTaskEvent(db: Db | Trx, fact: TaskEventFact): Promise<boolean> {
  if (!leavesTriggers(fact.event)) return false
  const moved = await triggersDb(db)
    .updateTable(TASK_TRIGGER_VERSIONS_TABLE)
    .set({ version: fact.version })
    .where('task_id', '=', fact.taskId)
    .where('version', '=', fact.version - 1)
    .where('deleted', '=', false)
    .returning('task_id')
    .executeTakeFirst()
  return moved !== undefined
}

/** The tasks of `customer` that `source` triggers (for a task source, on `outcome`). */
export async function tasksTriggeredBy(
  conn: Db | Trx,
  customer: string,
  source: { kind: TriggerSourceKind; id: string; outcome: string },
): Promise<string[]> {
  const rows = await triggersDb(conn)
    .selectFrom(TASK_TRIGGERS_TABLE)
    .select('task_id')
    .where('customer', '=', customer)
    .where('source_kind', '=', source.kind)
    .where('source_id', '=', source.id)
    .where('outcome', '=', source.outcome)
    .orderBy('task_id')
    .execute()
  return rows.map((row) => row.task_id)
}
