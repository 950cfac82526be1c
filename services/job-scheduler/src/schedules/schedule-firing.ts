import { checkTaskArguments, isAppError, newId } from '@taskforge/core'
import { type EventStore, handleCommands, type StoredEvent, type Trx } from '@taskforge/event-store'
import type { Script, Task } from '@taskforge/proto/catalog/v1/model'
import { currentTraceContext } from '@taskforge/telemetry'
import {
  executeJobCommandsIn,
  type JobCommandDeps,
  type JobCommandRequest,
} from '../app/job-command-handler.js'
import { resolveTaskArguments } from '../domain/task-arguments.js'
import { jobSpecFromTask } from '../grpc/job-spec-from-task.js'
import type { TaskCatalog } from '../grpc/scheduler-service.js'
import { scheduleDb } from '../schedule/job-schedule-table.js'
import { countNotStarted, type QueueQuotas, takeQueueRoom } from '../schedule/queue-quota.js'
import { lockTasks } from '../schedule/task-queue.js'
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
  deleteScheduleTimers,
  type FireRow,
  insertFires,
  type ScheduleTimersTable,
  setScheduleTimers,
} from './schedule-tables.js'

/** Failures of the infrastructure, not of the fire: the fire is tried again. */
const TRANSIENT = new Set(['UNAVAILABLE', 'TIMEOUT', 'DEADLINE_EXCEEDED', 'INTERNAL'])

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
  const [result] = await executeScheduleCommands(store, trx, [{ scheduleId, command, customer }], author)
  return result!
}

/** One command of {@link executeScheduleCommands}. */
export interface ScheduleCommandRequest {
  scheduleId: string
  command: ScheduleCommand
  /** The schedule's organization, for the events' metadata (commands other than RecordFires carry it). */
  customer: string
}

/**
 * {@link executeScheduleCommand} for commands on distinct schedules (a burst of fires): their streams
 * read in one query, their events appended in one statement, their timer rows written in one. The
 * first command that fails fails them all (the caller's transaction rolls back).
 */
export async function executeScheduleCommands(
  store: EventStore,
  trx: Trx,
  requests: readonly ScheduleCommandRequest[],
  author: string,
): Promise<ScheduleCommandResult[]> {
  if (requests.length === 0) return []
  const trace = currentTraceContext()
  const outcomes = await handleCommands(store, {
    streamType: SCHEDULE_STREAM_TYPE,
    decider: scheduleDecider,
    decode: decodeScheduleEvent,
    trx,
    latestOf: SCHEDULE_LATEST_OF,
    commands: requests.map(({ scheduleId, command, customer }) => ({
      streamId: scheduleId,
      command,
      encode: (event: ScheduleDomainEvent) =>
        encodeScheduleEvent(event, {
          customer: command.type !== 'RecordFires' ? command.customer : customer,
          author,
          correlationId: scheduleId,
          ...(trace === undefined ? {} : { traceparent: trace.traceparent, tracestate: trace.tracestate }),
        }),
    })),
  })
  const results = outcomes.map((outcome) => {
    if (!outcome.ok) throw outcome.error
    const { state, newEvents, appended } = outcome.result
    return { state, newEvents, appended }
  })
  const changed = results.filter((result) => result.newEvents.length > 0)
  await deleteScheduleTimers(
    trx,
    changed.filter(({ state }) => state.deleted).map(({ state }) => state.id),
  )
  await setScheduleTimers(
    trx,
    changed.filter(({ state }) => !state.deleted).map(({ state }) => timerRow(state, timerDueAt(state))),
  )
  return results
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
  return (await readSchedules(store, [scheduleId], trx)).get(scheduleId)!
}

/** {@link readSchedule} for several schedules, in one query. */
export async function readSchedules(
  store: EventStore,
  scheduleIds: readonly string[],
  trx?: Trx,
): Promise<Map<string, ScheduleState>> {
  const streams = await store.readStreams([...scheduleIds], {
    latestOf: SCHEDULE_LATEST_OF,
    ...(trx === undefined ? {} : { trx }),
  })
  const states = new Map<string, ScheduleState>()
  for (const [scheduleId, { events }] of streams)
    states.set(
      scheduleId,
      events.map(decodeScheduleEvent).reduce(scheduleDecider.evolve, scheduleDecider.initialState()),
    )
  return states
}

/**
 * Whether the job the schedule's latest started fire created has not ended (it has a schedule row).
 * The row is held (key share: its lease may still move) until the caller's transaction ends, so the
 * job cannot end unseen between this answer and a fire buffered on it ({@link wakeBufferedFires}).
 */
export async function jobRunning(trx: Trx, jobId: string): Promise<boolean> {
  return (await runningJobs(trx, [jobId])).has(jobId)
}

/** {@link jobRunning} for several jobs, in one query: the ones among them that have not ended. */
export async function runningJobs(trx: Trx, jobIds: readonly string[]): Promise<Set<string>> {
  const asked = [...new Set(jobIds.filter((jobId) => jobId !== ''))]
  if (asked.length === 0) return new Set()
  const rows = await scheduleDb(trx)
    .selectFrom('job_schedule')
    .select('job_id')
    .where('job_id', 'in', asked)
    .orderBy('job_id')
    .forKeyShare()
    .execute()
  return new Set(rows.map((row) => row.job_id))
}

/** A schedule and the plan decided on its state: what {@link carryOut} carries out. */
export interface PlannedSchedule {
  state: ScheduleState
  plan: FirePlan
}

/** What carrying out one schedule's plan came to; `result` is undefined when there was nothing to record. */
export interface CarriedOut {
  records: FireRecord[]
  result: ScheduleCommandResult | undefined
}

/** A fire about to start: the job it queues, and where its record goes. */
interface Starting {
  schedule: number
  record: number
  planned: PlannedFire
  jobId: string
  multitasking: boolean
  request: JobCommandRequest
}

const taskKey = (customer: string, taskId: string) => `${customer}\0${taskId}`

/** Tasks with their scripts, by organization and task id; a task that is not there: `task` undefined. */
export type TasksToRun = Map<string, { task: Task | undefined; script: Script | undefined }>

/** The tasks (with their scripts) of these schedules, from the catalog in one round trip. */
export async function tasksToRun(
  catalog: TaskCatalog,
  schedules: readonly { customer: string; taskId: string }[],
): Promise<TasksToRun> {
  const keys = [...new Map(schedules.map((key) => [taskKey(key.customer, key.taskId), key])).values()]
  if (keys.length === 0) return new Map()
  const { tasks } = await catalog.getTasksToRun({
    tasks: keys.map(({ customer, taskId }) => ({ customer, taskId })),
  })
  return new Map(
    keys.map((key, index) => [
      taskKey(key.customer, key.taskId),
      tasks[index] ?? { task: undefined, script: undefined },
    ]),
  )
}

/**
 * Carries out the plans of one or more schedules (a burst of due timers, or one schedule fired by
 * hand) in `trx`, through the same path as a run: the tasks and their scripts read from the catalog
 * now (one round trip for all), each schedule's arguments checked against its task again, the queue
 * quotas held (counted once, then job by job), the jobs queued with origin `schedule`, the schedule
 * id and the scheduled time as one batch of job commands, every fire recorded (its row, whose key
 * refuses a second record of the same scheduled time, and its `fired` event appended with the stream
 * version read: one statement each for the whole burst), and the timers re-armed.
 *
 * What cannot start (task deleted, no script, arguments no longer valid, queue full, a job the
 * decider refuses) is recorded `failed_to_start` with its reason, alone; a task found gone ends that
 * schedule's plan and puts the schedule in `error`, visibly, with the reason. A catalog or database
 * that does not answer throws: the fires are tried again, not lost.
 */
export async function carryOut(
  deps: ScheduleDeps,
  trx: Trx,
  schedules: readonly PlannedSchedule[],
  now: Date,
  author: string,
  /** The schedules' tasks when the caller asked for them already ({@link tasksToRun}). */
  tasks?: Promise<TasksToRun>,
): Promise<CarriedOut[]> {
  const starting = schedules.filter(({ plan }) => plan.fires.some((fire) => fire.action === 'start'))
  const asked =
    starting.length === 0
      ? Promise.resolve<TasksToRun>(new Map())
      : (tasks ??
        tasksToRun(
          deps.catalog,
          starting.map(({ state }) => state),
        ))
  // Awaited below, unless counting fails first: that failure is the one told.
  asked.catch(() => undefined)
  // Counted while the catalog answers.
  const room = await countNotStarted(
    trx,
    deps.queueQuotas,
    starting.map(({ state }) => ({ customer: state.customer, taskId: state.taskId })),
  )
  const found = await asked
  const trace = currentTraceContext()
  const records: FireRecord[][] = schedules.map(() => [])
  const failures: (string | undefined)[] = schedules.map(() => undefined)
  // Each schedule's starts in the order of its plan: the n-th start of every schedule goes in round n.
  const rounds: Starting[][] = []
  schedules.forEach(({ state, plan }, schedule) => {
    const { customer, taskId } = state
    const mine = records[schedule]!
    let starts = 0
    for (const planned of plan.fires) {
      const record = (outcome: FireOutcome, reason: string, jobId = '') =>
        mine.push({ scheduledFor: planned.scheduledFor, kind: planned.kind, outcome, jobId, reason })
      if (planned.action !== 'start') {
        record(planned.action, planned.reason)
        continue
      }
      const { task, script } = found.get(taskKey(customer, taskId)) ?? { task: undefined, script: undefined }
      if (task === undefined) {
        failures[schedule] = `task ${taskId} is gone`
        record(FireOutcome.failedToStart, failures[schedule])
        break
      }
      if (script === undefined) {
        record(FireOutcome.failedToStart, `task ${taskId} has no script to run`)
        continue
      }
      try {
        const argv = resolveTaskArguments(task.definition?.taskArguments ?? [], state.spec.taskArguments)
        checkTaskArguments(argv, JOB_ARGV)
        takeQueueRoom(deps.queueQuotas, room, customer, taskId)
        const jobId = newId()
        const spec = jobSpecFromTask(task, script)
        record(FireOutcome.started, planned.reason, jobId)
        const round = rounds[starts] ?? []
        rounds[starts] = round
        starts += 1
        round.push({
          schedule,
          record: mine.length - 1,
          planned,
          jobId,
          multitasking: spec.multitasking,
          request: {
            jobId,
            command: {
              type: 'QueueJob',
              jobId,
              customer,
              spec,
              argumentsValues: argv,
              origin: 'schedule',
              now,
              schedule: { scheduleId: state.id, scheduledFor: planned.scheduledFor },
            },
            author: 'schedule',
            causationId: state.id,
            ...(trace === undefined ? {} : { trace }),
          },
        })
      } catch (error) {
        if (!isAppError(error) || TRANSIENT.has(error.code)) throw error
        record(FireOutcome.failedToStart, error.message)
      }
    }
  })
  const failed = (start: Starting, reason: string) => {
    records[start.schedule]![start.record] = {
      ...records[start.schedule]![start.record]!,
      outcome: FireOutcome.failedToStart,
      jobId: '',
      reason,
    }
  }
  // The tasks of jobs that wait for each other, locked up front and in task order: a burst takes
  // several, and in rounds and batches they would come in another order than another burst's.
  await lockTasks(
    trx,
    rounds
      .flat()
      .flatMap((start) =>
        start.multitasking && start.planned.cancel === undefined
          ? []
          : [schedules[start.schedule]!.state.taskId],
      ),
  )
  for (const round of rounds) await startRound(deps, trx, schedules, round, failed)
  const rows: Omit<FireRow, 'fired_at'>[] = []
  const commands: { schedule: number; request: ScheduleCommandRequest }[] = []
  schedules.forEach(({ state, plan }, schedule) => {
    const mine = records[schedule]!
    const failure = failures[schedule]
    const cursor = plan.cursor
    if (mine.length === 0 && failure === undefined && cursor.getTime() === state.fire.cursor.getTime()) return
    for (const record of mine)
      rows.push({
        schedule_id: state.id,
        kind: record.kind,
        scheduled_for: record.scheduledFor,
        customer: state.customer,
        outcome: record.outcome,
        job_id: record.jobId,
        reason: record.reason,
      })
    commands.push({
      schedule,
      request: {
        scheduleId: state.id,
        customer: state.customer,
        command: {
          type: 'RecordFires',
          fires: mine,
          cursor,
          bufferedFor: failure === undefined ? plan.bufferedFor : undefined,
          now,
          ...(failure === undefined ? {} : { failure }),
        },
      },
    })
  })
  await insertFires(trx, rows)
  const results = await executeScheduleCommands(
    deps.store,
    trx,
    commands.map(({ request }) => request),
    author,
  )
  const carried: CarriedOut[] = records.map((mine) => ({ records: mine, result: undefined }))
  commands.forEach(({ schedule }, index) => {
    carried[schedule]!.result = results[index]
  })
  return carried
}

/**
 * Starts one round of fires: first the running jobs `cancel_running` replaces are canceled, then the
 * jobs are queued as batches of job commands, a task without multitasking at most once a batch (its
 * placement must see the job queued before it). A job the decider refuses fails its fire alone.
 */
async function startRound(
  deps: ScheduleDeps,
  trx: Trx,
  schedules: readonly PlannedSchedule[],
  round: readonly Starting[],
  failed: (start: Starting, reason: string) => void,
): Promise<void> {
  const cancels = new Map<string, JobCommandRequest>()
  for (const { planned, schedule } of round) {
    if (planned.cancel === undefined || planned.cancel === '') continue
    const { state } = schedules[schedule]!
    cancels.set(planned.cancel, {
      jobId: planned.cancel,
      command: {
        type: 'Cancel',
        customer: state.customer,
        reason: `schedule ${state.id} (cancel_running) starts a new run`,
      },
      author: 'schedule',
      causationId: state.id,
    })
  }
  for (const outcome of await executeJobCommandsIn(deps, trx, [...cancels.values()])) {
    // Ended in between: nothing to cancel.
    if (!outcome.ok && !isAppError(outcome.error)) throw outcome.error
  }
  let waiting = [...round]
  while (waiting.length > 0) {
    const batch: Starting[] = []
    const later: Starting[] = []
    const placed = new Set<string>()
    for (const start of waiting) {
      const { customer, taskId } = schedules[start.schedule]!.state
      const key = taskKey(customer, taskId)
      if (!start.multitasking && placed.has(key)) later.push(start)
      else {
        if (!start.multitasking) placed.add(key)
        batch.push(start)
      }
    }
    const outcomes = await executeJobCommandsIn(
      deps,
      trx,
      batch.map(({ request }) => request),
    )
    outcomes.forEach((outcome, index) => {
      if (outcome.ok) return
      const { error } = outcome
      if (!isAppError(error) || TRANSIENT.has(error.code)) throw error
      failed(batch[index]!, error.message)
    })
    waiting = later
  }
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
