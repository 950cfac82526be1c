import { validationFailed } from '@taskforge/core'
import { Cron } from 'croner'

/**
 * A schedule's times: a 5-field cron (minute precision) or 6 fields (seconds first), read in an IANA
 * time zone. The cron is matched by croner against *wall-clock* times; turning a wall time into an
 * instant is ours, because croner's own zone handling does not keep the rules we promise (decision
 * 25): with a list of minutes in an hour that a spring change skips, it skips the day; with a fixed
 * hour that an autumn change repeats, it fires in both occurrences.
 *
 * The rules, whatever the zone:
 * - a local time that does not exist (spring gap) fires once, at the first valid instant after the
 *   gap (several such times of the same gap fire once together);
 * - a local time that happens twice (autumn overlap) fires once, the first time;
 * - when the hour field is `*` or a step (`*\/2`, `1-23/3`), the schedule follows elapsed time: a
 *   skipped hour has no fire and a repeated hour fires in each of its occurrences.
 */
export interface CronTimes {
  readonly cron: string
  readonly timezone: string
  /** Whether the hour field is `*` or a step (elapsed-time rule). */
  readonly elapsedHours: boolean
  /** The first fire strictly after `after`, or undefined when the cron never matches again. */
  next(after: Date): Date | undefined
  /** Up to `count` fires strictly after `after`, in order. */
  take(after: Date, count: number): Date[]
  /** Every fire in `(after, until]`, at most `max` of them. */
  between(after: Date, until: Date, max: number): Date[]
}

const HOUR_MS = 3_600_000
/** Zone offsets around one instant differ by less than this (largest real DST shift: 2 h). */
const SHIFT_MARGIN_MS = 3 * HOUR_MS
/** Wall-time candidates one look reads at most before giving up (a cron matching almost never). */
const MAX_CANDIDATES = 10_000

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterOf(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timezone, formatter)
  }
  return formatter
}

/** Whether `timezone` is an IANA zone name this runtime knows. */
export function isTimezone(timezone: string): boolean {
  if (timezone === '' || timezone.length > 64) return false
  try {
    formatterOf(timezone).format(0)
    return true
  } catch {
    return false
  }
}

/** The zone's offset (ms) at `instant`, read once per zone and minute (changes fall on whole minutes). */
function offsetAt(instant: number, timezone: string): number {
  let cache = offsets.get(timezone)
  if (cache === undefined || cache.size > 100_000) {
    cache = new Map()
    offsets.set(timezone, cache)
  }
  const minute = Math.floor(instant / 60_000)
  let offset = cache.get(minute)
  if (offset === undefined) {
    const start = minute * 60_000
    const parts = formatterOf(timezone).formatToParts(new Date(start))
    const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0)
    const wall = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour'),
      get('minute'),
      get('second'),
    )
    offset = wall - start
    cache.set(minute, offset)
  }
  return offset
}

const offsets = new Map<string, Map<number, number>>()

/** The wall-clock time at `instant` in `timezone`, as milliseconds of a UTC-naive clock. */
export function wallOf(instant: number, timezone: string): number {
  return instant + offsetAt(instant, timezone)
}

/**
 * The instants whose wall time in `timezone` is `wall`: one, two (overlap, earliest first) or none
 * (gap; then `gapEnd` is the first valid instant after the gap).
 */
export function instantsOf(wall: number, timezone: string): { instants: number[]; gapEnd?: number } {
  // Within one shift of the answer, whatever the zone's offset (up to ±14 h).
  const guess = wall - offsetAt(wall, timezone)
  const offsetBefore = offsetAt(guess - SHIFT_MARGIN_MS, timezone)
  const offsetAfter = offsetAt(guess + SHIFT_MARGIN_MS, timezone)
  if (offsetBefore === offsetAfter && offsetAt(guess, timezone) === offsetBefore)
    return { instants: [wall - offsetBefore] }
  const instants = [...new Set([wall - offsetBefore, wall - offsetAfter])]
    .filter((instant) => wallOf(instant, timezone) === wall)
    .sort((a, b) => a - b)
  if (instants.length > 0) return { instants }
  // A gap: the offset grew. The change lies between the two readings; find its instant to the minute.
  let low = wall - offsetAfter
  let high = wall - offsetBefore
  while (high - low > 60_000) {
    const middle = Math.floor((low + high) / 2)
    if (offsetAt(middle, timezone) === offsetBefore) low = middle
    else high = middle
  }
  return { instants: [], gapEnd: Math.floor(high / 60_000) * 60_000 }
}

/** The hour field of a 5- or 6-field cron. */
function hourField(fields: readonly string[]): string {
  return fields.length === 6 ? fields[2]! : fields[1]!
}

/**
 * Parses a schedule's cron and zone; a 400 naming the field when either is not one we accept.
 *
 * @example
 * cronTimes('30 2 * * *', 'Europe/Berlin').next(new Date('2026-03-28T12:00:00Z')) // 03:00 CEST
 */
export function cronTimes(cron: string, timezone: string): CronTimes {
  const fields = cron.trim().split(/\s+/)
  if (fields.length !== 5 && fields.length !== 6)
    throw validationFailed(
      `cron must have 5 fields (minute hour day month weekday) or 6 (seconds first); got ${fields.length}`,
      { field: 'cron' },
    )
  if (!isTimezone(timezone))
    throw validationFailed(`timezone ${JSON.stringify(timezone)} is not an IANA time zone`, {
      field: 'timezone',
    })
  let pattern: Cron
  try {
    // Matched on wall times written as UTC: the zone is applied by instantsOf, not by croner.
    pattern = new Cron(fields.join(' '), { utcOffset: 0, paused: true, legacyMode: true })
  } catch (error) {
    throw validationFailed(`cron is not valid: ${error instanceof Error ? error.message : String(error)}`, {
      field: 'cron',
    })
  }
  const hours = hourField(fields)
  const elapsedHours = hours === '*' || hours.includes('/')

  /** The instants of the wall candidates from `fromWall` on, in wall order, until `stop` says so. */
  function scan(after: number, stop: (found: number[], wall: number) => boolean): number[] {
    const found = new Set<number>()
    // Wall time runs backwards only where the clock was put back: start that far before `after`.
    const back = Math.max(0, offsetAt(after - SHIFT_MARGIN_MS, timezone) - offsetAt(after, timezone))
    let wall = wallOf(after, timezone) - back
    for (let i = 0; i < MAX_CANDIDATES; i++) {
      const candidate = pattern.nextRun(new Date(wall))
      if (candidate === null) break
      wall = candidate.getTime()
      const { instants, gapEnd } = instantsOf(wall, timezone)
      const chosen =
        instants.length > 0 ? (elapsedHours ? instants : [instants[0]!]) : elapsedHours ? [] : [gapEnd!]
      for (const instant of chosen) if (instant > after) found.add(instant)
      const sorted = [...found].sort((a, b) => a - b)
      if (stop(sorted, wall)) return sorted
    }
    return [...found].sort((a, b) => a - b)
  }

  /** No later wall candidate can give an instant before `instant`. */
  const settled = (instant: number, wall: number) =>
    wall >= instant + Math.max(offsetAt(instant - SHIFT_MARGIN_MS, timezone), offsetAt(instant, timezone))

  function take(after: Date, count: number): Date[] {
    if (count <= 0) return []
    const sorted = scan(
      after.getTime(),
      (found, wall) => found.length >= count && settled(found[count - 1]!, wall),
    )
    return sorted.slice(0, count).map((ms) => new Date(ms))
  }

  return {
    cron,
    timezone,
    elapsedHours,
    take,
    next: (after) => take(after, 1)[0],
    between(after, until, max) {
      const end = until.getTime()
      const sorted = scan(
        after.getTime(),
        (found, wall) =>
          settled(end, wall) || (found.length > max && settled(found[max]!, wall)) || found.length > 10 * max,
      )
      return sorted
        .filter((ms) => ms <= end)
        .slice(0, max)
        .map((ms) => new Date(ms))
    },
  }
}
