import {
  createDb,
  type Db,
  EventStore,
  type Projection,
  Projector,
} from '../../../packages/event-store/src/index.js'
import { botsProjection } from '../../../services/bot-dispatch/src/projection/bots-projection.js'
import { accountsProjection } from '../../../services/gateway/src/accounts/accounts-projection.js'
import { decodeJobEvent } from '../../../services/job-scheduler/src/domain/job-events.js'
import { jobLogProjection } from '../../../services/job-scheduler/src/projection/job-log-projection.js'
import { jobsProjection } from '../../../services/job-scheduler/src/projection/jobs-projection.js'
import { workflowRunsProjection } from '../../../services/job-scheduler/src/workflows/workflow-runs-projection.js'
import { scriptsProjection } from '../../../services/task-catalog/src/projections/scripts-projection.js'
import { tasksProjection } from '../../../services/task-catalog/src/projections/tasks-projection.js'
import { webhooksProjection } from '../../../services/task-catalog/src/projections/webhooks-projection.js'
import { SecretSealer } from '../../../services/task-catalog/src/secrets/secret-sealer.js'
import { mapEvent, type SourceEvent } from '../../../services/webhook-relay/src/mapping/public-events.js'
import type { PublicObject } from '../../../services/webhook-relay/src/mapping/public-objects.js'
import { subscriptionsProjection } from '../../../services/webhook-relay/src/projection/subscriptions-projection.js'

/** Each service's projections, as its composition root builds them. */
export const PROJECTIONS: Record<string, () => Projection[]> = {
  gateway: () => [accountsProjection],
  // The projections seal only secrets that events before decision 18 held in clear, which a platform
  // started now never writes: any key does.
  'task-catalog': () => {
    const sealer = SecretSealer.fromKeys([SecretSealer.newKey()])
    return [scriptsProjection(), tasksProjection(sealer), webhooksProjection(sealer)]
  },
  'job-scheduler': () => [jobsProjection, jobLogProjection, workflowRunsProjection],
  'bot-dispatch': () => [botsProjection],
  'webhook-relay': () => [subscriptionsProjection()],
}

/** The event store's own tables: the facts (and what its pipelines set aside), not read models. */
const STORE_TABLES = new Set(['events', 'streams', 'inbox', 'checkpoints', 'quarantine'])

/** The job events that end a job. */
export const TERMINAL_TYPES = ['finished', 'canceled', 'leaseExpired'] as const

/** A stored event as webhook-relay maps it. */
export type StoredRow = SourceEvent

/** Every event of a store (of some stream types), stream by stream in version order. */
export async function readEvents(db: Db, streamTypes?: readonly string[]): Promise<StoredRow[]> {
  let query = db
    .selectFrom('events')
    .select([
      'event_id',
      'stream_id',
      'stream_type',
      'stream_version',
      'type',
      'data',
      'metadata',
      'occurred_at',
    ])
  if (streamTypes !== undefined) query = query.where('stream_type', 'in', [...streamTypes])
  const rows = await query.orderBy('stream_id').orderBy('stream_version').execute()
  return rows.map((row) => ({
    eventId: row.event_id,
    streamId: row.stream_id,
    streamType: row.stream_type,
    streamVersion: Number(row.stream_version),
    type: row.type,
    data: row.data,
    customer: row.metadata?.customer ?? '',
    author: row.metadata?.author ?? '',
    occurredAt: row.occurred_at,
  }))
}

/** One line per event of a job, for failure messages. */
export function describeJob(events: readonly StoredRow[]): string {
  return events
    .map((event) => {
      let detail = ''
      try {
        const decoded = decodeJobEvent({ data: event.data, eventId: event.eventId })
        if (decoded.$case === 'finished') detail = ` ${decoded.value.lifecycle}/${decoded.value.state}`
        if (decoded.$case === 'leaseExpired' || decoded.$case === 'canceled')
          detail = ` ${decoded.value.reason}`
        if (decoded.$case === 'assigned')
          detail = ` bot ${decoded.value.botId} attempt ${decoded.value.attempt}`
      } catch {
        detail = ' (undecodable)'
      }
      return `    v${event.streamVersion} ${event.occurredAt.toISOString()} ${event.type}${detail}`
    })
    .join('\n')
}

/** The workflow run (and node) a job runs for, from its `queued` event; undefined for a job of no run. */
export function workflowNodeOf(events: readonly StoredRow[]): { runId: string; node: string } | undefined {
  const queued = events.find((event) => event.type === 'queued')
  if (queued === undefined) return undefined
  const decoded = decodeJobEvent({ data: queued.data, eventId: queued.eventId })
  if (decoded.$case !== 'queued' || decoded.value.workflowRunId === undefined) return undefined
  return { runId: decoded.value.workflowRunId, node: decoded.value.workflowNode ?? '' }
}

/** Lifecycle and state a job's read model row must show after its terminal event. */
export function terminalView(event: StoredRow): { lifecycle: string; state: string } {
  const decoded = decodeJobEvent({ data: event.data, eventId: event.eventId })
  switch (decoded.$case) {
    case 'finished':
      return { lifecycle: decoded.value.lifecycle, state: decoded.value.state }
    case 'canceled':
      return { lifecycle: 'canceled', state: 'canceled' }
    case 'leaseExpired':
      return { lifecycle: 'terminated', state: 'error' }
    default:
      throw new Error(`${event.type} is not a terminal event`)
  }
}

export interface PublicEventRecord {
  eventId: string
  name: string
  streamType: string
  streamId: string
  occurredAt: Date
}

/**
 * The webhook events the stored events stand for, folded stream by stream as webhook-relay folds
 * them: what every subscription should receive.
 */
export function publicEventsOf(events: readonly StoredRow[]): PublicEventRecord[] {
  const objects = new Map<string, PublicObject | undefined>()
  const answer: PublicEventRecord[] = []
  for (const event of events) {
    const mapped = mapEvent(event, objects.get(event.streamId))
    objects.set(event.streamId, mapped.deleted ? undefined : mapped.object)
    if (mapped.publicEvent === undefined) continue
    answer.push({
      eventId: event.eventId,
      name: mapped.publicEvent.name,
      streamType: event.streamType,
      streamId: event.streamId,
      occurredAt: event.occurredAt,
    })
  }
  return answer
}

type Snapshot = Map<string, string[]>

/** Every row of every table besides the event store's, as sorted JSON lines per table. */
async function snapshot(db: Db): Promise<Snapshot> {
  const tables = await db
    .selectFrom('information_schema.tables')
    .select('table_name')
    .where('table_schema', '=', 'public')
    .where('table_type', '=', 'BASE TABLE')
    .execute()
  const answer: Snapshot = new Map()
  for (const { table_name: table } of tables) {
    if (STORE_TABLES.has(table)) continue
    const rows = await db.selectFrom(table).selectAll().execute()
    answer.set(table, rows.map((row) => JSON.stringify(row)).sort())
  }
  return answer
}

function differences(before: Snapshot, after: Snapshot): string[] {
  const found: string[] = []
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(table) ?? []
    const is = after.get(table) ?? []
    const wasSet = new Set(was)
    const isSet = new Set(is)
    const gone = was.filter((row) => !isSet.has(row))
    const added = is.filter((row) => !wasSet.has(row))
    if (gone.length === 0 && added.length === 0 && was.length === is.length) continue
    found.push(
      `${table}: ${was.length} rows before, ${is.length} after the rebuild\n` +
        gone
          .slice(0, 3)
          .map((row) => `    before: ${row.slice(0, 400)}`)
          .join('\n') +
        '\n' +
        added
          .slice(0, 3)
          .map((row) => `    after:  ${row.slice(0, 400)}`)
          .join('\n'),
    )
  }
  return found
}

/**
 * Rebuilds every projection of a (stopped) service from its events and answers how its tables
 * differ from what they held before: nothing when the read model is a function of the events.
 */
export async function rebuildDifferences(service: string, db: Db): Promise<string[]> {
  const projections = PROJECTIONS[service]?.()
  if (projections === undefined) throw new Error(`no projections known for ${service}`)
  const before = await snapshot(db)
  const projector = new Projector(new EventStore(db), projections)
  const failures: string[] = []
  for (const projection of projections) {
    const result = await projector.rebuild(projection.name)
    if (result.error !== undefined)
      failures.push(`${projection.name}: rebuild failed: ${String(result.error)}`)
  }
  return [...failures, ...differences(before, await snapshot(db))].map((line) => `${service} ${line}`)
}

/** A small pool on a service's database. */
export function serviceDb(url: string): Db {
  return createDb(url, { max: 2 })
}
