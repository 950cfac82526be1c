import type { Db, Trx } from '@taskforge/event-store'
import type { JobDomainEvent } from '../domain/job-decider.js'
import { leaseDeadline } from './job-leases.js'
import { JOB_SCHEDULE_TABLE, scheduleDb } from './job-schedule-table.js'

/**
 * Brings a job's schedule row up to date with the events just appended for it, in their transaction,
 * in one statement for the usual decisions (queued and assigned at once is one insert; released and
 * assigned one update). Answers whether the job ended (its row is gone), which may give the task's
 * turn to its next job.
 */
export async function applyScheduleEffects(
  conn: Db | Trx,
  jobId: string,
  events: readonly JobDomainEvent[],
  leaseMs: number,
): Promise<{ ended: boolean }> {
  const db = scheduleDb(conn)
  let ended = false
  const row = () => db.updateTable(JOB_SCHEDULE_TABLE).where('job_id', '=', jobId)
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!
    const next = events[index + 1]
    // An assignment decided with the event before it lands with that event's write.
    const assignedNext = next?.$case === 'assigned' ? next.value : undefined
    const assignment =
      assignedNext === undefined
        ? {}
        : { phase: 'assigned' as const, bot_id: assignedNext.botId, attempt: assignedNext.attempt }
    switch (event.$case) {
      case 'queued': {
        // A job refused at once (queued, then canceled) never had a row.
        if (next?.$case === 'canceled') break
        const { customer, spec, holdUntil } = event.value
        await db
          .insertInto(JOB_SCHEDULE_TABLE)
          .values({
            job_id: jobId,
            customer,
            task_id: spec?.taskId ?? '',
            bot_id: spec?.hostId ?? '',
            multitasking: spec?.multitasking ?? true,
            phase: holdUntil === undefined ? 'ready' : 'onhold',
            attempt: 0,
            ...assignment,
          })
          .onConflict((oc) => oc.column('job_id').doNothing())
          .execute()
        if (assignedNext !== undefined) index += 1
        break
      }
      case 'assigned':
        await row()
          .set({
            phase: 'assigned',
            bot_id: event.value.botId,
            attempt: event.value.attempt,
            lease_expires_at: null,
          })
          .execute()
        break
      case 'started':
        await row()
          .set({ phase: 'running', lease_expires_at: leaseDeadline(leaseMs) })
          .execute()
        break
      case 'outputAppended':
        await row()
          .set({ lease_expires_at: leaseDeadline(leaseMs) })
          .where('phase', '=', 'running')
          .execute()
        break
      case 'holdReleased':
        await row()
          .set({
            phase: 'ready',
            ...assignment,
            ...(assignedNext === undefined ? {} : { lease_expires_at: null }),
          })
          .where('phase', '=', 'onhold')
          .execute()
        if (assignedNext !== undefined) index += 1
        break
      case 'cancelRequested':
        break
      case 'finished':
      case 'canceled':
      case 'leaseExpired':
        await db.deleteFrom(JOB_SCHEDULE_TABLE).where('job_id', '=', jobId).execute()
        ended = true
        break
    }
  }
  return { ended }
}
