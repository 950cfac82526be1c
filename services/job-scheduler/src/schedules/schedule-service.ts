import {
  ErrorKinds,
  invalidState,
  isAppError,
  isId,
  newId,
  notFound,
  Quotas,
  quotaExceeded,
  validationFailed,
} from '@taskforge/core'
import type { Db, GlobalPosition, Projector, Trx } from '@taskforge/event-store'
import type {
  BackfillScheduleRequest,
  BackfillScheduleResponse,
  CreateScheduleRequest,
  CreateScheduleResponse,
  DeleteScheduleRequest,
  DeleteScheduleResponse,
  GetScheduleRequest,
  GetScheduleResponse,
  ListScheduleFiresRequest,
  ListScheduleFiresResponse,
  ListSchedulesRequest,
  ListSchedulesResponse,
  PreviewScheduleRequest,
  PreviewScheduleResponse,
  TriggerScheduleRequest,
  TriggerScheduleResponse,
  UpdateScheduleRequest,
  UpdateScheduleResponse,
} from '@taskforge/proto/jobs/v1/scheduler_service'
import type { Schedule, ScheduleFire, ScheduleSpec } from '@taskforge/proto/jobs/v1/schedules'
import { SCHEDULE_SPEC_FIELDS, type ScheduleSpecField } from '@taskforge/protocol'
import type { Logger } from '@taskforge/telemetry'
import { resolveTaskArguments } from '../domain/task-arguments.js'
import { databaseNow } from '../timers/due-timer-table.js'
import {
  checkedSpec,
  type FireRecord,
  MAX_BACKFILL_FIRES,
  MAX_PREVIEW_COUNT,
  planManualFires,
  type ScheduleState,
  scheduleStatus,
  timesOf,
} from './schedule-decider.js'
import {
  carryOut,
  executeScheduleCommand,
  jobRunning,
  readSchedule,
  reportFires,
  type ScheduleDeps,
} from './schedule-firing.js'
import {
  backfilledAlready,
  type FireRow,
  latestFires,
  listFires,
  lockAndCountSchedules,
  lockScheduleTimer,
  SCHEDULES_TABLE,
  schedulesDb,
} from './schedule-tables.js'
import { scheduleFromRow, scheduleFromState, schedulesProjection } from './schedules-projection.js'

export interface ScheduleServiceDeps extends ScheduleDeps {
  db: Db
  projector: Projector
  /** Schedules one organization may have. */
  maxSchedulesPerOrganization?: number
  /** Told of each timer armed, so that the firing loop looks by then. */
  onArmed?(dueAt: Date): void
  logger?: Logger
}

const required = (value: string, field: string) => {
  if (value === '') throw validationFailed(`${field} is required`, { field })
  return value
}

const scheduleIdOf = (value: string) => {
  if (!isId(value)) throw notFound('schedule', value)
  return value
}

function fireOf(scheduleId: string, record: FireRecord | FireRow): ScheduleFire {
  if ('schedule_id' in record)
    return {
      scheduleId: record.schedule_id,
      scheduledFor: record.scheduled_for,
      outcome: record.outcome,
      jobId: record.job_id,
      reason: record.reason,
      kind: record.kind,
      firedAt: record.fired_at,
    }
  return {
    scheduleId,
    scheduledFor: record.scheduledFor,
    outcome: record.outcome,
    jobId: record.jobId,
    reason: record.reason,
    kind: record.kind,
    firedAt: undefined,
  }
}

/**
 * The schedule methods of `JobSchedulerService`: create, read, change, delete schedules of tasks,
 * fire one now or over a past range (under its overlap policy), preview its times, list its fires.
 * Commands answer once the `schedules` read model passed their events (read-your-writes).
 */
export function scheduleService(deps: ScheduleServiceDeps) {
  const { store, db, projector, catalog } = deps
  const maxSchedules = deps.maxSchedulesPerOrganization ?? Quotas.schedulesPerOrganization.value

  async function caughtUp(appended: readonly GlobalPosition[]): Promise<void> {
    try {
      await projector.waitForAppended(appended, {
        timeoutMs: 10_000,
        projections: [schedulesProjection.name],
      })
    } catch (error) {
      if (!isAppError(error) || error.code !== ErrorKinds.TIMEOUT.code) throw error
      deps.logger?.warn({ err: error }, 'schedules read model is behind a committed command')
    }
  }

  /** The task's arguments checked against what the schedule gives (as a run of it would be). */
  async function checkAgainstTask(customer: string, taskId: string, taskArguments: readonly string[]) {
    const { task } = await catalog.getTaskToRun({ customer, taskId, secret: '' })
    if (task === undefined) throw notFound('task', taskId)
    resolveTaskArguments(task.definition?.taskArguments ?? [], taskArguments)
  }

  /** A live schedule of the organization, read from its stream in `trx`. */
  /** The schedules with their latest fire, as every read of them answers. */
  async function withLastFires(schedules: Schedule[]): Promise<Schedule[]> {
    const latest = await latestFires(
      db,
      schedules.map((schedule) => schedule.id),
    )
    return schedules.map((schedule) => {
      const fire = latest.get(schedule.id)
      return fire === undefined ? schedule : { ...schedule, lastFire: fireOf(schedule.id, fire) }
    })
  }

  async function liveSchedule(trx: Trx, customer: string, scheduleId: string): Promise<ScheduleState> {
    const state = await readSchedule(store, scheduleId, trx)
    if (!state.exists || state.deleted || state.customer !== customer) throw notFound('schedule', scheduleId)
    return state
  }

  async function findRow(customer: string, scheduleId: string) {
    return schedulesDb(db)
      .selectFrom(SCHEDULES_TABLE)
      .selectAll()
      .where('customer', '=', customer)
      .where('id', '=', scheduleId)
      .executeTakeFirst()
  }

  /** Fires by hand, under the overlap policy, in one transaction holding the schedule's timer. */
  async function fireByHand(
    customer: string,
    scheduleId: string,
    kind: 'trigger' | 'backfill',
    times: (state: ScheduleState, trx: Trx, now: Date) => Promise<Date[]>,
    author: string,
  ): Promise<FireRecord[]> {
    const done = await store.transaction(async (trx) => {
      await lockScheduleTimer(trx, scheduleId)
      const state = await liveSchedule(trx, customer, scheduleId)
      if (scheduleStatus(state) === 'error')
        throw invalidState(`schedule ${scheduleId} is in error: ${state.error}`)
      const now = await databaseNow(trx)
      const plan = planManualFires(
        state,
        await times(state, trx, now),
        kind,
        await jobRunning(trx, state.fire.lastJobId),
      )
      const { records, result } = (await carryOut(deps, trx, [{ state, plan }], now, author))[0]!
      return { records, now, appended: result?.appended ?? [] }
    })
    reportFires(deps, done.records)
    await caughtUp(done.appended)
    return done.records
  }

  return {
    async createSchedule(request: CreateScheduleRequest): Promise<CreateScheduleResponse> {
      const customer = required(request.customer, 'customer')
      const taskId = required(request.taskId, 'task_id')
      const spec = checkedSpec(request.spec ?? {})
      await checkAgainstTask(customer, taskId, spec.taskArguments)
      const scheduleId = newId()
      const { state, appended } = await store.transaction(async (trx) => {
        const count = await lockAndCountSchedules(trx, customer)
        if (count >= maxSchedules)
          throw quotaExceeded(
            Quotas.schedulesPerOrganization,
            maxSchedules,
            `organization ${customer} has ${count} schedules`,
          )
        const now = await databaseNow(trx)
        return executeScheduleCommand(
          store,
          trx,
          scheduleId,
          { type: 'CreateSchedule', scheduleId, customer, taskId, spec, now },
          request.author || 'system',
          customer,
        )
      })
      if (state.fire.nextFireAt !== undefined) deps.onArmed?.(state.fire.nextFireAt)
      await caughtUp(appended)
      return { schedule: scheduleFromState(state, request.author || 'system') }
    },

    async getSchedule(request: GetScheduleRequest): Promise<GetScheduleResponse> {
      const customer = required(request.customer, 'customer')
      const row = await findRow(customer, scheduleIdOf(request.scheduleId))
      if (row === undefined) throw notFound('schedule', request.scheduleId)
      const [schedule] = await withLastFires([scheduleFromRow(row)])
      return { schedule: schedule! }
    },

    async listSchedules(request: ListSchedulesRequest): Promise<ListSchedulesResponse> {
      const customer = required(request.customer, 'customer')
      let query = schedulesDb(db).selectFrom(SCHEDULES_TABLE).selectAll().where('customer', '=', customer)
      if (request.taskId !== '') query = query.where('task_id', '=', request.taskId)
      if (request.visibleTasks !== undefined) {
        if (request.visibleTasks.ids.length === 0) return { schedules: [] }
        query = query.where('task_id', 'in', request.visibleTasks.ids)
      }
      const limit = Math.min(Math.max(request.limit || 100, 1), 1000)
      const rows = await query.orderBy('created_at').orderBy('id').limit(limit).execute()
      return { schedules: await withLastFires(rows.map(scheduleFromRow)) }
    },

    async updateSchedule(request: UpdateScheduleRequest): Promise<UpdateScheduleResponse> {
      const customer = required(request.customer, 'customer')
      const scheduleId = scheduleIdOf(request.scheduleId)
      const fields = [...new Set(request.fields)] as ScheduleSpecField[]
      for (const field of fields)
        if (!SCHEDULE_SPEC_FIELDS.includes(field))
          throw validationFailed(`${field} is not a field of a schedule`, { field })
      // The change is merged into the schedule as read, and applied only to that revision: the one
      // the caller saw (If-Match), or else the one read, read again when another change came first.
      const asked = request.expectedRevision === 0 ? undefined : request.expectedRevision
      const apply = async () => {
        const current = await readSchedule(store, scheduleId)
        if (!current.exists || current.deleted || current.customer !== customer)
          throw notFound('schedule', scheduleId)
        const merged: ScheduleSpec = { ...current.spec }
        const set = <K extends keyof ScheduleSpec>(key: K, field: ScheduleSpecField) => {
          if (fields.includes(field) && request.spec !== undefined) merged[key] = request.spec[key]
        }
        set('cron', 'cron')
        set('timezone', 'timezone')
        set('taskArguments', 'task_arguments')
        set('startAt', 'start_at')
        set('endAt', 'end_at')
        set('maxRuns', 'max_runs')
        set('jitterSeconds', 'jitter')
        set('overlap', 'overlap')
        set('catchupWindowSeconds', 'catchup_window')
        set('enabled', 'enabled')
        set('note', 'note')
        const spec = checkedSpec(merged)
        if (fields.includes('task_arguments'))
          await checkAgainstTask(customer, current.taskId, spec.taskArguments)
        return store.transaction(async (trx) => {
          await lockScheduleTimer(trx, scheduleId)
          const now = await databaseNow(trx)
          return executeScheduleCommand(
            store,
            trx,
            scheduleId,
            {
              type: 'UpdateSchedule',
              customer,
              spec,
              fields,
              now,
              expectedRevision: asked ?? current.revision,
            },
            request.author || 'system',
            customer,
          )
        })
      }
      let result: Awaited<ReturnType<typeof apply>> | undefined
      for (let attempt = 1; result === undefined; attempt++) {
        try {
          result = await apply()
        } catch (error) {
          const raced = isAppError(error) && error.code === ErrorKinds.PRECONDITION_FAILED.code
          if (!raced || asked !== undefined || attempt >= 3) throw error
        }
      }
      const { state, appended } = result
      if (state.fire.nextFireAt !== undefined) deps.onArmed?.(state.fire.nextFireAt)
      await caughtUp(appended)
      const row = await findRow(customer, scheduleId)
      const [schedule] = await withLastFires([
        row === undefined ? scheduleFromState(state, '') : scheduleFromRow(row),
      ])
      return { schedule: schedule! }
    },

    async deleteSchedule(request: DeleteScheduleRequest): Promise<DeleteScheduleResponse> {
      const customer = required(request.customer, 'customer')
      const scheduleId = scheduleIdOf(request.scheduleId)
      const { appended } = await store.transaction(async (trx) => {
        await lockScheduleTimer(trx, scheduleId)
        const now = await databaseNow(trx)
        return executeScheduleCommand(
          store,
          trx,
          scheduleId,
          { type: 'DeleteSchedule', customer, now },
          request.author || 'system',
          customer,
        )
      })
      await caughtUp(appended)
      return {}
    },

    async triggerSchedule(request: TriggerScheduleRequest): Promise<TriggerScheduleResponse> {
      const customer = required(request.customer, 'customer')
      const scheduleId = scheduleIdOf(request.scheduleId)
      const records = await fireByHand(
        customer,
        scheduleId,
        'trigger',
        async (_, __, now) => [now],
        request.author || 'system',
      )
      const own = records.filter((record) => record.kind === 'trigger').at(-1)
      return { fire: own === undefined ? undefined : fireOf(scheduleId, own) }
    },

    async backfillSchedule(request: BackfillScheduleRequest): Promise<BackfillScheduleResponse> {
      const customer = required(request.customer, 'customer')
      const scheduleId = scheduleIdOf(request.scheduleId)
      const { from, to } = request
      if (from === undefined) throw validationFailed('from is required', { field: 'from' })
      if (to === undefined) throw validationFailed('to is required', { field: 'to' })
      if (to <= from) throw validationFailed('to must be after from', { field: 'to' })
      const records = await fireByHand(
        customer,
        scheduleId,
        'backfill',
        async (state, trx, now) => {
          if (to > now)
            throw validationFailed('a backfill fires a past range: to must not be in the future', {
              field: 'to',
            })
          const times = timesOf(state.spec).between(new Date(from.getTime() - 1), to, MAX_BACKFILL_FIRES + 1)
          if (times.length > MAX_BACKFILL_FIRES)
            throw validationFailed(
              `the range holds more than ${MAX_BACKFILL_FIRES} fires; backfill a shorter one`,
              {
                field: 'to',
                maximum: MAX_BACKFILL_FIRES,
              },
            )
          const done = await backfilledAlready(trx, scheduleId, times)
          return times.filter((at) => !done.has(at.getTime()))
        },
        request.author || 'system',
      )
      return {
        fires: records
          .filter((record) => record.kind === 'backfill')
          .map((record) => fireOf(scheduleId, record)),
      }
    },

    async previewSchedule(request: PreviewScheduleRequest): Promise<PreviewScheduleResponse> {
      const customer = required(request.customer, 'customer')
      const row = await findRow(customer, scheduleIdOf(request.scheduleId))
      if (row === undefined) throw notFound('schedule', request.scheduleId)
      const count = request.count || 10
      if (count > MAX_PREVIEW_COUNT)
        throw validationFailed(`count must be at most ${MAX_PREVIEW_COUNT}`, {
          field: 'count',
          maximum: MAX_PREVIEW_COUNT,
        })
      const { spec } = scheduleFromRow(row)
      let from = request.from ?? new Date()
      if (spec!.startAt !== undefined && spec!.startAt.getTime() - 1 > from.getTime())
        from = new Date(spec!.startAt.getTime() - 1)
      const times = timesOf(spec!)
        .take(from, count)
        .filter((at) => spec!.endAt === undefined || at <= spec!.endAt)
      return { times }
    },

    async listScheduleFires(request: ListScheduleFiresRequest): Promise<ListScheduleFiresResponse> {
      const customer = required(request.customer, 'customer')
      const scheduleId = scheduleIdOf(request.scheduleId)
      const row = await findRow(customer, scheduleId)
      if (row === undefined) throw notFound('schedule', scheduleId)
      const limit = Math.min(Math.max(request.limit || 100, 1), 1000)
      const rows = await listFires(db, customer, scheduleId, limit)
      return { fires: rows.map((fire) => fireOf(scheduleId, fire)) }
    },
  }
}
