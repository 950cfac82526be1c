import type { operations } from '@taskforge/sdk'
import type { ArgumentDefinition, Field } from './run-form.js'

/** A schedule as the API answers it (`GET /:customer/schedule/:id`). */
export type Schedule = operations['getSchedule']['responses'][200]['content']['application/json']
/** One fire of a schedule (`GET …/fires`). */
export type Fire = operations['listScheduleFires']['responses'][200]['content']['application/json'][number]

export const OVERLAPS = ['skip', 'buffer_one', 'allow_all', 'cancel_running'] as const

/** The bounds the gateway holds (docs/schedules.md), checked here first so the form names them. */
const MAX_JITTER = 3600
const MAX_CATCHUP_WINDOW = 7 * 24 * 3600
const MAX_NOTE_BYTES = 1000
const MAX_CRON_BYTES = 200

/** The schedule form as typed: numbers and instants as the inputs hold them. */
export interface ScheduleDraft {
  cron: string
  timezone: string
  /** `datetime-local` values, in the reader's time zone; '' for none. */
  start_at: string
  end_at: string
  max_runs: string
  jitter: string
  overlap: string
  catchup_window: string
  note: string
}

/** A draft of a new schedule, or of an existing one to edit. */
export function draftOf(schedule?: Schedule): ScheduleDraft {
  return {
    cron: schedule?.cron ?? '',
    timezone: schedule?.timezone ?? 'UTC',
    start_at: localInput(schedule?.start_at),
    end_at: localInput(schedule?.end_at),
    max_runs: String(schedule?.max_runs ?? 0),
    jitter: String(schedule?.jitter ?? 0),
    overlap: schedule?.overlap ?? 'skip',
    catchup_window: String(schedule?.catchup_window ?? 300),
    note: schedule?.note ?? '',
  }
}

/** An instant as a `datetime-local` input shows it (the reader's local time, to the second). */
export function localInput(iso: string | null | undefined): string {
  if (!iso) return ''
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return ''
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`
}

/** A `datetime-local` value (local time) as an instant; null for none. */
export function instantOf(local: string): string | null {
  if (local === '') return null
  const at = new Date(local)
  return Number.isNaN(at.getTime()) ? null : at.toISOString()
}

/** Whether the runtime knows an IANA zone (`Intl` throws a RangeError for one it does not). */
export function isTimeZone(zone: string): boolean {
  if (zone === '' || zone.length > 64) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** The zones to suggest: what the runtime lists, UTC first. */
export function timeZones(): string[] {
  const listed = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return ['UTC', ...listed.filter((zone) => zone !== 'UTC')]
}

const bytes = (text: string) => new TextEncoder().encode(text).length

function integerProblem(label: string, text: string, max: number): string | undefined {
  if (!/^\d+$/.test(text.trim())) return `${label} must be a whole number`
  const n = Number(text)
  return n > max ? `${label} must be at most ${max}` : undefined
}

/**
 * What is wrong with a draft, by field (empty when nothing is). The server checks everything again
 * and its message is shown too; this names the common mistakes before a round trip.
 */
export function draftProblems(draft: ScheduleDraft): Partial<Record<keyof ScheduleDraft, string>> {
  const problems: Partial<Record<keyof ScheduleDraft, string>> = {}
  const fields = draft.cron.trim().split(/\s+/).filter(Boolean).length
  if (draft.cron.trim() === '') problems.cron = 'Cron is required'
  else if (bytes(draft.cron) > MAX_CRON_BYTES) problems.cron = `Cron is at most ${MAX_CRON_BYTES} bytes`
  else if (fields !== 5 && fields !== 6)
    problems.cron = `Cron has 5 fields (minute hour day month weekday) or 6 (seconds first), not ${fields}`
  if (!isTimeZone(draft.timezone.trim()))
    problems.timezone = `${draft.timezone || '(empty)'} is not an IANA time zone (as Europe/Berlin or UTC)`
  const maxRuns = integerProblem('Max runs', draft.max_runs, 4_294_967_295)
  if (maxRuns) problems.max_runs = maxRuns
  const jitter = integerProblem('Jitter', draft.jitter, MAX_JITTER)
  if (jitter) problems.jitter = jitter
  const window = integerProblem('Catch-up window', draft.catchup_window, MAX_CATCHUP_WINDOW)
  if (window) problems.catchup_window = window
  if (!(OVERLAPS as readonly string[]).includes(draft.overlap))
    problems.overlap = `Overlap must be one of ${OVERLAPS.join(', ')}`
  if (bytes(draft.note) > MAX_NOTE_BYTES) problems.note = `Note is at most ${MAX_NOTE_BYTES} bytes`
  const start = instantOf(draft.start_at)
  const end = instantOf(draft.end_at)
  if (start && end && end <= start) problems.end_at = 'End must be after start'
  return problems
}

/** The body of a create or a PATCH: every field of the draft, with the run's values. */
export function bodyOf(draft: ScheduleDraft, values: readonly string[]) {
  return {
    cron: draft.cron.trim(),
    timezone: draft.timezone.trim(),
    task_arguments: [...values],
    start_at: instantOf(draft.start_at),
    end_at: instantOf(draft.end_at),
    max_runs: Number(draft.max_runs),
    jitter: Number(draft.jitter),
    overlap: draft.overlap,
    catchup_window: Number(draft.catchup_window),
    note: draft.note,
  }
}

/**
 * The run form's fields filled with a schedule's values. A schedule keeps what a run is sent: one
 * value per argument that is not fixed, in order (not the job's argv, which has the fixed ones too).
 */
export function fieldsWithValues(
  definitions: readonly ArgumentDefinition[],
  values: readonly string[],
): Field[] {
  let next = 0
  return definitions.map((definition) => {
    if (definition.type === 'fixed') return { definition, fixed: true, value: definition.value ?? '' }
    const value = values[next++] ?? ''
    return { definition, fixed: false, value }
  })
}

/** Outcomes a reader should notice. */
export function outcomeClass(outcome: string): string {
  if (outcome === 'started') return 'state state-success'
  if (outcome === 'failed_to_start' || outcome === 'missed') return 'state state-failure'
  return 'state state-in_progress'
}

/** A schedule's state as its badge shows it. */
export function stateClass(state: string): string {
  if (state === 'active') return 'state state-success'
  if (state === 'error') return 'state state-error'
  if (state === 'paused') return 'state state-in_progress'
  return 'state state-canceled'
}

/** The read again after the events stream announced a change (see {@link coalesced}). */
export const SETTLE_MS = 1000

/**
 * A reload that never runs twice at once: called while it runs, it runs once more when it is done,
 * however many calls came meanwhile. A per-second schedule's events then cost one read at a time.
 * An event goes out when its transaction commits, before the read model has applied it (decision
 * 12), so a read made on an event may still show the state before it: `settleMs` after the last
 * call, it reads once more.
 */
export function coalesced(reload: () => Promise<unknown>, settleMs = 0): () => void {
  let running = false
  let again = false
  let settle: ReturnType<typeof setTimeout> | undefined
  const run = async () => {
    running = true
    do {
      again = false
      await reload().catch(() => undefined)
    } while (again)
    running = false
  }
  const now = () => {
    if (running) again = true
    else void run()
  }
  return () => {
    now()
    if (settleMs > 0) {
      if (settle !== undefined) clearTimeout(settle)
      settle = setTimeout(() => {
        settle = undefined
        now()
      }, settleMs)
    }
  }
}

/** The last fire a `schedule.fired` event of the events stream tells, or undefined for another event. */
export function fireOfEvent(data: Record<string, unknown>): Fire | undefined {
  if (data.type !== 'schedule.fired' || typeof data.id !== 'string' || typeof data.outcome !== 'string')
    return undefined
  return {
    schedule_id: data.id,
    scheduled_for: typeof data.scheduled_for === 'string' ? data.scheduled_for : '',
    outcome: data.outcome as Fire['outcome'],
    kind: (typeof data.kind === 'string' ? data.kind : 'schedule') as Fire['kind'],
    job_id: typeof data.job_id === 'string' ? data.job_id : null,
    reason: '',
  }
}

/**
 * An instant as the wall clock of a zone reads it (`2026-03-29 03:00:00 GMT+2`): a schedule's fire
 * times in its own zone, where daylight-saving changes show, whatever the reader's zone.
 */
export function inZone(iso: string, zone: string): string {
  const at = new Date(iso)
  if (Number.isNaN(at.getTime()) || !isTimeZone(zone)) return iso
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  )
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`
}
