import type { Db, Trx } from '@taskforge/event-store'
import { jobStatusAfter } from '@taskforge/model'
import { TaskDefaults } from '@taskforge/protocol'
import type { Insertable } from 'kysely'
import type { JobDomainEvent } from '../domain/job-decider.js'
import { leaseDeadline } from './job-leases.js'
import {
  JOB_SCHEDULE_TABLE,
  type JobScheduleTable,
  type ScheduleDb,
  scheduleDb,
  schedulePhase,
} from './job-schedule-table.js'

/** Events just appended for one job. */
export interface JobEvents {
  jobId: string
  events: readonly JobDomainEvent[]
}

/** One write to a job's schedule row; writes of the same kind and values apply to many jobs at once. */
type ScheduleWrite =
  | { kind: 'insert'; row: Insertable<JobScheduleTable> }
  | { kind: 'assign'; botId: string; attempt: number }
  | { kind: 'start' }
  | { kind: 'renew' }
  | { kind: 'release'; assign?: { botId: string; attempt: number } }
  | { kind: 'delete' }

/**
 * The writes that bring a job's schedule row up to date with its new events, one per decision
 * (queued and assigned at once is one insert; released and assigned one update).
 */
function scheduleWrites(jobId: string, events: readonly JobDomainEvent[]): ScheduleWrite[] {
  const writes: ScheduleWrite[] = []
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!
    const next = events[index + 1]
    // An assignment decided with the event before it lands with that event's write.
    const assignedNext = next?.$case === 'assigned' ? next.value : undefined
    const assign =
      assignedNext === undefined ? undefined : { botId: assignedNext.botId, attempt: assignedNext.attempt }
    switch (event.$case) {
      case 'queued': {
        // A job refused at once (queued, then canceled) never had a row.
        const queued = jobStatusAfter(undefined, event)
        const phase = schedulePhase(next === undefined ? queued : jobStatusAfter(queued, next))
        if (phase === undefined) break
        const { customer, spec } = event.value
        writes.push({
          kind: 'insert',
          row: {
            job_id: jobId,
            customer,
            task_id: spec?.taskId ?? '',
            bot_id: assign?.botId ?? spec?.hostId ?? '',
            multitasking: spec?.multitasking ?? TaskDefaults.multitasking,
            phase,
            attempt: assign?.attempt ?? 0,
          },
        })
        if (assign !== undefined) index += 1
        break
      }
      case 'assigned':
        writes.push({ kind: 'assign', botId: event.value.botId, attempt: event.value.attempt })
        break
      case 'started':
        writes.push({ kind: 'start' })
        break
      case 'outputAppended':
        writes.push({ kind: 'renew' })
        break
      case 'holdReleased':
        writes.push(assign === undefined ? { kind: 'release' } : { kind: 'release', assign })
        if (assign !== undefined) index += 1
        break
      case 'cancelRequested':
      case 'awaitingApproval':
      case 'stepVoted':
        break
      case 'finished':
      case 'canceled':
      case 'leaseExpired':
        writes.push({ kind: 'delete' })
        break
    }
  }
  return writes
}

/** Applies one kind of write to the rows of `jobIds` (for inserts, the rows given). */
async function applyWrites(
  db: ScheduleDb,
  writes: { jobId: string; write: ScheduleWrite }[],
  leaseMs: number,
): Promise<void> {
  const first = writes[0]!.write
  const jobIds = writes.map(({ jobId }) => jobId)
  const rows = () => db.updateTable(JOB_SCHEDULE_TABLE).where('job_id', 'in', jobIds)
  switch (first.kind) {
    case 'insert':
      await db
        .insertInto(JOB_SCHEDULE_TABLE)
        .values(writes.map(({ write }) => (write as typeof first).row))
        .onConflict((oc) => oc.column('job_id').doNothing())
        .execute()
      return
    case 'assign':
      await rows()
        .set({ phase: 'assigned', bot_id: first.botId, attempt: first.attempt, lease_expires_at: null })
        .execute()
      return
    case 'start':
      await rows()
        .set({ phase: 'running', lease_expires_at: leaseDeadline(leaseMs) })
        .execute()
      return
    case 'renew':
      await rows()
        .set({ lease_expires_at: leaseDeadline(leaseMs) })
        .where('phase', '=', 'running')
        .execute()
      return
    case 'release':
      await rows()
        .set({
          phase: 'ready',
          ...(first.assign === undefined
            ? {}
            : {
                phase: 'assigned',
                bot_id: first.assign.botId,
                attempt: first.assign.attempt,
                lease_expires_at: null,
              }),
        })
        .where('phase', '=', 'onhold')
        .execute()
      return
    case 'delete':
      await db.deleteFrom(JOB_SCHEDULE_TABLE).where('job_id', 'in', jobIds).execute()
      return
  }
}

/**
 * Brings the schedule rows of jobs up to date with the events just appended for them, in their
 * transaction. A job's writes apply in order; the same write for many jobs (their leases renewed,
 * their rows deleted) is one statement. Answers the jobs that ended (their rows are gone), which
 * may give their tasks' turn to a next job.
 */
export async function applyScheduleEffects(
  conn: Db | Trx,
  changes: readonly JobEvents[],
  leaseMs: number,
): Promise<Set<string>> {
  const db = scheduleDb(conn)
  const ended = new Set<string>()
  const writesByJob = changes.map(({ jobId, events }) => ({ jobId, writes: scheduleWrites(jobId, events) }))
  for (let round = 0; ; round++) {
    const groups = new Map<string, { jobId: string; write: ScheduleWrite }[]>()
    for (const { jobId, writes } of writesByJob) {
      const write = writes[round]
      if (write === undefined) continue
      if (write.kind === 'delete') ended.add(jobId)
      const key = write.kind === 'insert' ? 'insert' : JSON.stringify(write)
      const group = groups.get(key)
      if (group === undefined) groups.set(key, [{ jobId, write }])
      else group.push({ jobId, write })
    }
    if (groups.size === 0) return ended
    for (const group of groups.values()) await applyWrites(db, group, leaseMs)
  }
}
