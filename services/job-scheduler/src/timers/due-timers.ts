import type { Logger } from '@taskforge/telemetry'

/** What one claim of due timers (one transaction, or one per timer of a burst set apart) came to. */
export interface FireReport {
  /** The organization of each timer that fired. */
  fired: string[]
  /** Timers that did not fire: left out for the rest of the round, and tried again after `retryMs` when `retry`. */
  failed: { key: string; retry: boolean }[]
  /** The claim took as many timers as one claim may: more may be due, for another claim beside it. */
  full?: boolean
}

/** No timer was due (every due one fired, or failed in this round). */
export const NOTHING_DUE: FireReport = Object.freeze({ fired: [], failed: [] }) as FireReport

/** What a claim leaves out, and what it takes last. */
export interface DueTimerSkip {
  /** Timers that failed in this round: left out. */
  keys: readonly string[]
  /** Organizations whose turn in this pass of the round was taken: their timers come after the others'. */
  customers: readonly string[]
}

/** A table of due times, fired by claims of one or more timers. */
export interface DueTimerSource {
  /** What the logs call these timers ("hold timers", "schedule timers"). */
  readonly name: string
  /**
   * Claims and fires timers due at `at` (default: the database's now), leaving out those of `skip`:
   * one, or a burst of them in one transaction. {@link NOTHING_DUE} when none is due.
   */
  fireDue(at: Date | undefined, skip: DueTimerSkip): Promise<FireReport>
  /** How long until the next timer is due, if any. */
  msUntilNext(): Promise<number | undefined>
}

export interface DueTimersOptions {
  logger: Logger
  /** Longest sleep between two looks at the table, for timers another replica set. */
  maxSleepMs: number
  /** Pause before a timer that failed to fire is tried again. */
  retryMs?: number
  /** Claims made at once, each in its own transaction (default 4). */
  concurrency?: number
}

/**
 * Fires the timers of a table as they come due. The due times are data, on the database's clock, and
 * each timer fires in a transaction that holds its row (`FOR UPDATE SKIP LOCKED`), so replicas share
 * the work and none fires a timer twice. A start fires every overdue timer, then sleeps until the next
 * one is due (or `maxSleepMs`); {@link wake} brings the sleep forward for a timer just set. One loop
 * serves grace-time holds and schedules alike.
 *
 * Timers due together are claimed by one claim (a claim may take a burst of timers, see the
 * source), and by up to `concurrency` claims at a time while each comes back full; in turns by
 * organization: a claim takes the timers of organizations
 * that have not had a turn in this pass of the round first, so one with a thousand timers due in the
 * same second delays another's by one claim, not by a thousand fires.
 */
export class DueTimers {
  readonly #source: DueTimerSource
  readonly #options: DueTimersOptions
  #timer: NodeJS.Timeout | undefined
  #wakeAt = Number.POSITIVE_INFINITY
  #round: Promise<void> | undefined
  /** A timer failed to fire in this round: try again after `retryMs`. */
  #retry = false
  /** Woken while a round ran, which may have read the next due time before that timer was set. */
  #rerun = false
  #stopped = true

  constructor(source: DueTimerSource, options: DueTimersOptions) {
    this.#source = source
    this.#options = options
  }

  async start(): Promise<void> {
    this.#stopped = false
    this.#run()
    await this.#round
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#round
  }

  /** A timer due at `dueAt` was set: look again by then. */
  wake(dueAt: Date): void {
    this.#sleepUntil(dueAt.getTime())
  }

  /** Fires every timer due at `at` (default: the database's now); answers how many fired. */
  async fireDue(at?: Date): Promise<number> {
    const failed: string[] = []
    let served = new Set<string>()
    let fired = 0
    const workers: Promise<void>[] = []
    const work = async (): Promise<void> => {
      for (;;) {
        const report = await this.#source.fireDue(at, { keys: failed, customers: [...served] })
        if (report.fired.length === 0 && report.failed.length === 0) return
        // Another claim starts only when this one could not take every due timer: timers due
        // together fire in one claim rather than in several competing for the same cores.
        if (report.full === true && workers.length < (this.#options.concurrency ?? 4)) workers.push(work())
        fired += report.fired.length
        // Taken last and still taken: every organization with a timer due had its turn.
        if (report.fired.some((customer) => served.has(customer))) served = new Set()
        for (const customer of report.fired) served.add(customer)
        for (const { key, retry } of report.failed) {
          failed.push(key)
          if (retry) this.#retry = true
        }
      }
    }
    workers.push(work())
    // Workers started meanwhile join the list: wait for every one.
    for (let index = 0; index < workers.length; index++) await workers[index]
    return fired
  }

  #sleepUntil(at: number): void {
    if (this.#stopped || at >= this.#wakeAt) return
    clearTimeout(this.#timer)
    this.#wakeAt = at
    this.#timer = setTimeout(() => this.#run(), Math.max(0, at - Date.now()))
    this.#timer.unref()
  }

  #run(): void {
    this.#timer = undefined
    this.#wakeAt = Number.POSITIVE_INFINITY
    if (this.#stopped) return
    if (this.#round !== undefined) {
      this.#rerun = true
      return
    }
    this.#round = this.#roundOnce().finally(() => {
      this.#round = undefined
    })
  }

  async #roundOnce(): Promise<void> {
    const { logger, maxSleepMs } = this.#options
    const retryMs = this.#options.retryMs ?? 1_000
    let next = Date.now() + maxSleepMs
    try {
      this.#retry = false
      this.#rerun = false
      await this.fireDue()
      const due = await this.#source.msUntilNext()
      if (due !== undefined) next = Math.min(next, Date.now() + due)
      if (this.#retry) next = Math.min(next, Date.now() + retryMs)
      if (this.#rerun) next = Date.now()
    } catch (error) {
      logger.error({ err: error }, `${this.#source.name} not read; will retry`)
      next = Math.min(next, Date.now() + retryMs)
    }
    this.#sleepUntil(next)
  }
}
