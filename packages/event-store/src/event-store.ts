import { badRequest, newId } from '@taskforge/core'
import { createLogger, type Logger } from '@taskforge/telemetry'
import { type RawBuilder, sql } from 'kysely'
import { APPENDED_CHANNEL, type AppendListener, AppendNotifications } from './append-notifications.js'
import { connectionStringOf } from './create-db.js'
import { type ReadAllOptions, readAllFrom } from './read-all.js'
import { migrate } from './schema.js'
import { EVENT_COLUMNS, type EventRow, toStoredEvent } from './stored-event-row.js'
import type { AppendResult, Db, ExpectedVersion, NewEvent, StoredEvent, StreamAppend, Trx } from './types.js'
import { versionMatches, WrongExpectedVersionError } from './wrong-expected-version-error.js'

export interface EventStoreOptions {
  /** For the LISTEN connection when `db` was not made by createDb (else append notifications are unavailable). */
  connectionString?: string
  /** Gets failures of the LISTEN connection (it reconnects by itself; pollers cover the gap). */
  logger?: Logger
  /**
   * Told about every append once it settled (for latency metrics). It must not throw; the store
   * depends on no metrics library.
   */
  onAppend?: (observation: AppendObservation) => void
}

/** One append as {@link EventStoreOptions.onAppend} sees it. */
export interface AppendObservation {
  streamType: string
  /** Events asked to append. */
  events: number
  /** Time the append took: the insert within a caller's transaction, or the whole own transaction. */
  seconds: number
  /** `conflict`: the stream was not at the expected version. */
  outcome: 'ok' | 'conflict' | 'error'
}

/**
 * A Postgres event store: streams with optimistic concurrency, a global read in commit order, an
 * inbox for idempotent consumers, and notifications on append. It is also the outbox: the
 * OutboxRelay publishes from it.
 *
 * @example
 * const store = new EventStore(createDb(url))
 * await store.migrate()
 * const { nextExpectedVersion } = await store.appendToStream('job', jobId, [event], { expectedVersion: 'no_stream' })
 */
export class EventStore {
  readonly db: Db
  readonly #notifications: AppendNotifications | undefined
  readonly #onAppend: ((observation: AppendObservation) => void) | undefined
  readonly #logger: Logger
  readonly #committedListeners = new Set<(events: readonly StoredEvent[]) => void>()
  /** Events appended so far in each transaction {@link transaction} opened, told once it commits. */
  readonly #appendedIn = new WeakMap<Trx, OpenTransaction>()
  /** Transactions of this store still running (see {@link settled}). */
  readonly #running = new Set<Promise<unknown>>()

  constructor(db: Db, options: EventStoreOptions = {}) {
    this.db = db
    const connectionString = options.connectionString ?? connectionStringOf(db)
    const logger = options.logger ?? createLogger('event-store')
    this.#logger = logger
    this.#onAppend = options.onAppend
    this.#notifications =
      connectionString === undefined
        ? undefined
        : new AppendNotifications(connectionString, (error) =>
            logger.warn({ err: error }, 'append notifications interrupted; reconnecting'),
          )
  }

  /** Creates the streams, events, checkpoints and inbox tables when missing; safe from many replicas at once. */
  migrate(): Promise<void> {
    return migrate(this.db)
  }

  /**
   * Appends `events` to a stream if its version is what the caller expects; otherwise throws
   * {@link WrongExpectedVersionError}. Runs in `options.trx` when given (the events then commit
   * with the caller's own writes), else in its own transaction. Either way {@link onCommitted}
   * listeners hear of the events once they committed, unless `options.trx` was not opened by
   * {@link transaction}.
   */
  appendToStream(
    streamType: string,
    streamId: string,
    events: NewEvent[],
    options: { expectedVersion: ExpectedVersion; trx?: Trx },
  ): Promise<AppendResult> {
    const { expectedVersion, trx } = options
    if (typeof expectedVersion === 'bigint' && expectedVersion < 0n) {
      return Promise.reject(badRequest('expectedVersion must not be negative', { streamId }))
    }
    const started = performance.now()
    const appending =
      trx !== undefined
        ? append(trx, streamType, streamId, events, expectedVersion).then((result) => {
            this.#appendedTo(trx, result.events)
            return result
          })
        : this.#tracked(
            this.db
              .transaction()
              .execute((own) => append(own, streamType, streamId, events, expectedVersion))
              .then((result) => {
                this.#committed(result.events)
                return result
              }),
          )
    const observe = this.#onAppend
    if (observe === undefined) return appending
    const report = (outcome: AppendObservation['outcome']) => {
      try {
        observe({ streamType, events: events.length, seconds: (performance.now() - started) / 1000, outcome })
      } catch {
        // An observer's failure must not turn a committed append into an error.
      }
    }
    return appending.then(
      (result) => {
        report('ok')
        return result
      },
      (error: unknown) => {
        report(error instanceof WrongExpectedVersionError ? 'conflict' : 'error')
        throw error
      },
    )
  }

  /**
   * Every event of a stream in order, and its version (0n when it does not exist). With `latestOf`,
   * of the events of those types only the stream's last one of each type is read: for aggregates
   * whose events of such a type each carry the whole part of the state they set (a task's `updated`
   * its whole definition), so that a fold of what is read gives the same state, however long the
   * stream grew. The version is the stream's either way (its last event is always read).
   */
  async readStream(
    streamId: string,
    options: { trx?: Trx; latestOf?: readonly string[] } = {},
  ): Promise<{ version: bigint; events: StoredEvent[] }> {
    return (await this.readStreams([streamId], options)).get(streamId)!
  }

  /**
   * Every event of each stream in `streamIds`, in one query: by stream id, each with its version
   * (0n when it does not exist). `latestOf` as for {@link readStream}.
   */
  async readStreams(
    streamIds: readonly string[],
    options: { trx?: Trx; latestOf?: readonly string[] } = {},
  ): Promise<Map<string, { version: bigint; events: StoredEvent[] }>> {
    const streams = new Map<string, { version: bigint; events: StoredEvent[] }>(
      streamIds.map((streamId) => [streamId, { version: 0n, events: [] }]),
    )
    if (streamIds.length === 0) return streams
    let query = (options.trx ?? this.db)
      .selectFrom('events')
      .select(EVENT_COLUMNS)
      .where(sql<boolean>`stream_id = ANY(${[...streamIds]}::text[])`)
    const latestOf = options.latestOf ?? []
    if (latestOf.length > 0) {
      const types = [...latestOf]
      query = query.where(
        sql<boolean>`(type <> ALL(${types}::text[]) OR stream_version IN (
          SELECT max(latest.stream_version) FROM events AS latest
          WHERE latest.stream_id = events.stream_id AND latest.type = ANY(${types}::text[]) GROUP BY latest.type))`,
      )
    }
    const rows = (await query.orderBy('stream_id').orderBy('stream_version').execute()) as EventRow[]
    for (const row of rows) {
      const event = toStoredEvent(row)
      const stream = streams.get(event.streamId)!
      stream.events.push(event)
      stream.version = event.streamVersion
    }
    return streams
  }

  /**
   * Appends to several streams in one statement, each only if it is at its expected version (an
   * exact one: 0n for a stream that does not exist yet). Unlike {@link appendToStream} a mismatch
   * does not fail the others: the answer holds, in the order given, each append's result, or
   * undefined for a stream that was not at its expected version (nothing of it was written). An
   * append without events writes and checks nothing. The stream ids must be distinct. Like
   * {@link appendToStream}, {@link onCommitted} listeners hear of the events once `options.trx`
   * committed, when {@link transaction} opened it.
   */
  async appendToStreams(
    appends: readonly StreamAppend[],
    options: { trx: Trx },
  ): Promise<(AppendResult | undefined)[]> {
    const started = performance.now()
    let results: (AppendResult | undefined)[]
    try {
      results = await appendMany(options.trx, appends)
    } catch (error) {
      this.#observeMany(appends, started, () => 'error')
      throw error
    }
    this.#observeMany(appends, started, (index) => (results[index] === undefined ? 'conflict' : 'ok'))
    this.#appendedTo(
      options.trx,
      results.flatMap((result) => result?.events ?? []),
    )
    return results
  }

  #observeMany(
    appends: readonly StreamAppend[],
    started: number,
    outcome: (index: number) => AppendObservation['outcome'],
  ): void {
    const observe = this.#onAppend
    if (observe === undefined) return
    const seconds = (performance.now() - started) / 1000
    appends.forEach((append, index) => {
      if (append.events.length === 0) return
      try {
        observe({
          streamType: append.streamType,
          events: append.events.length,
          seconds,
          outcome: outcome(index),
        })
      } catch {
        // An observer's failure must not turn a committed append into an error.
      }
    })
  }

  /** Events after `after` in commit order, never skipping one written by a transaction still running. */
  readAll(options: ReadAllOptions & { trx?: Trx } = {}): Promise<StoredEvent[]> {
    return readAllFrom(options.trx ?? this.db, options)
  }

  /** Runs `fn` in a transaction; what it appended is told to {@link onCommitted} listeners once committed. */
  async transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    let ended: () => void = () => undefined
    const open: OpenTransaction = {
      appended: [],
      afterCommit: [],
      ended: new Promise<void>((resolve) => {
        ended = resolve
      }),
    }
    try {
      const result = await this.db.transaction().execute((trx) => {
        this.#appendedIn.set(trx, open)
        return fn(trx)
      })
      this.#committed(open.appended)
      for (const callback of open.afterCommit) this.#tell(callback)
      return result
    } finally {
      this.#running.delete(open.ended)
      ended()
    }
  }

  /**
   * Resolves once the transactions of this store that appended and are still running now (its own
   * appends, and those of {@link transaction} from their first append on) have ended and their
   * {@link onCommitted} listeners were told. A notification can come before the commit's own
   * answer: this tells whether the commit was one of ours. (An append's answer always comes before
   * its commit, so such a transaction is known by the time its notification can come.)
   */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#running])
  }

  #appendedTo(trx: Trx, events: readonly StoredEvent[]): void {
    const open = this.#appendedIn.get(trx)
    if (open === undefined || events.length === 0) return
    open.appended.push(...events)
    this.#running.add(open.ended)
  }

  #tracked<T>(running: Promise<T>): Promise<T> {
    this.#running.add(running)
    const done = () => this.#running.delete(running)
    running.then(done, done)
    return running
  }

  /**
   * Calls `listener`, in this process and right after the commit, with the events a transaction of
   * this store appended, in append order: an append in its own transaction, or those made within
   * {@link transaction}. Appends in other processes, or in a transaction opened elsewhere, are not
   * told: {@link onAppended} and {@link readAll} see every append. Answers an unsubscribe function.
   */
  onCommitted(listener: (events: readonly StoredEvent[]) => void): () => void {
    this.#committedListeners.add(listener)
    return () => {
      this.#committedListeners.delete(listener)
    }
  }

  #committed(events: readonly StoredEvent[]): void {
    if (events.length === 0) return
    for (const listener of this.#committedListeners) this.#tell(() => listener(events))
  }

  /**
   * Calls `callback` in this process right after `trx` committed, never when it rolled back: for
   * what must follow a write that commits no event (a row another loop of this process waits for).
   * A transaction not opened by {@link transaction} never calls it.
   */
  afterCommit(trx: Trx, callback: () => void): void {
    this.#appendedIn.get(trx)?.afterCommit.push(callback)
  }

  #tell(callback: () => void): void {
    try {
      callback()
    } catch (error) {
      // A listener's failure must not turn a committed transaction into an error.
      this.#logger.error({ err: error }, 'commit listener failed')
    }
  }

  /**
   * Inbox for idempotent consumers: false when (consumer, messageId) was already handled. Call it in
   * the same transaction as the effect, so a rolled-back effect leaves the message unclaimed.
   */
  async claimInbox(trx: Trx, consumer: string, messageId: string): Promise<boolean> {
    const { rows } = await sql`
      INSERT INTO inbox (consumer, message_id) VALUES (${consumer}, ${messageId})
      ON CONFLICT DO NOTHING RETURNING 1 AS claimed
    `.execute(trx)
    return rows.length > 0
  }

  /**
   * Calls `listener` whenever an append commits (LISTEN/NOTIFY), with the position of its last
   * event, and after the LISTEN connection was re-established (without a position: what was missed
   * is unknown). Answers an unsubscribe function. Without a connection string (a `db` not made by
   * createDb and no `connectionString` option) it never calls: rely on polling.
   */
  async onAppended(listener: AppendListener): Promise<() => Promise<void>> {
    if (this.#notifications === undefined) return async () => undefined
    return this.#notifications.subscribe(listener)
  }
}

/** A transaction opened by {@link EventStore.transaction}: what it appended, and when it ended. */
interface OpenTransaction {
  appended: StoredEvent[]
  /** Told once it committed ({@link EventStore.afterCommit}). */
  afterCommit: (() => void)[]
  ended: Promise<void>
}

async function currentVersion(trx: Trx, streamId: string): Promise<bigint | undefined> {
  const row = await trx
    .selectFrom('streams')
    .select('version')
    .where('stream_id', '=', streamId)
    .executeTakeFirst()
  return row === undefined ? undefined : BigInt(row.version as string)
}

/**
 * The conditional move of the stream row: answers its new version and the transaction id to stamp
 * on the new events, or no row on a version mismatch.
 *
 * The stamped id is never below the one on the stream's previous events. A transaction that got its
 * id early (it wrote something else first) but reached the stream row after a younger transaction
 * would otherwise sort before that transaction's events in readAll, putting this stream's versions
 * out of order. A stamp at or above the writer's own id keeps readAll's guarantee: the events stay
 * hidden until every transaction up to the stamp has ended, the writer included.
 */
function advanceStream(
  streamType: string,
  streamId: string,
  count: bigint,
  expected: ExpectedVersion,
): RawBuilder<unknown> {
  if (expected === 'no_stream' || expected === 0n) {
    return sql`INSERT INTO streams (stream_id, stream_type, version, last_transaction_id)
      VALUES (${streamId}, ${streamType}, ${count}, pg_current_xact_id())
      ON CONFLICT DO NOTHING RETURNING version, last_transaction_id`
  }
  if (expected === 'any') {
    return sql`INSERT INTO streams (stream_id, stream_type, version, last_transaction_id)
      VALUES (${streamId}, ${streamType}, ${count}, pg_current_xact_id())
      ON CONFLICT (stream_id) DO UPDATE SET version = streams.version + ${count},
        last_transaction_id = greatest(pg_current_xact_id(), streams.last_transaction_id)
      RETURNING version, last_transaction_id`
  }
  const versionCheck = expected === 'stream_exists' ? sql`` : sql`AND version = ${expected}`
  return sql`UPDATE streams SET version = version + ${count},
      last_transaction_id = greatest(pg_current_xact_id(), last_transaction_id)
    WHERE stream_id = ${streamId} ${versionCheck} RETURNING version, last_transaction_id`
}

/**
 * Appends in one statement (one round trip): the stream row moves ({@link advanceStream}), the
 * events are inserted in order behind it and the append is notified with the position of its last
 * event, or nothing happens at all when the stream was not at the expected version.
 */
async function append(
  trx: Trx,
  streamType: string,
  streamId: string,
  events: NewEvent[],
  expected: ExpectedVersion,
): Promise<AppendResult> {
  if (events.length === 0) {
    const actual = await currentVersion(trx, streamId)
    if (!versionMatches(expected, actual)) throw new WrongExpectedVersionError(streamId, expected, actual)
    return { nextExpectedVersion: actual ?? 0n, events: [] }
  }
  const count = BigInt(events.length)
  const values = sql.join(
    events.map(
      (event, index) =>
        sql`(${event.eventId ?? newId()}::uuid, ${event.type}::text, ${event.data}::bytea, ${JSON.stringify(event.metadata)}::jsonb, ${index + 1}::bigint)`,
    ),
  )
  const { rows } = await sql<EventRow>`
    WITH advanced AS (${advanceStream(streamType, streamId, count, expected)}),
    inserted AS (
      INSERT INTO events (transaction_id, event_id, stream_id, stream_type, stream_version, type, data, metadata)
      SELECT advanced.last_transaction_id, fresh.event_id, ${streamId}, ${streamType},
        advanced.version - ${count} + fresh.ord, fresh.type, fresh.data, fresh.metadata
      FROM advanced, (VALUES ${values}) AS fresh (event_id, type, data, metadata, ord)
      ORDER BY fresh.ord
      RETURNING ${sql.join(EVENT_COLUMNS.map((column) => sql.ref(column)))}
    ),
    notified AS (
      SELECT pg_notify(${APPENDED_CHANNEL},
        ${streamType}::text || ' ' || advanced.last_transaction_id::text || ' ' || (SELECT max(position) FROM inserted)::text)
      FROM advanced
    )
    SELECT inserted.* FROM inserted, notified
  `.execute(trx)
  if (rows.length === 0) {
    throw new WrongExpectedVersionError(streamId, expected, await currentVersion(trx, streamId))
  }
  const stored = rows.map(toStoredEvent).sort((a, b) => (a.streamVersion < b.streamVersion ? -1 : 1))
  return { nextExpectedVersion: stored.at(-1)!.streamVersion, events: stored }
}

/**
 * The multi-stream form of {@link append}, in one statement: the streams expected new are created,
 * the others move when at their expected version, the events of the streams that moved are inserted
 * in order behind them (stream by stream, in stream id order) and the append is notified once per
 * stream type, with the position of that type's last event.
 */
async function appendMany(trx: Trx, appends: readonly StreamAppend[]): Promise<(AppendResult | undefined)[]> {
  for (const append of appends) {
    if (append.expectedVersion < 0n)
      throw badRequest('expectedVersion must not be negative', { streamId: append.streamId })
  }
  const writing = appends.filter((append) => append.events.length > 0)
  const byStream = new Map<string, StoredEvent[]>()
  if (writing.length > 0) {
    // Stream rows are locked in stream id order, whoever else appends to several at once.
    const sorted = [...writing].sort((a, b) =>
      a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0,
    )
    const streams = sql.join(
      sorted.map(
        (append) =>
          sql`(${append.streamId}::text, ${append.streamType}::text, ${append.expectedVersion}::bigint, ${BigInt(append.events.length)}::bigint)`,
      ),
    )
    const events = sql.join(
      sorted.flatMap((append) =>
        append.events.map(
          (event, index) =>
            sql`(${append.streamId}::text, ${event.eventId ?? newId()}::uuid, ${event.type}::text, ${event.data}::bytea, ${JSON.stringify(event.metadata)}::jsonb, ${index + 1}::bigint)`,
        ),
      ),
    )
    const { rows } = await sql<EventRow>`
      WITH fresh (stream_id, stream_type, expected, count) AS (VALUES ${streams}),
      created AS (
        INSERT INTO streams (stream_id, stream_type, version, last_transaction_id)
        SELECT stream_id, stream_type, count, pg_current_xact_id() FROM fresh WHERE expected = 0
        ON CONFLICT DO NOTHING RETURNING stream_id, version, last_transaction_id
      ),
      moved AS (
        UPDATE streams SET version = streams.version + fresh.count,
          last_transaction_id = greatest(pg_current_xact_id(), streams.last_transaction_id)
        FROM fresh
        WHERE fresh.expected > 0 AND streams.stream_id = fresh.stream_id AND streams.version = fresh.expected
        RETURNING streams.stream_id, streams.version, streams.last_transaction_id
      ),
      advanced AS (SELECT * FROM created UNION ALL SELECT * FROM moved),
      inserted AS (
        INSERT INTO events (transaction_id, event_id, stream_id, stream_type, stream_version, type, data, metadata)
        SELECT advanced.last_transaction_id, new.event_id, advanced.stream_id, fresh.stream_type,
          advanced.version - fresh.count + new.ord, new.type, new.data, new.metadata
        FROM advanced
        JOIN fresh ON fresh.stream_id = advanced.stream_id
        JOIN (VALUES ${events}) AS new (stream_id, event_id, type, data, metadata, ord)
          ON new.stream_id = advanced.stream_id
        ORDER BY advanced.stream_id, new.ord
        RETURNING ${sql.join(EVENT_COLUMNS.map((column) => sql.ref(column)))}
      ),
      notified AS (
        SELECT pg_notify(${APPENDED_CHANNEL}, last.payload)
        FROM (
          SELECT DISTINCT ON (stream_type) stream_type || ' ' || transaction_id::text || ' ' || position::text AS payload
          FROM inserted ORDER BY stream_type, transaction_id DESC, position DESC
        ) AS last
      )
      SELECT inserted.* FROM inserted, (SELECT count(*) FROM notified) AS notifications
    `.execute(trx)
    for (const row of rows) {
      const event = toStoredEvent(row)
      const stream = byStream.get(event.streamId)
      if (stream === undefined) byStream.set(event.streamId, [event])
      else stream.push(event)
    }
  }
  return appends.map((append) => {
    if (append.events.length === 0) return { nextExpectedVersion: append.expectedVersion, events: [] }
    const stored = byStream.get(append.streamId)
    if (stored === undefined) return undefined
    stored.sort((a, b) => (a.streamVersion < b.streamVersion ? -1 : 1))
    return { nextExpectedVersion: stored.at(-1)!.streamVersion, events: stored }
  })
}
