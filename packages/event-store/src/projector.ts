import { AppError, ErrorKinds, notFound } from '@taskforge/core'
import { createLogger, type Logger } from '@taskforge/telemetry'
import { transactionLock, tryTransactionLock, withSessionLock } from './advisory-lock.js'
import { applyOrSetAside, DEFAULT_MAX_ATTEMPTS } from './careful-apply.js'
import {
  lockCheckpoints,
  readCheckpoint,
  readCheckpoints,
  saveCheckpoint,
  saveCheckpointsAt,
} from './checkpoints.js'
import type { EventStore } from './event-store.js'
import { comparePositions, positionOf, START } from './global-position.js'
import type { Projection } from './projection.js'
import { withProjectionSpans } from './projection-spans.js'
import { Quarantine, type QuarantinedItem } from './quarantine.js'
import { readAllFrom, readEventById } from './read-all.js'
import { SerialRunner } from './serial-runner.js'
import type { GlobalPosition, StoredEvent, Trx } from './types.js'

export interface ProjectorOptions {
  /** Events per transaction (default 500). */
  batchSize?: number
  /** Catch-up interval besides notifications, for wake-ups they cannot give (default 1000 ms). */
  pollIntervalMs?: number
  logger?: Logger
  /**
   * Where an event a projection cannot apply goes after {@link maxAttempts} tries, so that the
   * projection moves past it (default: a quarantine on the store's database).
   */
  quarantine?: Quarantine
  /** Tries of one failing event, each in its own savepoint, before it is quarantined (default 3). */
  maxAttempts?: number
}

export interface WaitForOptions {
  /** Give up after this long with a TIMEOUT error (default 10 s). */
  timeoutMs?: number
  /** Wait only for these projections (default: all of this projector's), those the caller reads. */
  projections?: readonly string[]
}

export type RebuildStep = 'reset' | 'replay' | 'checkpoint' | 'commit'
export type StepStatus = 'Success' | 'Error' | 'NotExecuted'
export interface RebuildStepResult {
  step: RebuildStep
  status: StepStatus
}

/**
 * The outcome of a rebuild, step by step. A rebuild runs in one transaction: on `error` nothing of
 * it is visible and the previous read model stays in place.
 */
export interface RebuildResult {
  name: string
  /** Events applied. */
  events: number
  ms: number
  results: RebuildStepResult[]
  /** Set when a step failed (then `results` says which) or the projection is unknown. */
  error?: unknown
  /** True when a rebuild at start found the projection already at its version (another replica rebuilt it). */
  skipped?: boolean
}

const checkpointName = (projection: string) => `projection:${projection}`

/** Keeps events of the projection's stream types; the checkpoint still advances past the others. */
function relevantTo(projection: Projection, events: StoredEvent[]): StoredEvent[] {
  const types = projection.streamTypes
  return types === undefined ? events : events.filter((event) => types.includes(event.streamType))
}

/**
 * Keeps projections up to date. Each batch is applied in the transaction that advances the
 * projection's checkpoint, under an advisory lock so one replica at a time projects a given
 * projection. Woken by append notifications, with a poll interval as fallback. At start a
 * projection whose stored version is older than its `version` (or that was never built) is rebuilt.
 *
 * @example
 * const projector = new Projector(store, [jobsView])
 * await projector.start()
 * const { appended } = await handleCommand(store, ...)
 * await projector.waitFor(appended.at(-1)!) // read-your-writes
 */
export class Projector {
  readonly #store: EventStore
  readonly #projections: Projection[]
  readonly #batchSize: number
  readonly #pollIntervalMs: number
  readonly #logger: Logger
  readonly #quarantine: Quarantine
  readonly #maxAttempts: number
  readonly #runner = new SerialRunner(() => this.#catchUpAll())
  /** Checkpoints known to be reached (committed), by checkpoint name: waits answer from it first. */
  readonly #reached = new Map<string, GlobalPosition>()
  /** The highest position known to be committed: told by a notification, or by a waiter after its commit. */
  #committed: GlobalPosition = START
  /** What the run in progress reads past, as far as commits go: {@link #committed} when it started. */
  #runCovers: GlobalPosition = START
  #timer: NodeJS.Timeout | undefined
  #unsubscribe: (() => Promise<void>) | undefined
  #unregisterReplayers: (() => void)[] = []

  constructor(store: EventStore, projections: Projection[], options: ProjectorOptions = {}) {
    const names = new Set(projections.map((projection) => projection.name))
    if (names.size !== projections.length) throw new Error('projection names must be unique')
    this.#store = store
    this.#projections = projections
    this.#batchSize = options.batchSize ?? 500
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000
    this.#logger = options.logger ?? createLogger('projector')
    this.#quarantine = options.quarantine ?? new Quarantine(store.db, { logger: this.#logger })
    this.#maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  }

  /** Sets up tables, rebuilds stale projections, then follows appends until {@link stop}. */
  async start(): Promise<void> {
    if (this.#timer !== undefined) return
    // Replicas start together, and concurrent CREATE ... IF NOT EXISTS can still collide in the catalog.
    await withSessionLock(this.#store.db, 'projections:setup', async (connection) => {
      for (const projection of this.#projections) await projection.setup(connection)
    })
    for (const projection of this.#projections) {
      const result = await this.#rebuild(projection, true)
      if (result.error !== undefined) throw result.error
      if (!result.skipped) {
        this.#logger.info(
          { projection: projection.name, events: result.events, ms: result.ms },
          'projection rebuilt',
        )
      }
    }
    // A command's own append is usually projected, or being projected, for its waitFor by the time
    // its notification comes: a run only for that would read nothing. A run in progress that started
    // after the commit reads it, unless an older transaction still running held its read back: that
    // is checked once the run ended, so no append waits for the poll.
    this.#unsubscribe = await this.#store.onAppended((appended) => {
      if (appended === undefined) return this.#wake()
      this.#committedUpTo(appended)
      if (this.#hasReached(appended)) return
      const running = this.#runCovering(appended)
      if (running === undefined) return this.#wake()
      const check = () => {
        if (!this.#hasReached(appended)) this.#wake()
      }
      running.then(check, check)
    })
    this.#unregisterReplayers = this.#projections.map((projection) =>
      this.#quarantine.registerReplayer(checkpointName(projection.name), (item) =>
        this.#replay(projection, item),
      ),
    )
    this.#timer = setInterval(() => this.#wake(), this.#pollIntervalMs)
    this.#timer.unref()
    this.#wake()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    for (const unregister of this.#unregisterReplayers) unregister()
    this.#unregisterReplayers = []
    const unsubscribe = this.#unsubscribe
    this.#unsubscribe = undefined
    await unsubscribe?.()
    await this.#runner.idle()
  }

  /** Processes what is available now; answers how many events were applied. Throws the first failure. */
  catchUp(): Promise<number> {
    return this.#runner.run()
  }

  /**
   * Read-your-writes after a command: {@link waitFor} the last of the events it appended (nothing to
   * wait for when it appended none).
   */
  async waitForAppended(
    appended: readonly GlobalPosition[],
    options: number | WaitForOptions = {},
  ): Promise<void> {
    const last = appended.at(-1)
    if (last !== undefined) await this.waitFor(positionOf(last), options)
  }

  /**
   * Resolves when the projections the caller reads (all by default) have processed up to `position`
   * (read-your-writes for command handlers), whichever replica projects them; throws a TIMEOUT
   * AppError after `timeoutMs`. What this projector committed itself answers without a query;
   * checkpoints are read when another replica may be the one projecting. An event a projection
   * cannot apply does not hold the wait: it is quarantined and the projection moves past it.
   */
  async waitFor(position: GlobalPosition, options: number | WaitForOptions = {}): Promise<void> {
    const { timeoutMs = 10_000, projections } = typeof options === 'number' ? { timeoutMs: options } : options
    const deadline = Date.now() + timeoutMs
    const waited =
      projections === undefined
        ? this.#projections
        : this.#projections.filter((projection) => projections.includes(projection.name))
    if (projections !== undefined && waited.length !== projections.length)
      throw new Error(`unknown projection in ${projections.join(', ')}`)
    const names = waited.map((projection) => checkpointName(projection.name))
    const reached = () => this.#hasReached(position, waited)
    // The caller committed `position` before asking: every run that starts from now on reads past it.
    this.#committedUpTo(position)
    let lastError: unknown
    for (;;) {
      if (reached()) return
      const run = this.#runCovering(position) ?? this.#runner.run()
      const applied = await run.catch((error: unknown) => {
        lastError = error
        return 0
      })
      if (reached()) return
      for (const [name, checkpoint] of await readCheckpoints(this.#store.db, names))
        this.#remember(name, checkpoint)
      if (reached()) return
      if (Date.now() >= deadline) {
        throw new AppError(
          ErrorKinds.TIMEOUT,
          `projections did not reach position ${position.position} in time`,
          {
            details: { transactionId: String(position.transactionId), position: String(position.position) },
            cause: lastError,
          },
        )
      }
      if (applied === 0)
        await new Promise((resolve) => setTimeout(resolve, Math.min(25, deadline - Date.now())))
    }
  }

  #committedUpTo(position: GlobalPosition): void {
    if (comparePositions(position, this.#committed) > 0) this.#committed = positionOf(position)
  }

  /**
   * The run in progress when it started after `position` committed, so that it reads past it (unless
   * an older transaction still running holds the read back: then the caller asks for another run).
   */
  #runCovering(position: GlobalPosition): Promise<number> | undefined {
    const running = this.#runner.running
    return running !== undefined && comparePositions(this.#runCovers, position) >= 0 ? running : undefined
  }

  /** Whether every projection (of `projections`) is known to have passed `position`. */
  #hasReached(position: GlobalPosition, projections = this.#projections): boolean {
    return projections.every((projection) => {
      const checkpoint = this.#reached.get(checkpointName(projection.name))
      return checkpoint !== undefined && comparePositions(checkpoint, position) >= 0
    })
  }

  #remember(name: string, at: GlobalPosition): void {
    const known = this.#reached.get(name)
    if (known === undefined || comparePositions(known, at) < 0)
      this.#reached.set(name, { transactionId: at.transactionId, position: at.position })
  }

  /**
   * Resets the projection's tables and checkpoint and replays every event, in one transaction.
   * Never throws: the result tells which step failed.
   */
  rebuild(name: string): Promise<RebuildResult> {
    const projection = this.#projections.find((candidate) => candidate.name === name)
    if (projection === undefined) {
      return Promise.resolve({
        name,
        events: 0,
        ms: 0,
        results: [],
        error: new Error(`unknown projection ${name}`),
      })
    }
    return this.#rebuild(projection, false)
  }

  #wake(): void {
    this.#runner
      .run()
      .catch((error: unknown) => this.#logger.error({ err: error }, 'projection failed; will retry'))
  }

  async #catchUpAll(): Promise<number> {
    this.#runCovers = this.#committed
    try {
      let applied = 0
      for (;;) {
        const batch = await this.#projectTogether()
        if (batch === undefined) break
        applied += batch.applied
        if (batch.read < this.#batchSize) return applied
      }
    } catch (error) {
      this.#logger.debug({ err: error }, 'projecting together failed; projecting one at a time')
    }
    return this.#catchUpEach()
  }

  /**
   * One batch for every projection this replica may project, in one transaction: the events are read
   * once (from the oldest of their checkpoints) and the checkpoints move together. Undefined when no
   * projection could be taken (another replica holds them, or owns another version).
   */
  #projectTogether(): Promise<{ read: number; applied: number } | undefined> {
    const names = this.#projections.map((projection) => checkpointName(projection.name))
    return this.#store
      .transaction(async (trx) => {
        const locked = await lockCheckpoints(trx, names)
        const active = this.#projections.flatMap((projection) => {
          const name = checkpointName(projection.name)
          const state = locked.get(name)
          if (state === undefined || !state.locked) return []
          const { checkpoint } = state
          if (checkpoint !== undefined && checkpoint.version !== projection.version) return []
          return [{ projection, name, from: checkpoint ?? START }]
        })
        if (active.length === 0) return undefined
        const after = active
          .map((entry) => entry.from)
          .reduce((oldest, from) => (comparePositions(from, oldest) < 0 ? from : oldest))
        const batch = await readAllFrom(trx, { after, limit: this.#batchSize })
        const last = batch.at(-1)
        if (last === undefined)
          return { read: 0, applied: 0, reached: active.map(({ name, from }) => ({ name, at: from })) }
        let applied = 0
        for (const { projection, from } of active) {
          const unseen = batch.filter((event) => comparePositions(event, from) > 0)
          const relevant = relevantTo(projection, unseen)
          if (relevant.length > 0)
            await withProjectionSpans(projection.name, relevant, () => projection.apply(trx, relevant))
          applied += relevant.length
        }
        const at = positionOf(last)
        // A projection already past the batch (the read started at an older checkpoint) keeps its own.
        const moved = active.filter(({ from }) => comparePositions(from, at) < 0)
        await saveCheckpointsAt(
          trx,
          moved.map(({ name, projection }) => ({ name, version: projection.version })),
          at,
        )
        return {
          read: batch.length,
          applied,
          reached: active.map(({ name, from }) => ({ name, at: comparePositions(from, at) < 0 ? at : from })),
        }
      })
      .then((result) => {
        if (result === undefined) return undefined
        for (const { name, at } of result.reached) this.#remember(name, at)
        return { read: result.read, applied: result.applied }
      })
  }

  /**
   * Each projection in its own transactions, so that one failing does not hold the others back, and
   * each batch in a savepoint: an event a batch cannot apply is found and quarantined.
   */
  async #catchUpEach(): Promise<number> {
    let applied = 0
    let failure: unknown
    for (const projection of this.#projections) {
      try {
        for (;;) {
          const batch = await this.#projectBatch(projection)
          if (batch === undefined) break
          applied += batch.applied
          if (batch.read < this.#batchSize) break
        }
      } catch (error) {
        failure ??= error
      }
    }
    if (failure !== undefined) throw failure
    return applied
  }

  /** One batch in one transaction; undefined when another replica holds the projection or owns another version. */
  async #projectBatch(projection: Projection): Promise<{ read: number; applied: number } | undefined> {
    const name = checkpointName(projection.name)
    const result = await this.#store.transaction(async (trx) => {
      if (!(await tryTransactionLock(trx, name))) return undefined
      const checkpoint = await readCheckpoint(trx, name)
      if (checkpoint !== undefined && checkpoint.version !== projection.version) return undefined
      const batch = await readAllFrom(trx, { after: checkpoint ?? START, limit: this.#batchSize })
      const last = batch.at(-1)
      if (last === undefined) return { read: 0, applied: 0, at: checkpoint }
      const relevant = relevantTo(projection, batch)
      const applied =
        relevant.length === 0
          ? 0
          : await withProjectionSpans(projection.name, relevant, () =>
              applyOrSetAside(trx, projection, relevant, this.#quarantine, this.#maxAttempts),
            )
      await saveCheckpoint(trx, name, positionOf(last), projection.version)
      return { read: batch.length, applied, at: positionOf(last) }
    })
    if (result?.at !== undefined) this.#remember(name, result.at)
    return result === undefined ? undefined : { read: result.read, applied: result.applied }
  }

  /**
   * Applies one quarantined event to its projection, alone and now (after the events that followed
   * it), under the projection's lock. The projection's apply must accept that order for the replay
   * to be right; when it cannot, a rebuild (a new projection version) is the way to apply a fix.
   */
  async #replay(projection: Projection, item: QuarantinedItem): Promise<void> {
    const name = checkpointName(projection.name)
    await this.#store.transaction(async (trx) => {
      await transactionLock(trx, name)
      const event = await readEventById(trx, item.key)
      if (event === undefined) throw notFound('event', item.key)
      await projection.apply(trx, [event])
    })
  }

  async #rebuild(projection: Projection, onlyIfStale: boolean): Promise<RebuildResult> {
    const started = performance.now()
    const steps: RebuildStep[] = ['reset', 'replay', 'checkpoint', 'commit']
    const results: RebuildStepResult[] = steps.map((step) => ({ step, status: 'NotExecuted' }))
    let current: RebuildStepResult | undefined
    const enter = (step: RebuildStep) => {
      if (current !== undefined) current.status = 'Success'
      current = results.find((result) => result.step === step)
    }
    const name = checkpointName(projection.name)
    let events = 0
    let skipped = false
    let error: unknown
    try {
      await this.#store.transaction(async (trx: Trx) => {
        await transactionLock(trx, name)
        if (onlyIfStale) {
          const checkpoint = await readCheckpoint(trx, name)
          if (checkpoint !== undefined && checkpoint.version >= projection.version) {
            if (checkpoint.version > projection.version) {
              this.#logger.warn(
                { projection: projection.name, stored: checkpoint.version, own: projection.version },
                'a newer version of this projection owns it; this replica will not project it',
              )
            }
            skipped = true
            return
          }
        }
        enter('reset')
        await projection.reset(trx)
        enter('replay')
        let after = START
        for (;;) {
          const batch = await readAllFrom(trx, { after, limit: this.#batchSize })
          const last = batch.at(-1)
          if (last === undefined) break
          const relevant = relevantTo(projection, batch)
          if (relevant.length > 0)
            events += await applyOrSetAside(trx, projection, relevant, this.#quarantine, this.#maxAttempts)
          after = positionOf(last)
        }
        enter('checkpoint')
        await saveCheckpoint(trx, name, after, projection.version)
        enter('commit')
      })
      if (current !== undefined) current.status = 'Success'
    } catch (caught) {
      error = caught
      if (current !== undefined) current.status = 'Error'
      events = 0
    }
    const ms = Math.round(performance.now() - started)
    return {
      name: projection.name,
      events,
      ms,
      results,
      ...(error === undefined ? {} : { error }),
      ...(skipped ? { skipped } : {}),
    }
  }
}
