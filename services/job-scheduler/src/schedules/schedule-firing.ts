import { checkTaskArguments, isAppError, newId } from '@taskforge/core'
import { type EventStore, handleCommand, type StoredEvent, type Trx } from '@taskforge/event-store'
import { currentTraceContext } from '@taskforge/telemetry'
import { executeJobCommand, type JobCommandDeps } from '../app/job-command-handler.js'
import { resolveTaskArguments } from '../domain/task-arguments.js'
import { jobSpecFromTask } from '../grpc/job-spec-from-task.js'
import type { TaskCatalog } from '../grpc/scheduler-service.js'
import { scheduleDb } from '../schedule/job-schedule-table.js'
import { checkQueueQuota, type QueueQuotas } from '../schedule/queue-quota.js'
import {
  dueAtOf,
  FireOutcome,
  type FirePlan,
  type FireRecord,
  type PlannedFire,
  type ScheduleCommand,
  type ScheduleDomainEvent,
  type ScheduleState,
  scheduleDecider,
  scheduleStatus,
} from './schedule-decider.js'
import {
  decodeScheduleEvent,
  encodeScheduleEvent,
  SCHEDULE_LATEST_OF,
  SCHEDULE_STREAM_TYPE,
} from './schedule-events.js'
import {
  deleteScheduleTimer,
  insertFires,
  type ScheduleTimersTable,
  setScheduleTimer,
} from './schedule-tables.js'

/** How a job's argv is named in a refusal (the task's fixed values and defaults count too). */
const JOB_ARGV = "task_arguments with the task's fixed values and defaults"

export interface ScheduleDeps extends JobCommandDeps {
  store: EventStore
  catalog: TaskCatalog
  queueQuotas: QueueQuotas
  /** Told of every fire recorded (metrics): its outcome, and for a started one its lag. */
  onFire?(fire: FireRecord, lagMs: number | undefined): void
}

export interface ScheduleCommandResult {
  state: ScheduleState
  newEvents: ScheduleDomainEvent[]
  appended: StoredEvent[]
}

/**
 * Runs one command against a schedule stream (read, fold, decide, append with the version read) in
 * the caller's transaction, and keeps the schedule's timer row in step with the state it leaves:
 * due at its next fire (plus jitter), or not armed.
 */
export async function executeScheduleCommand(
  store: EventStore,
  trx: Trx,
  scheduleId: string,
  command: ScheduleCommand,
  author: string,
  /** The schedule's organization, for the events' metadata (commands other than RecordFires carry it). */
  customer = '',
): Promise<ScheduleCommandResult> {
  const trace = currentTraceContext()
  const result = await handleCommand(store, {
    streamType: SCHEDULE_STREAM_TYPE,
    streamId: scheduleId,
    decider: scheduleDecider,
    command,
    trx,
    latestOf: SCHEDULE_LATEST_OF,
    decode: decodeScheduleEvent,
    encode: (event: ScheduleDomainEvent) =>
      encodeScheduleEvent(event, {
        customer:
          command.type === 'CreateSchedule' || command.type !== 'RecordFires' ? command.customer : customer,
        author,
        correlationId: scheduleId,
        ...(trace === undefined ? {} : { traceparent: trace.traceparent, tracestate: trace.tracestate }),
      }),
  })
  const { state } = result
  if (result.newEvents.length > 0) {
    if (state.deleted) await deleteScheduleTimer(trx, scheduleId)
    else await setScheduleTimer(trx, timerRow(state, timerDueAt(state)))
  }
  return { state: result.state, newEvents: result.newEvents, appended: result.appended }
}

/**
 * When the timer of a schedule should next look at it: its next fire. A fire kept by `buffer_one`
 * is not looked for: the end of the job it waits for makes the timer due ({@link wakeBufferedFires}).
 */
export function timerDueAt(state: ScheduleState): Date | undefined {
  if (scheduleStatus(state) !== 'active') return undefined
  return dueAtOf(state, state.fire.nextFireAt)
}

/** A schedule's timer row, due at `dueAt`, naming the job a buffered fire waits for. */
export function timerRow(state: ScheduleState, dueAt: Date | undefined): ScheduleTimersTable {
  return {
    schedule_id: state.id,
    customer: state.customer,
    task_id: state.taskId,
    due_at: dueAt ?? null,
    waits_for_job:
      state.fire.bufferedFor !== undefined && state.fire.lastJobId !== '' ? state.fire.lastJobId : null,
  }
}

/** Reads a schedule's state (its stream, the last `fired` only), in `trx` when given. */
export async function readSchedule(store: EventStore, scheduleId: string, trx?: Trx): Promise<ScheduleState> {
  const { events } = await store.readStream(scheduleId, {
    latestOf: SCHEDULE_LATEST_OF,
    ...(trx === undefined ? {} : { trx }),
  })
  return events.map(decodeScheduleEvent).reduce(scheduleDecider.evolve, scheduleDecider.initialState())
}

/**
 * Whether the job the schedule's latest started fire created has not ended (it has a schedule row).
 * The row is held (key share: its lease may still move) until the caller's transaction ends, so the
 * job cannot end unseen between this answer and a fire buffered on it ({@link wakeBufferedFires}).
 */
export async function jobRunning(trx: Trx, jobId: string): Promise<boolean> {
  if (jobId === '') return false
  const row = await scheduleDb(trx)
    .selectFrom('job_schedule')
    .select('job_id')
    .where('job_id', '=', jobId)
    .forKeyShare()
    .executeTakeFirst()
  return row !== undefined
}

const TRANSIENT = new Set(['UNAVAILABLE', 'TIMEOUT', 'DEADLINE_EXCEEDED', 'INTERNAL'])

/** What starting one fire gave. */
interface Started {
  outcome: 'started' | 'failed_to_start'
  jobId: string
  reason: string
  /** The task is gone for good: the schedule goes to error. */
  taskGone?: boolean
}

/**
 * Starts the job of one fire through the same path as a run: the task and its script read from the
 * catalog now, the schedule's arguments checked against the task again, the queue quotas held,
 * `QueueJob` with origin `schedule`, the schedule id and the scheduled time, in `trx`. What cannot
 * start (task deleted, arguments no longer valid, queue full) is answered as `failed_to_start` with
 * its reason; a catalog that does not answer throws (the fire is tried again, not lost).
 */
async function startFire(
  deps: ScheduleDeps,
  trx: Trx,
  state: ScheduleState,
  planned: PlannedFire,
  now: Date,
): Promise<Started> {
  const { customer, taskId } = state
  let found: Awaited<ReturnType<TaskCatalog['getTaskToRun']>>
  try {
    found = await deps.catalog.getTaskToRun({ customer, taskId, secret: '' })
  } catch (error) {
    if (isAppError(error) && error.code === 'NOT_FOUND')
      return { outcome: 'failed_to_start', jobId: '', reason: `task ${taskId} is gone`, taskGone: true }
    throw error
  }
  const { task, script } = found
  if (task === undefined)
    return { outcome: 'failed_to_start', jobId: '', reason: `task ${taskId} is gone`, taskGone: true }
  if (script === undefined)
    return { outcome: 'failed_to_start', jobId: '', reason: `task ${taskId} has no script to run` }
  const jobId = newId()
  try {
    const argv = resolveTaskArguments(task.definition?.taskArguments ?? [], state.spec.taskArguments)
    checkTaskArguments(argv, JOB_ARGV)
    await checkQueueQuota(trx, deps.queueQuotas, customer, taskId)
    if (planned.cancel !== undefined && planned.cancel !== '') {
      try {
        await executeJobCommand(
          deps,
          planned.cancel,
          { type: 'Cancel', customer, reason: `schedule ${state.id} (cancel_running) starts a new run` },
          { author: 'schedule', causationId: state.id, trx },
        )
      } catch (error) {
        // Ended in between: nothing to cancel.
        if (!isAppError(error)) throw error
      }
    }
    await executeJobCommand(
      deps,
      jobId,
      {
        type: 'QueueJob',
        jobId,
        customer,
        spec: jobSpecFromTask(task, script),
        argumentsValues: argv,
        origin: 'schedule',
        now,
        schedule: { scheduleId: state.id, scheduledFor: planned.scheduledFor },
      },
      { author: 'schedule', causationId: state.id, trx },
    )
    return { outcome: 'started', jobId, reason: planned.reason }
  } catch (error) {
    if (!isAppError(error) || TRANSIENT.has(error.code)) throw error
    return { outcome: 'failed_to_start', jobId: '', reason: error.message }
  }
}

/**
 * Carries out a plan in `trx`: starts the fires it starts, records every fire (its row, whose key
 * refuses a second record of the same scheduled time, and its `fired` event, appended with the
 * stream version read), and re-arms the timer. A task found gone ends the plan: the schedule goes to
 * `error`, visibly, with the reason.
 */
export async function carryOut(
  deps: ScheduleDeps,
  trx: Trx,
  state: ScheduleState,
  plan: FirePlan,
  now: Date,
  author: string,
): Promise<{ records: FireRecord[]; result: ScheduleCommandResult | undefined }> {
  const records: FireRecord[] = []
  let failure: string | undefined
  for (const planned of plan.fires) {
    if (planned.action !== 'start') {
      records.push({
        scheduledFor: planned.scheduledFor,
        kind: planned.kind,
        outcome: planned.action,
        jobId: '',
        reason: planned.reason,
      })
      continue
    }
    const started = await startFire(deps, trx, state, planned, now)
    records.push({
      scheduledFor: planned.scheduledFor,
      kind: planned.kind,
      outcome: started.outcome,
      jobId: started.jobId,
      reason: started.reason,
    })
    if (started.taskGone) {
      failure = started.reason
      break
    }
  }
  const cursor = plan.cursor
  if (records.length === 0 && failure === undefined && cursor.getTime() === state.fire.cursor.getTime())
    return { records, result: undefined }
  await insertFires(
    trx,
    records.map((record) => ({
      schedule_id: state.id,
      kind: record.kind,
      scheduled_for: record.scheduledFor,
      customer: state.customer,
      outcome: record.outcome,
      job_id: record.jobId,
      reason: record.reason,
    })),
  )
  const result = await executeScheduleCommand(
    deps.store,
    trx,
    state.id,
    {
      type: 'RecordFires',
      fires: records,
      cursor,
      bufferedFor: failure === undefined ? plan.bufferedFor : undefined,
      now,
      ...(failure === undefined ? {} : { failure }),
    },
    author,
    state.customer,
  )
  return { records, result }
}

/** Tells `onFire` of records once their transaction committed: a started fire's lag runs until now. */
export function reportFires(deps: ScheduleDeps, records: readonly FireRecord[]): void {
  if (deps.onFire === undefined) return
  const committedAt = Date.now()
  for (const record of records) {
    const lag =
      record.outcome === FireOutcome.started && record.kind === 'schedule'
        ? committedAt - record.scheduledFor.getTime()
        : undefined
    deps.onFire(record, lag)
  }
}
