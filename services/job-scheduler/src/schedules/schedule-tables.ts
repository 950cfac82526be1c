import type { Db, Trx } from '@taskforge/event-store'
import { type ColumnType, type Generated, type Kysely, sql } from 'kysely'
import type { DueTimerTable } from '../timers/due-timer-table.js'

type Json<T> = ColumnType<T, string, string>

/**
 * One row per schedule not deleted: when it is next due (null: not armed, paused, ended or failed).
 * Written in the transaction that appends the schedule's events, so a due time is never lost nor
 * fired twice, whichever process stops in between; replicas claim due rows with `SKIP LOCKED`.
 */
export interface ScheduleTimersTable {
  schedule_id: string
  customer: string
  task_id: string
  due_at: Date | null
  /**
   * A fire kept by `buffer_one` waits for this job to end: the transaction that ends it makes the
   * timer due at once ({@link wakeBufferedFires}). Null when no fire waits.
   */
  waits_for_job: string | null
}

/**
 * Every fire: written in the transaction that appends its `fired` event. Its key (schedule, kind,
 * scheduled time) is the store's guarantee that a scheduled time fires once, whatever the replicas.
 */
export interface ScheduleFiresTable {
  schedule_id: string
  kind: string
  scheduled_for: Date
  customer: string
  outcome: string
  job_id: string
  reason: string
  fired_at: Date
  seq: Generated<string>
}

/** The `schedules` read model, rebuilt from the schedule streams. */
export interface SchedulesTable {
  id: string
  customer: string
  task_id: string
  spec: Json<Record<string, unknown>>
  state: string
  error: string
  next_fire_at: Date | null
  runs: number
  /** Scheduled times up to here were dealt with. */
  fire_cursor: Date
  created_at: Date
  updated_at: Date
  /** Edits so far (the ETag): fires leave it. */
  revision: number
  author: string
  version: number
}

export interface SchedulesDatabase {
  schedule_timers: ScheduleTimersTable
  schedule_fires: ScheduleFiresTable
  schedules: SchedulesTable
}

export const SCHEDULE_TIMERS_TABLE = 'schedule_timers'
export const SCHEDULE_FIRES_TABLE = 'schedule_fires'
export const SCHEDULES_TABLE = 'schedules'

export function schedulesDb(db: Db | Trx): Kysely<SchedulesDatabase> {
  return db as Kysely<SchedulesDatabase>
}

/** Creates the timers and fires tables when missing (the read model is the projection's). */
export async function createScheduleTables(conn: Db): Promise<void> {
  const db = schedulesDb(conn)
  await db.schema
    .createTable(SCHEDULE_TIMERS_TABLE)
    .ifNotExists()
    .addColumn('schedule_id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz')
    .execute()
  await sql`ALTER TABLE ${sql.table(SCHEDULE_TIMERS_TABLE)} ADD COLUMN IF NOT EXISTS waits_for_job text`.execute(
    conn,
  )
  await sql`CREATE INDEX IF NOT EXISTS schedule_timers_waits_for_job ON ${sql.table(SCHEDULE_TIMERS_TABLE)} (waits_for_job)
    WHERE waits_for_job IS NOT NULL`.execute(conn)
  await db.schema
    .createIndex('schedule_timers_due')
    .ifNotExists()
    .on(SCHEDULE_TIMERS_TABLE)
    .column('due_at')
    .execute()
  await db.schema
    .createIndex('schedule_timers_customer')
    .ifNotExists()
    .on(SCHEDULE_TIMERS_TABLE)
    .column('customer')
    .execute()
  await db.schema
    .createTable(SCHEDULE_FIRES_TABLE)
    .ifNotExists()
    .addColumn('schedule_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('scheduled_for', 'timestamptz', (c) => c.notNull())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'timestamptz', (c) => c.notNull())
    .addColumn('seq', 'bigserial', (c) => c.notNull())
    .addPrimaryKeyConstraint('schedule_fires_key', ['schedule_id', 'kind', 'scheduled_for'])
    .execute()
  await db.schema
    .createIndex('schedule_fires_schedule_seq')
    .ifNotExists()
    .on(SCHEDULE_FIRES_TABLE)
    .columns(['schedule_id', 'seq desc'])
    .execute()
}

export async function createSchedulesTable(db: Kysely<SchedulesDatabase>): Promise<void> {
  await db.schema
    .createTable(SCHEDULES_TABLE)
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('next_fire_at', 'timestamptz')
    .addColumn('runs', 'integer', (c) => c.notNull())
    .addColumn('fire_cursor', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('schedules_customer_task')
    .ifNotExists()
    .on(SCHEDULES_TABLE)
    .columns(['customer', 'task_id', 'created_at'])
    .execute()
}

/** Sets (or clears, with null) a schedule's due time, in the transaction of its events. */
export async function setScheduleTimer(trx: Trx, timer: ScheduleTimersTable): Promise<void> {
  await setScheduleTimers(trx, [timer])
}

/** {@link setScheduleTimer} for several schedules, in one statement. */
export async function setScheduleTimers(trx: Trx, timers: readonly ScheduleTimersTable[]): Promise<void> {
  if (timers.length === 0) return
  await schedulesDb(trx)
    .insertInto(SCHEDULE_TIMERS_TABLE)
    .values([...timers])
    .onConflict((oc) =>
      oc.column('schedule_id').doUpdateSet((eb) => ({
        due_at: eb.ref('excluded.due_at'),
        waits_for_job: eb.ref('excluded.waits_for_job'),
      })),
    )
    .execute()
}

/**
 * Makes due at once the timers of fires kept by `buffer_one` for these jobs, which just ended, in the
 * transaction that ends them. A timer held by a fire in progress is skipped: that fire reads the job's
 * schedule row under a key-share lock ({@link jobRunning}), so it either waited for this transaction
 * and sees the job ended, or holds the row and this transaction waited for it, and its timer is
 * then free to be made due here.
 */
export async function wakeBufferedFires(trx: Trx, jobIds: readonly string[]): Promise<string[]> {
  if (jobIds.length === 0) return []
  const { rows } = await sql<{
    schedule_id: string
  }>`UPDATE ${sql.table(SCHEDULE_TIMERS_TABLE)} SET due_at = now()
    WHERE schedule_id IN (SELECT schedule_id FROM ${sql.table(SCHEDULE_TIMERS_TABLE)}
      WHERE waits_for_job = ANY(${[...jobIds]}::text[]) FOR UPDATE SKIP LOCKED)
    RETURNING schedule_id`.execute(trx)
  return rows.map((row) => row.schedule_id)
}

export async function deleteScheduleTimers(trx: Trx, scheduleIds: readonly string[]): Promise<void> {
  if (scheduleIds.length === 0) return
  await schedulesDb(trx)
    .deleteFrom(SCHEDULE_TIMERS_TABLE)
    .where('schedule_id', 'in', [...scheduleIds])
    .execute()
}

/** Schedules of an organization (paused ones included), counted under a lock on its schedules. */
export async function lockAndCountSchedules(trx: Trx, customer: string): Promise<number> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`schedules:${customer}`}))`.execute(trx)
  const row = await schedulesDb(trx)
    .selectFrom(SCHEDULE_TIMERS_TABLE)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('customer', '=', customer)
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

/** Holds one schedule's timer row for a command (trigger, backfill, update) against the firing loop. */
export async function lockScheduleTimer(trx: Trx, scheduleId: string): Promise<void> {
  await schedulesDb(trx)
    .selectFrom(SCHEDULE_TIMERS_TABLE)
    .select('schedule_id')
    .where('schedule_id', '=', scheduleId)
    .forUpdate()
    .execute()
}

export interface FireRow {
  schedule_id: string
  kind: string
  scheduled_for: Date
  customer: string
  outcome: string
  job_id: string
  reason: string
  fired_at: Date
}

/**
 * Records fires (of one schedule or of a burst, in one statement); a (schedule, kind, scheduled
 * time) recorded already fails the insert, and with it the transaction that would have fired it a
 * second time. `fired_at` is the database's clock as the
 * row is written: after the fire's job was queued, in the same transaction (not the transaction's
 * start, which would leave out the time the fire itself took).
 */
export async function insertFires(trx: Trx, rows: readonly Omit<FireRow, 'fired_at'>[]): Promise<void> {
  if (rows.length === 0) return
  const written = await schedulesDb(trx)
    .insertInto(SCHEDULE_FIRES_TABLE)
    .values(rows.map((row) => ({ ...row, fired_at: sql<Date>`clock_timestamp()` })))
    .onConflict((oc) =>
      oc
        .columns(['schedule_id', 'kind', 'scheduled_for'])
        .doUpdateSet((eb) => ({
          outcome: eb.ref('excluded.outcome'),
          job_id: eb.ref('excluded.job_id'),
          reason: eb.ref('excluded.reason'),
          fired_at: eb.ref('excluded.fired_at'),
        }))
        // Only a buffered fire is recorded again (when it starts or is replaced).
        .where(`${SCHEDULE_FIRES_TABLE}.outcome`, '=', 'buffered'),
    )
    .returning(['schedule_id', 'kind', 'scheduled_for'])
    .execute()
  if (written.length !== rows.length) {
    const keyOf = (row: Pick<FireRow, 'schedule_id' | 'kind' | 'scheduled_for'>) =>
      `${row.schedule_id} ${row.kind} ${row.scheduled_for.getTime()}`
    const recorded = new Set(written.map(keyOf))
    throw new FireRecordedAlready((rows.find((row) => !recorded.has(keyOf(row))) ?? rows[0]!).schedule_id)
  }
}

/** A transaction tried to record a fire recorded already: it rolls back, and fires nothing. */
export class FireRecordedAlready extends Error {
  constructor(scheduleId: string) {
    super(`a fire of schedule ${scheduleId} was recorded already`)
    this.name = 'FireRecordedAlready'
  }
}

/** The backfill times of a schedule already fired, among `times`. */
export async function backfilledAlready(
  trx: Trx,
  scheduleId: string,
  times: readonly Date[],
): Promise<Set<number>> {
  if (times.length === 0) return new Set()
  const rows = await schedulesDb(trx)
    .selectFrom(SCHEDULE_FIRES_TABLE)
    .select('scheduled_for')
    .where('schedule_id', '=', scheduleId)
    .where('kind', '=', 'backfill')
    .where('scheduled_for', 'in', [...times])
    .execute()
  return new Set(rows.map((row) => row.scheduled_for.getTime()))
}

/** A schedule's latest fires, newest first. */
export async function listFires(
  db: Db,
  customer: string,
  scheduleId: string,
  limit: number,
): Promise<FireRow[]> {
  return schedulesDb(db)
    .selectFrom(SCHEDULE_FIRES_TABLE)
    .select(['schedule_id', 'kind', 'scheduled_for', 'customer', 'outcome', 'job_id', 'reason', 'fired_at'])
    .where('customer', '=', customer)
    .where('schedule_id', '=', scheduleId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute()
}

/** The latest fire of each of these schedules (one query on the fires' (schedule, seq) index). */
export async function latestFires(db: Db, scheduleIds: readonly string[]): Promise<Map<string, FireRow>> {
  if (scheduleIds.length === 0) return new Map()
  const { rows } = await sql<FireRow>`SELECT latest.* FROM unnest(${[...scheduleIds]}::text[]) AS s (id)
    CROSS JOIN LATERAL (
      SELECT schedule_id, kind, scheduled_for, customer, outcome, job_id, reason, fired_at
      FROM ${sql.table(SCHEDULE_FIRES_TABLE)} WHERE schedule_id = s.id ORDER BY seq DESC LIMIT 1
    ) AS latest`.execute(db)
  return new Map(rows.map((row) => [row.schedule_id, row]))
}

/** The schedule timers as a table of due times. */
export const SCHEDULE_TIMERS: DueTimerTable = { table: SCHEDULE_TIMERS_TABLE, key: 'schedule_id' }
