import {
  AppError,
  checkSize,
  checkTaskArguments,
  type Decider,
  ErrorKinds,
  invalidState,
  Limits,
  notFound,
  validationFailed,
} from '@taskforge/core'
import type { ScheduleEvent, ScheduleFired, ScheduleSpec } from '@taskforge/proto/jobs/v1/schedules'
import type { ScheduleSpecField } from '@taskforge/protocol'
import { type CronTimes, cronTimes } from './cron-times.js'

export type ScheduleDomainEvent = NonNullable<ScheduleEvent['event']>

/** What a schedule does when it fires while the job of its previous fire still runs. */
export const Overlap = {
  skip: 'skip',
  bufferOne: 'buffer_one',
  allowAll: 'allow_all',
  cancelRunning: 'cancel_running',
} as const
export type Overlap = (typeof Overlap)[keyof typeof Overlap]
const OVERLAPS: readonly string[] = Object.values(Overlap)

/** What became of one fire. */
export const FireOutcome = {
  started: 'started',
  skippedOverlap: 'skipped_overlap',
  buffered: 'buffered',
  missed: 'missed',
  failedToStart: 'failed_to_start',
} as const
export type FireOutcome = (typeof FireOutcome)[keyof typeof FireOutcome]

/** Why a fire happened: the cron, a trigger now, or a backfill of a past range. */
export type FireKind = 'schedule' | 'trigger' | 'backfill'

export const DEFAULT_CATCHUP_WINDOW_SECONDS = 300
/** Longest catch-up window: a week. */
export const MAX_CATCHUP_WINDOW_SECONDS = 7 * 24 * 3600
/** Longest jitter: an hour. */
export const MAX_JITTER_SECONDS = 3600
/** Fire times one preview answers at most. */
export const MAX_PREVIEW_COUNT = 1000
/** Fires one backfill starts at most (a larger range is refused). */
export const MAX_BACKFILL_FIRES = 1000
/** Missed fires recorded one by one after a downtime; older ones are counted in the latest's reason. */
export const MAX_MISSED_RECORDS = 100

/** Where the firing stands: carried whole by every `fired` event. */
export interface FireState {
  runs: number
  /** The job the latest started fire created (it may still run). */
  lastJobId: string
  /** A fire waiting for that job to end (buffer_one). */
  bufferedFor: Date | undefined
  /** The next scheduled time armed (undefined: none). */
  nextFireAt: Date | undefined
  /** Scheduled times up to here were dealt with (fired, missed, or passed while paused). */
  cursor: Date
}

export interface ScheduleState {
  exists: boolean
  deleted: boolean
  id: string
  customer: string
  taskId: string
  spec: ScheduleSpec
  /** Why it cannot fire any more (its task is gone); empty when it can. */
  error: string
  createdAt: Date
  updatedAt: Date
  /** Edits so far: 1 when created, one more for every change (fires leave it); its ETag. */
  revision: number
  fire: FireState
}

export interface CreateSchedule {
  type: 'CreateSchedule'
  scheduleId: string
  customer: string
  taskId: string
  spec: ScheduleSpec
  now: Date
}

export interface UpdateSchedule {
  type: 'UpdateSchedule'
  customer: string
  spec: ScheduleSpec
  fields: readonly ScheduleSpecField[]
  now: Date
  /** The revision the change was decided on (If-Match, or the one it merged into); undefined: any. */
  expectedRevision?: number
}

export interface DeleteSchedule {
  type: 'DeleteSchedule'
  customer: string
  now: Date
}

/** One fire as decided and then tried: what the store records. */
export interface FireRecord {
  scheduledFor: Date
  kind: FireKind
  outcome: FireOutcome
  jobId: string
  reason: string
}

export interface RecordFires {
  type: 'RecordFires'
  fires: readonly FireRecord[]
  /** The cursor after these fires (the latest scheduled time dealt with). */
  cursor: Date
  /** A fire left waiting (buffer_one), or undefined. */
  bufferedFor: Date | undefined
  now: Date
  /** The task is gone: the schedule goes to `error` with this reason. */
  failure?: string
}

export type ScheduleCommand = CreateSchedule | UpdateSchedule | DeleteSchedule | RecordFires

const EPOCH = new Date(0)

export function initialScheduleState(): ScheduleState {
  return {
    exists: false,
    deleted: false,
    id: '',
    customer: '',
    taskId: '',
    spec: emptySpec(),
    error: '',
    createdAt: EPOCH,
    updatedAt: EPOCH,
    revision: 0,
    fire: { runs: 0, lastJobId: '', bufferedFor: undefined, nextFireAt: undefined, cursor: EPOCH },
  }
}

function emptySpec(): ScheduleSpec {
  return {
    cron: '',
    timezone: 'UTC',
    taskArguments: [],
    startAt: undefined,
    endAt: undefined,
    maxRuns: 0,
    jitterSeconds: 0,
    overlap: Overlap.skip,
    catchupWindowSeconds: DEFAULT_CATCHUP_WINDOW_SECONDS,
    enabled: true,
    note: '',
  }
}

/** The public state of a schedule: `active`, `paused`, `error` (its task is gone) or `ended`. */
export function scheduleStatus(state: ScheduleState): 'active' | 'paused' | 'error' | 'ended' {
  if (state.error !== '') return 'error'
  if (ended(state)) return 'ended'
  return state.spec.enabled ? 'active' : 'paused'
}

function ended(state: ScheduleState): boolean {
  const { spec, fire } = state
  if (spec.maxRuns > 0 && fire.runs >= spec.maxRuns) return true
  return spec.endAt !== undefined && fire.cursor >= spec.endAt && fire.bufferedFor === undefined
}

/**
 * A spec as given, checked and with its defaults: the cron and zone parse, sizes within the limits,
 * numbers within their bounds. Throws a 4xx naming the field.
 */
export function checkedSpec(input: Partial<ScheduleSpec>): ScheduleSpec {
  const spec: ScheduleSpec = { ...emptySpec(), ...definedOnly(input) }
  if (spec.timezone === '') spec.timezone = 'UTC'
  if (spec.overlap === '') spec.overlap = Overlap.skip
  checkSize(Limits.scheduleCron, 'cron', spec.cron)
  checkSize(Limits.scheduleNote, 'note', spec.note)
  if (spec.cron.trim() === '') throw validationFailed('cron is required', { field: 'cron' })
  cronTimes(spec.cron, spec.timezone)
  checkTaskArguments(spec.taskArguments)
  if (!OVERLAPS.includes(spec.overlap))
    throw validationFailed(`overlap must be one of ${OVERLAPS.join(', ')}`, { field: 'overlap' })
  if (
    !Number.isInteger(spec.jitterSeconds) ||
    spec.jitterSeconds < 0 ||
    spec.jitterSeconds > MAX_JITTER_SECONDS
  )
    throw validationFailed(`jitter must be 0 to ${MAX_JITTER_SECONDS} seconds`, { field: 'jitter' })
  if (
    !Number.isInteger(spec.catchupWindowSeconds) ||
    spec.catchupWindowSeconds < 0 ||
    spec.catchupWindowSeconds > MAX_CATCHUP_WINDOW_SECONDS
  )
    throw validationFailed(`catchup_window must be 0 to ${MAX_CATCHUP_WINDOW_SECONDS} seconds`, {
      field: 'catchup_window',
    })
  if (!Number.isInteger(spec.maxRuns) || spec.maxRuns < 0)
    throw validationFailed('max_runs must be a whole number, 0 for no bound', { field: 'max_runs' })
  for (const [field, at] of [
    ['start_at', spec.startAt],
    ['end_at', spec.endAt],
  ] as const) {
    if (at !== undefined && Number.isNaN(at.getTime()))
      throw validationFailed(`${field} is not a valid instant`, { field })
  }
  if (spec.startAt !== undefined && spec.endAt !== undefined && spec.endAt <= spec.startAt)
    throw validationFailed('end_at must be after start_at', { field: 'end_at' })
  return spec
}

function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>
}

/** A schedule's fire times, from its spec. */
export function timesOf(spec: Pick<ScheduleSpec, 'cron' | 'timezone'>): CronTimes {
  return cronTimes(spec.cron, spec.timezone || 'UTC')
}

/**
 * The delay of a fire in `[0, jitterSeconds]` s: drawn from the schedule and the scheduled time, so
 * every replica, and every retry, picks the same one.
 */
export function jitterMs(scheduleId: string, scheduledFor: Date, jitterSeconds: number): number {
  if (jitterSeconds <= 0) return 0
  let hash = 2166136261
  for (const char of `${scheduleId}@${scheduledFor.toISOString()}`) {
    hash ^= char.charCodeAt(0)
    hash = Math.imul(hash, 16777619)
  }
  return (hash >>> 0) % (jitterSeconds * 1000 + 1)
}

/** The next scheduled time after `after` within the spec's bounds; undefined when none is left. */
export function nextFireAfter(spec: ScheduleSpec, after: Date): Date | undefined {
  const from =
    spec.startAt !== undefined && spec.startAt.getTime() - 1 > after.getTime()
      ? new Date(spec.startAt.getTime() - 1)
      : after
  const next = timesOf(spec).next(from)
  if (next === undefined || (spec.endAt !== undefined && next > spec.endAt)) return undefined
  return next
}

/** When the next fire is due (its scheduled time plus its jitter), or undefined. */
export function dueAtOf(
  state: Pick<ScheduleState, 'id' | 'spec'>,
  nextFireAt: Date | undefined,
): Date | undefined {
  if (nextFireAt === undefined) return undefined
  return new Date(nextFireAt.getTime() + jitterMs(state.id, nextFireAt, state.spec.jitterSeconds))
}

/** What to do with one fire. */
export interface PlannedFire {
  scheduledFor: Date
  kind: FireKind
  /** `start` (and `cancel` the running job first when set), or an outcome recorded without a job. */
  action: 'start' | 'skipped_overlap' | 'buffered' | 'missed'
  /** The running job to cancel first (cancel_running). */
  cancel?: string
  reason: string
}

export interface FirePlan {
  fires: PlannedFire[]
  cursor: Date
  bufferedFor: Date | undefined
}

/**
 * The decision of a schedule's timer at `now` (pure: the clock and whether the previous fire's job
 * still runs are given). Every scheduled time in (cursor, now] is dealt with once: the latest starts
 * when `now` is within the catch-up window of it, and every other is `missed` (the latest
 * {@link MAX_MISSED_RECORDS} recorded, older ones counted); a buffered fire whose job ended starts.
 * A start goes through the overlap policy. A paused, ended or failed schedule decides nothing.
 */
export function planDueFires(state: ScheduleState, now: Date, lastJobRunning: boolean): FirePlan {
  const { fire, spec } = state
  const idle: FirePlan = { fires: [], cursor: fire.cursor, bufferedFor: fire.bufferedFor }
  if (!state.exists || state.deleted || state.error !== '' || !spec.enabled || ended(state)) return idle
  const fires: PlannedFire[] = []
  let running = lastJobRunning
  let bufferedFor = fire.bufferedFor
  let runs = fire.runs
  if (bufferedFor !== undefined && !running) {
    fires.push({
      scheduledFor: bufferedFor,
      kind: 'schedule',
      action: 'start',
      reason: 'buffered while the previous run ran',
    })
    bufferedFor = undefined
    running = true
    runs += 1
  }
  const until = spec.endAt !== undefined && spec.endAt < now ? spec.endAt : now
  const after =
    spec.startAt !== undefined && spec.startAt.getTime() - 1 > fire.cursor.getTime()
      ? new Date(spec.startAt.getTime() - 1)
      : fire.cursor
  const due = until > after ? timesOf(spec).between(after, until, MAX_MISSED_RECORDS + 1) : []
  let cursor = fire.cursor
  if (due.length > 0) {
    // `between` stops after MAX_MISSED_RECORDS + 1: the ones it did not reach are older than the
    // latest due, which is found on its own.
    const recent = recentDue(spec, after, until, due)
    const latest = recent.at(-1)!
    const missedTimes = recent.slice(0, -1).slice(-MAX_MISSED_RECORDS)
    const uncounted = countBefore(spec, after, missedTimes[0] ?? latest)
    for (const at of missedTimes)
      fires.push({
        scheduledFor: at,
        kind: 'schedule',
        action: 'missed',
        reason: 'the scheduler was not running then',
      })
    const lateMs = now.getTime() - (latest.getTime() + jitterMs(state.id, latest, spec.jitterSeconds))
    const maxed = spec.maxRuns > 0 && runs >= spec.maxRuns
    if (!maxed && lateMs <= spec.catchupWindowSeconds * 1000) {
      const planned = overlapDecision(
        spec.overlap as Overlap,
        latest,
        'schedule',
        running,
        fire.lastJobId,
        bufferedFor,
      )
      if (uncounted > 0)
        planned.fire.reason =
          `${planned.fire.reason}; ${uncounted} earlier missed fire(s) not listed`.replace(/^; /, '')
      fires.push(planned.fire)
      bufferedFor = planned.bufferedFor
    } else {
      fires.push({
        scheduledFor: latest,
        kind: 'schedule',
        action: 'missed',
        reason: maxed
          ? 'max_runs reached'
          : `${Math.round(lateMs / 1000)} s late, past the catch-up window of ${spec.catchupWindowSeconds} s${uncounted > 0 ? `; ${uncounted} earlier missed fire(s) not listed` : ''}`,
      })
    }
    cursor = latest
  }
  return { fires, cursor, bufferedFor }
}

/** The latest scheduled times of (after, until], up to MAX_MISSED_RECORDS + 1 of them, in order. */
function recentDue(spec: ScheduleSpec, after: Date, until: Date, due: readonly Date[]): Date[] {
  if (due.length <= MAX_MISSED_RECORDS) return [...due]
  // Many fires passed: look back from `until` in widening steps.
  const times = timesOf(spec)
  for (let span = 60_000; ; span *= 8) {
    const from = new Date(Math.max(after.getTime(), until.getTime() - span))
    const found = times.between(from, until, 100_000)
    if (found.length > MAX_MISSED_RECORDS || from.getTime() === after.getTime())
      return found.slice(-(MAX_MISSED_RECORDS + 1))
  }
}

/** How many scheduled times fell in (after, before): counted up to a bound, for a reason's text. */
function countBefore(spec: ScheduleSpec, after: Date, before: Date): number {
  if (before <= after) return 0
  return timesOf(spec).between(after, new Date(before.getTime() - 1), 10_000).length
}

/**
 * A fire that would start, through the overlap policy: with the previous fire's job still running,
 * `skip` records it skipped, `buffer_one` keeps it (replacing one kept already, which is then
 * skipped), `allow_all` starts it, `cancel_running` cancels that job and starts it.
 */
export function overlapDecision(
  overlap: Overlap,
  scheduledFor: Date,
  kind: FireKind,
  running: boolean,
  lastJobId: string,
  bufferedFor: Date | undefined,
): { fire: PlannedFire; bufferedFor: Date | undefined; replaced?: PlannedFire } {
  if (!running || overlap === Overlap.allowAll)
    return { fire: { scheduledFor, kind, action: 'start', reason: '' }, bufferedFor }
  switch (overlap) {
    case Overlap.cancelRunning:
      return {
        fire: {
          scheduledFor,
          kind,
          action: 'start',
          cancel: lastJobId,
          reason: `job ${lastJobId} canceled to start this one`,
        },
        bufferedFor,
      }
    case Overlap.bufferOne:
      return {
        fire: { scheduledFor, kind, action: 'buffered', reason: `waits for job ${lastJobId} to end` },
        bufferedFor: scheduledFor,
        ...(bufferedFor === undefined
          ? {}
          : {
              replaced: {
                scheduledFor: bufferedFor,
                kind,
                action: 'skipped_overlap' as const,
                reason: 'a later fire took its place in the buffer',
              },
            }),
      }
    default:
      return {
        fire: { scheduledFor, kind, action: 'skipped_overlap', reason: `job ${lastJobId} was still running` },
        bufferedFor,
      }
  }
}

/**
 * Fires asked by hand (trigger now, backfill of a range), each through the overlap policy in turn:
 * the fires a plan starts count as running for the ones after them.
 */
export function planManualFires(
  state: ScheduleState,
  times: readonly Date[],
  kind: FireKind,
  lastJobRunning: boolean,
): FirePlan {
  const fires: PlannedFire[] = []
  let running = lastJobRunning
  let bufferedFor = state.fire.bufferedFor
  let lastJobId = state.fire.lastJobId
  for (const at of times) {
    const decided = overlapDecision(state.spec.overlap as Overlap, at, kind, running, lastJobId, bufferedFor)
    if (decided.replaced !== undefined) fires.push(decided.replaced)
    fires.push(decided.fire)
    bufferedFor = decided.bufferedFor
    if (decided.fire.action === 'start') {
      running = true
      lastJobId = '(this backfill)'
    }
  }
  return { fires, cursor: state.fire.cursor, bufferedFor }
}

function requireLive(state: ScheduleState, customer: string): void {
  if (!state.exists || state.deleted || state.customer !== customer)
    throw notFound('schedule', state.id || undefined)
}

function decide(command: ScheduleCommand, state: ScheduleState): ScheduleDomainEvent[] {
  switch (command.type) {
    case 'CreateSchedule': {
      if (state.exists) {
        if (state.customer === command.customer && !state.deleted) return []
        throw invalidState(`schedule ${command.scheduleId} already exists`)
      }
      const spec = checkedSpec(command.spec)
      const nextFireAt = spec.enabled ? nextFireAfter(spec, command.now) : undefined
      return [
        {
          $case: 'created',
          value: {
            scheduleId: command.scheduleId,
            customer: command.customer,
            taskId: command.taskId,
            spec,
            createdAt: command.now,
            nextFireAt,
          },
        },
      ]
    }
    case 'UpdateSchedule': {
      requireLive(state, command.customer)
      if (state.error !== '') throw invalidState(`schedule ${state.id} is in error: ${state.error}`)
      if (command.expectedRevision !== undefined && command.expectedRevision !== state.revision)
        throw new AppError(
          ErrorKinds.PRECONDITION_FAILED,
          `schedule ${state.id} is at revision ${state.revision}, the change was made on revision ${command.expectedRevision}`,
          { details: { field: 'if-match', expected: command.expectedRevision, actual: state.revision } },
        )
      const spec = checkedSpec(command.spec)
      // A change of times, or a resume, never replays what passed: firing goes on from now.
      const nextFireAt = spec.enabled
        ? nextFireAfter(spec, maxDate(command.now, state.fire.cursor))
        : undefined
      return [
        {
          $case: 'updated',
          value: { spec, updatedAt: command.now, nextFireAt, changed: [...command.fields] },
        },
      ]
    }
    case 'DeleteSchedule':
      requireLive(state, command.customer)
      return [{ $case: 'deleted', value: { deletedAt: command.now } }]
    case 'RecordFires': {
      if (!state.exists || state.deleted) throw notFound('schedule', state.id || undefined)
      const events: ScheduleDomainEvent[] = []
      let runs = state.fire.runs
      let lastJobId = state.fire.lastJobId
      for (const [index, record] of command.fires.entries()) {
        // Exactly once per scheduled time: the cron's times are dealt with in order, past the cursor
        // (a buffered one is started later, once).
        const wasBuffered = state.fire.bufferedFor?.getTime() === record.scheduledFor.getTime()
        if (record.kind === 'schedule' && record.scheduledFor <= state.fire.cursor && !wasBuffered)
          throw invalidState(`schedule ${state.id} already dealt with ${record.scheduledFor.toISOString()}`)
        if (record.outcome === FireOutcome.started) {
          runs += 1
          lastJobId = record.jobId
        }
        const last = index === command.fires.length - 1
        const fired: ScheduleFired = {
          scheduledFor: record.scheduledFor,
          outcome: record.outcome,
          jobId: record.jobId,
          reason: record.reason,
          kind: record.kind,
          firedAt: command.now,
          runs,
          lastJobId,
          bufferedFor: last ? command.bufferedFor : undefined,
          nextFireAt: undefined,
          lastScheduledFor: command.cursor,
        }
        events.push({ $case: 'fired', value: fired })
      }
      const after = evolveAll(state, events)
      const nextFireAt =
        command.failure === undefined && !ended(after)
          ? nextFireAfter(state.spec, maxDate(command.cursor, command.now))
          : undefined
      const lastFired = events.at(-1)
      if (lastFired?.$case === 'fired') lastFired.value.nextFireAt = nextFireAt
      else if (command.failure === undefined)
        events.push({
          $case: 'fired',
          value: {
            scheduledFor: undefined,
            outcome: '',
            jobId: '',
            reason: '',
            kind: '',
            firedAt: command.now,
            runs,
            lastJobId,
            bufferedFor: command.bufferedFor,
            nextFireAt,
            lastScheduledFor: command.cursor,
          },
        })
      if (command.failure !== undefined)
        events.push({ $case: 'failed', value: { reason: command.failure, failedAt: command.now } })
      return events
    }
  }
}

const maxDate = (a: Date, b: Date) => (a > b ? a : b)

function evolveAll(state: ScheduleState, events: readonly ScheduleDomainEvent[]): ScheduleState {
  return events.reduce(evolve, state)
}

function evolve(state: ScheduleState, event: ScheduleDomainEvent): ScheduleState {
  switch (event.$case) {
    case 'created': {
      const { value } = event
      return {
        ...state,
        exists: true,
        id: value.scheduleId,
        customer: value.customer,
        taskId: value.taskId,
        spec: value.spec ?? emptySpec(),
        createdAt: value.createdAt ?? EPOCH,
        updatedAt: value.createdAt ?? EPOCH,
        revision: 1,
        fire: { ...state.fire, nextFireAt: value.nextFireAt, cursor: value.createdAt ?? EPOCH },
      }
    }
    case 'updated': {
      const { value } = event
      const at = value.updatedAt ?? EPOCH
      return {
        ...state,
        spec: value.spec ?? state.spec,
        updatedAt: at,
        revision: state.revision + 1,
        fire: {
          ...state.fire,
          nextFireAt: value.nextFireAt,
          cursor: maxDate(state.fire.cursor, at),
          // A fire kept for later is dropped by a pause.
          bufferedFor: value.spec?.enabled === false ? undefined : state.fire.bufferedFor,
        },
      }
    }
    case 'deleted':
      return { ...state, deleted: true, updatedAt: event.value.deletedAt ?? state.updatedAt }
    case 'fired': {
      const { value } = event
      return {
        ...state,
        fire: {
          runs: value.runs,
          lastJobId: value.lastJobId,
          bufferedFor: value.bufferedFor,
          nextFireAt: value.nextFireAt,
          cursor: value.lastScheduledFor ?? state.fire.cursor,
        },
      }
    }
    case 'failed':
      return {
        ...state,
        error: event.value.reason,
        fire: { ...state.fire, nextFireAt: undefined, bufferedFor: undefined },
      }
  }
}

/**
 * The schedule aggregate: created, updated (pause and resume are updates of `enabled`), deleted,
 * fired (each fire's outcome, carrying the whole firing state) and failed (its task is gone).
 */
export const scheduleDecider: Decider<ScheduleCommand, ScheduleState, ScheduleDomainEvent> = {
  decide,
  evolve,
  initialState: initialScheduleState,
}
