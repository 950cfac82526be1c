import { AppError, describeFailure, ErrorKinds, newId, notFound } from '@taskforge/core'
import { createLogger, type Logger } from '@taskforge/telemetry'
import { sql } from 'kysely'
import type { Db, StoredEvent, Trx } from './types.js'

/** What a quarantined item was: an event of this store, or a message taken from a JetStream stream. */
export type QuarantineKind = 'event' | 'message'

/** `quarantined`: set aside, waiting for an operator; `replayed`: an operator's replay applied it. */
export type QuarantineStatus = 'quarantined' | 'replayed'

/** What a pipeline could not apply, as it hands it to {@link Quarantine.record}. */
export interface PoisonItem {
  /**
   * The pipeline that set it aside, by kind and name: `projection:<name>`, `outbox:<relay>`,
   * `consumer:<stream>/<durable>`. A replay goes back through the same pipeline.
   */
  pipeline: string
  kind: QuarantineKind
  /** Unique within the pipeline: the event id, or `<stream>:<sequence>` of a message. */
  key: string
  /** The organization the item belongs to, when known. */
  customer?: string
  event?: Pick<StoredEvent, 'eventId' | 'streamId' | 'streamType' | 'streamVersion' | 'type' | 'position'>
  message?: {
    subject: string
    streamSequence: number
    data: Uint8Array
    headers: Record<string, string>
  }
  error: unknown
  /** Tries made before it was set aside. */
  attempts: number
}

/** One row of the quarantine, as operators see it. */
export interface QuarantinedItem {
  id: string
  pipeline: string
  kind: QuarantineKind
  key: string
  customer: string | undefined
  streamId: string | undefined
  streamType: string | undefined
  eventType: string | undefined
  streamVersion: bigint | undefined
  subject: string | undefined
  streamSequence: number | undefined
  sizeBytes: number
  error: string
  attempts: number
  status: QuarantineStatus
  /** How many times it was set aside (again after a replay that failed, or a rebuild). */
  times: number
  firstQuarantinedAt: Date
  quarantinedAt: Date
  replayedAt: Date | undefined
  replayError: string | undefined
}

/** A quarantined message's payload, for its replay. */
export interface QuarantinedMessage {
  subject: string
  streamSequence: number
  data: Uint8Array
  headers: Record<string, string>
}

/** Re-runs one quarantined item through its pipeline; throws when it still cannot be applied. */
export type Replayer = (item: QuarantinedItem, message: QuarantinedMessage | undefined) => Promise<void>

export interface ListQuarantineOptions {
  status?: QuarantineStatus
  pipeline?: string
  /** Rows after this id (ids grow with time: uuid v7), for paging. */
  afterId?: string
  /** At most this many (default 100, at most 1000). */
  limit?: number
}

export interface QuarantineOptions {
  logger?: Logger
  /** Told of each item set aside, after it was recorded (metrics). */
  onQuarantined?: (pipeline: string) => void
}

const TABLE = 'quarantine'

/** The quarantine's table; part of the event store's schema (see migrate). */
export const QUARANTINE_SCHEMA = [
  sql`CREATE TABLE IF NOT EXISTS quarantine (
    id uuid PRIMARY KEY,
    pipeline text NOT NULL,
    kind text NOT NULL,
    item_key text NOT NULL,
    customer text,
    stream_id text,
    stream_type text,
    event_type text,
    stream_version bigint,
    subject text,
    stream_sequence bigint,
    data bytea,
    headers jsonb,
    size_bytes integer NOT NULL DEFAULT 0,
    error text NOT NULL,
    attempts integer NOT NULL,
    status text NOT NULL DEFAULT 'quarantined',
    times integer NOT NULL DEFAULT 1,
    first_quarantined_at timestamptz NOT NULL DEFAULT now(),
    quarantined_at timestamptz NOT NULL DEFAULT now(),
    replayed_at timestamptz,
    replay_error text,
    UNIQUE (pipeline, item_key)
  )`,
  sql`CREATE INDEX IF NOT EXISTS quarantine_by_status ON quarantine (status, id)`,
]

interface QuarantineRow {
  id: string
  pipeline: string
  kind: QuarantineKind
  item_key: string
  customer: string | null
  stream_id: string | null
  stream_type: string | null
  event_type: string | null
  stream_version: string | null
  subject: string | null
  stream_sequence: string | null
  size_bytes: number
  error: string
  attempts: number
  status: QuarantineStatus
  times: number
  first_quarantined_at: Date
  quarantined_at: Date
  replayed_at: Date | null
  replay_error: string | null
}

const COLUMNS = sql.raw(
  'id, pipeline, kind, item_key, customer, stream_id, stream_type, event_type, stream_version, subject, ' +
    'stream_sequence, size_bytes, error, attempts, status, times, first_quarantined_at, quarantined_at, ' +
    'replayed_at, replay_error',
)

/** Text Postgres can store: no NUL, no lone surrogate (an error message may quote the poison). */
function storable(text: string): string {
  return text.replaceAll('\0', '\uFFFD').toWellFormed()
}

function toItem(row: QuarantineRow): QuarantinedItem {
  return {
    id: row.id,
    pipeline: row.pipeline,
    kind: row.kind,
    key: row.item_key,
    customer: row.customer ?? undefined,
    streamId: row.stream_id ?? undefined,
    streamType: row.stream_type ?? undefined,
    eventType: row.event_type ?? undefined,
    streamVersion: row.stream_version === null ? undefined : BigInt(row.stream_version),
    subject: row.subject ?? undefined,
    streamSequence: row.stream_sequence === null ? undefined : Number(row.stream_sequence),
    sizeBytes: row.size_bytes,
    error: row.error,
    attempts: row.attempts,
    status: row.status,
    times: row.times,
    firstQuarantinedAt: row.first_quarantined_at,
    quarantinedAt: row.quarantined_at,
    replayedAt: row.replayed_at ?? undefined,
    replayError: row.replay_error ?? undefined,
  }
}

/**
 * Where a service's pipelines (projections, the outbox relay, JetStream consumers) set aside what
 * they cannot apply after a bounded number of tries, so that it never holds back what comes after
 * it (the EventStoreDB "parked message", the dead-letter topic). Each item is recorded with where it
 * failed, why and when, logged once at ERROR and counted; an operator lists items and replays one
 * through the pipeline it failed in, once its cause is fixed.
 *
 * Events stay in the event store, so an event's row only points at it; a message is kept whole,
 * since its stream may drop it.
 *
 * @example
 * const quarantine = new Quarantine(db, { logger })
 * const projector = new Projector(store, [jobs], { quarantine })
 * await quarantine.list({ status: 'quarantined' })
 */
export class Quarantine {
  readonly db: Db
  readonly #logger: Logger
  readonly #onQuarantined: ((pipeline: string) => void) | undefined
  readonly #replayers = new Map<string, Replayer>()

  constructor(db: Db, options: QuarantineOptions = {}) {
    this.db = db
    this.#logger = options.logger ?? createLogger('quarantine')
    this.#onQuarantined = options.onQuarantined
  }

  /**
   * Records an item set aside, in `executor` (the transaction that moves its pipeline past it, when
   * it has one). An item set aside again (a rebuild, a failed replay) keeps its row, counted in `times`.
   * Logs once at ERROR.
   */
  async record(executor: Db | Trx, item: PoisonItem): Promise<void> {
    const error = storable(describeFailure(item.error))
    const data = item.message?.data
    const size = data?.byteLength ?? 0
    const customer = item.customer === undefined ? null : storable(item.customer).slice(0, 200)
    await sql`
      INSERT INTO quarantine (
        id, pipeline, kind, item_key, customer, stream_id, stream_type, event_type, stream_version,
        subject, stream_sequence, data, headers, size_bytes, error, attempts
      ) VALUES (
        ${newId()}, ${item.pipeline}, ${item.kind}, ${storable(item.key).slice(0, 500)}, ${customer},
        ${item.event?.streamId ?? null}, ${item.event?.streamType ?? null}, ${item.event?.type ?? null},
        ${item.event?.streamVersion ?? null}, ${item.message === undefined ? null : storable(item.message.subject)},
        ${item.message?.streamSequence ?? null}, ${data === undefined ? null : Buffer.from(data)},
        ${item.message === undefined ? null : JSON.stringify(storableHeaders(item.message.headers))}::jsonb,
        ${size}, ${error}, ${item.attempts}
      )
      ON CONFLICT (pipeline, item_key) DO UPDATE SET
        error = excluded.error, attempts = excluded.attempts, status = 'quarantined',
        times = ${sql.table(TABLE)}.times + 1, quarantined_at = now()
    `.execute(executor)
    this.#logger.error(
      {
        pipeline: item.pipeline,
        key: item.key,
        customer: item.customer,
        ...(item.event === undefined
          ? {}
          : {
              streamId: item.event.streamId,
              eventType: item.event.type,
              position: String(item.event.position),
            }),
        ...(item.message === undefined
          ? {}
          : { subject: item.message.subject, streamSequence: item.message.streamSequence, bytes: size }),
        attempts: item.attempts,
        err: error,
      },
      'quarantined: set aside after failing, the pipeline moves on',
    )
    this.#onQuarantined?.(item.pipeline)
  }

  /** Records a message a JetStream consumer set aside (the bus's `MessageQuarantine`). */
  setAsideMessage(item: {
    pipeline: string
    key: string
    customer?: string
    subject: string
    streamSequence: number
    data: Uint8Array
    headers: Record<string, string>
    error: unknown
    attempts: number
  }): Promise<void> {
    const { subject, streamSequence, data, headers, ...rest } = item
    return this.record(this.db, {
      ...rest,
      kind: 'message',
      message: { subject, streamSequence, data, headers },
    })
  }

  /** Items, oldest first. */
  async list(options: ListQuarantineOptions = {}): Promise<QuarantinedItem[]> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1_000)
    const { rows } = await sql<QuarantineRow>`
      SELECT ${COLUMNS} FROM quarantine
      WHERE (${options.status ?? null}::text IS NULL OR status = ${options.status ?? null})
        AND (${options.pipeline ?? null}::text IS NULL OR pipeline = ${options.pipeline ?? null})
        AND (${options.afterId ?? null}::uuid IS NULL OR id > ${options.afterId ?? null}::uuid)
      ORDER BY id
      LIMIT ${limit}
    `.execute(this.db)
    return rows.map(toItem)
  }

  /** Items still set aside, by pipeline (for metrics). */
  async counts(): Promise<Map<string, number>> {
    const { rows } = await sql<{ pipeline: string; count: string }>`
      SELECT pipeline, count(*) AS count FROM quarantine WHERE status = 'quarantined' GROUP BY pipeline
    `.execute(this.db)
    return new Map(rows.map((row) => [row.pipeline, Number(row.count)]))
  }

  async get(id: string): Promise<QuarantinedItem | undefined> {
    const { rows } = await sql<QuarantineRow>`
      SELECT ${COLUMNS} FROM quarantine WHERE id = ${id}::uuid
    `.execute(this.db)
    return rows[0] === undefined ? undefined : toItem(rows[0])
  }

  /**
   * Says how to replay the items of pipelines whose name starts with `pipelinePrefix` (the
   * projector registers `projection:`, a relay `outbox:<name>`, a consumer `consumer:<stream>/<durable>`).
   */
  registerReplayer(pipelinePrefix: string, replayer: Replayer): () => void {
    this.#replayers.set(pipelinePrefix, replayer)
    return () => {
      if (this.#replayers.get(pipelinePrefix) === replayer) this.#replayers.delete(pipelinePrefix)
    }
  }

  /**
   * Runs a quarantined item through its pipeline again. On success its row says `replayed`; on
   * failure it stays quarantined with the replay's error, which is also thrown (as INVALID_STATE:
   * the item still cannot be applied).
   */
  async replay(id: string): Promise<QuarantinedItem> {
    const item = await this.get(id)
    if (item === undefined) throw notFound('quarantined item', id)
    if (item.status === 'replayed') return item
    const replayer = this.#replayerOf(item.pipeline)
    if (replayer === undefined) {
      throw new AppError(ErrorKinds.UNAVAILABLE, `no replay is running for pipeline ${item.pipeline} here`)
    }
    try {
      await replayer(item, item.kind === 'message' ? await this.#message(id) : undefined)
    } catch (error) {
      const message = storable(describeFailure(error))
      await sql`UPDATE quarantine SET replay_error = ${message} WHERE id = ${id}::uuid`.execute(this.db)
      throw new AppError(ErrorKinds.INVALID_STATE, `replay failed: ${message}`, {
        details: { id, pipeline: item.pipeline },
        cause: error,
      })
    }
    await sql`
      UPDATE quarantine SET status = 'replayed', replayed_at = now(), replay_error = NULL WHERE id = ${id}::uuid
    `.execute(this.db)
    this.#logger.info({ id, pipeline: item.pipeline, key: item.key }, 'quarantined item replayed')
    return (await this.get(id)) ?? item
  }

  #replayerOf(pipeline: string): Replayer | undefined {
    let best: [string, Replayer] | undefined
    for (const entry of this.#replayers) {
      if (pipeline.startsWith(entry[0]) && (best === undefined || entry[0].length > best[0].length))
        best = entry
    }
    return best?.[1]
  }

  async #message(id: string): Promise<QuarantinedMessage | undefined> {
    const { rows } = await sql<{
      subject: string | null
      stream_sequence: string | null
      data: Uint8Array | null
      headers: Record<string, string> | null
    }>`SELECT subject, stream_sequence, data, headers FROM quarantine WHERE id = ${id}::uuid`.execute(this.db)
    const row = rows[0]
    if (row?.data === null || row?.data === undefined) return undefined
    return {
      subject: row.subject ?? '',
      streamSequence: Number(row.stream_sequence ?? 0),
      data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength),
      headers: row.headers ?? {},
    }
  }
}

function storableHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [storable(key), storable(value)]))
}
