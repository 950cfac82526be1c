import type { Db, Projection, StoredEvent, Trx } from '@taskforge/event-store'
import { type Schedule, ScheduleSpec } from '@taskforge/proto/jobs/v1/schedules'
import type { Insertable, Selectable } from 'kysely'
import {
  initialScheduleState,
  type ScheduleState,
  scheduleDecider,
  scheduleStatus,
} from './schedule-decider.js'
import { decodeScheduleEvent, SCHEDULE_STREAM_TYPE } from './schedule-events.js'
import { createSchedulesTable, SCHEDULES_TABLE, type SchedulesTable, schedulesDb } from './schedule-tables.js'

/** A spec as the read model keeps it (JSON, instants as ISO text). */
function specToJson(spec: ScheduleSpec): Record<string, unknown> {
  return { ...spec, startAt: spec.startAt?.toISOString(), endAt: spec.endAt?.toISOString() }
}

function specFromJson(json: Record<string, unknown>): ScheduleSpec {
  const date = (value: unknown) => (typeof value === 'string' ? new Date(value) : undefined)
  return ScheduleSpec.fromPartial({
    ...(json as Partial<ScheduleSpec>),
    startAt: date(json.startAt),
    endAt: date(json.endAt),
  })
}

/** The row's view of a schedule state. */
function rowOf(state: ScheduleState, version: number, author: string): Insertable<SchedulesTable> {
  return {
    id: state.id,
    customer: state.customer,
    task_id: state.taskId,
    spec: JSON.stringify(specToJson(state.spec)),
    state: scheduleStatus(state),
    error: state.error,
    next_fire_at: state.fire.nextFireAt ?? null,
    runs: state.fire.runs,
    fire_cursor: state.fire.cursor,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    revision: state.revision,
    author,
    version,
  }
}

/** The state a row holds back (enough to apply the next events). */
function stateOf(row: Selectable<SchedulesTable>): ScheduleState {
  const state = initialScheduleState()
  return {
    ...state,
    exists: true,
    id: row.id,
    customer: row.customer,
    taskId: row.task_id,
    spec: specFromJson(row.spec),
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revision: row.revision,
    fire: {
      ...state.fire,
      runs: row.runs,
      nextFireAt: row.next_fire_at ?? undefined,
      cursor: row.fire_cursor,
    },
  }
}

/** A read model row as the gRPC model answers it. */
export function scheduleFromRow(row: Selectable<SchedulesTable>): Schedule {
  return {
    id: row.id,
    customer: row.customer,
    taskId: row.task_id,
    spec: specFromJson(row.spec),
    state: row.state,
    error: row.error,
    nextFireAt: row.next_fire_at ?? undefined,
    runs: row.runs,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    author: row.author,
    lastFire: undefined,
    revision: row.revision,
  }
}

/** A folded state as the gRPC model answers it (a command's answer, before the read model caught up). */
export function scheduleFromState(state: ScheduleState, author: string): Schedule {
  return {
    id: state.id,
    customer: state.customer,
    taskId: state.taskId,
    spec: state.spec,
    state: scheduleStatus(state),
    error: state.error,
    nextFireAt: state.fire.nextFireAt,
    runs: state.fire.runs,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    author,
    lastFire: undefined,
    revision: state.revision,
  }
}

/**
 * The `schedules` read model: one row per schedule not deleted, folded with the aggregate's own
 * `evolve`. Events at or below a row's version are skipped, so replaying a batch is harmless.
 */
export const schedulesProjection: Projection = {
  name: SCHEDULES_TABLE,
  // 2: the revision (edits so far, the ETag).
  version: 2,
  streamTypes: [SCHEDULE_STREAM_TYPE],

  async setup(db: Db) {
    await createSchedulesTable(schedulesDb(db))
  },

  async reset(trx: Trx) {
    await schedulesDb(trx).schema.dropTable(SCHEDULES_TABLE).ifExists().execute()
    await createSchedulesTable(schedulesDb(trx))
  },

  async apply(trx: Trx, events: StoredEvent[]) {
    const own = events.filter((event) => event.streamType === SCHEDULE_STREAM_TYPE)
    if (own.length === 0) return
    const db = schedulesDb(trx)
    const ids = [...new Set(own.map((event) => event.streamId))]
    const rows = await db.selectFrom(SCHEDULES_TABLE).selectAll().where('id', 'in', ids).execute()
    const current = new Map(
      rows.map((row) => [row.id, { state: stateOf(row), version: row.version, author: row.author }]),
    )
    const deleted = new Set<string>()
    const changed = new Set<string>()
    for (const stored of own) {
      const version = Number(stored.streamVersion)
      const entry = current.get(stored.streamId) ?? { state: initialScheduleState(), version: 0, author: '' }
      if (entry.version >= version) continue
      const event = decodeScheduleEvent(stored)
      const state = scheduleDecider.evolve(entry.state, event)
      const author = event.$case === 'created' ? (stored.metadata.author ?? '') : entry.author
      current.set(stored.streamId, { state, version, author })
      if (state.deleted) deleted.add(stored.streamId)
      else changed.add(stored.streamId)
    }
    if (deleted.size > 0)
      await db
        .deleteFrom(SCHEDULES_TABLE)
        .where('id', 'in', [...deleted])
        .execute()
    const upserts = [...changed]
      .filter((id) => !deleted.has(id) && current.get(id)!.state.exists)
      .map((id) => {
        const { state, version, author } = current.get(id)!
        return rowOf(state, version, author)
      })
    if (upserts.length === 0) return
    const columns = Object.keys(upserts[0]!).filter((column) => column !== 'id') as (keyof SchedulesTable)[]
    await db
      .insertInto(SCHEDULES_TABLE)
      .values(upserts)
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) =>
            Object.fromEntries(columns.map((column) => [column, eb.ref(`excluded.${column}`)])),
          ),
      )
      .execute()
  },
}
