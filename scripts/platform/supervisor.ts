import { setTimeout as sleep } from 'node:timers/promises'
import { afterExit, DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.js'

/** A process the platform runs (a service, the bot, nats-server, Postgres), seen by its supervisor. */
export interface Supervised {
  readonly name: string
  /**
   * Starts a run and resolves once it is ready. Rejects when it is not: the run exited, or did not get
   * ready in time and was ended, or `signal` was aborted (then the run is left as it is, for the
   * caller to stop or kill).
   */
  start(signal: AbortSignal): Promise<void>
  /** Resolves when the latest run has ended (at once if it has), saying how: `SIGKILL`, `code 1`. */
  exited(): Promise<string>
  /** Ends the run in order; resolves once it ended. */
  stop(): Promise<void>
  /** Ends the run as a crash would; resolves once it ended. */
  kill(): Promise<void>
  /** What it printed last, oldest first. */
  lastLines(): readonly string[]
}

/** A process that kept exiting: the supervisor does not start it again. */
export interface CrashLoop {
  readonly name: string
  /** Runs in a row that ended before they were stable. */
  readonly exits: number
  /** How the last run ended. */
  readonly lastExit: string
  readonly lastLines: readonly string[]
  /** One line saying all of the above but the lines, and what to do. */
  readonly message: string
}

export interface SupervisorOptions {
  policy?: RestartPolicy
  /** The clock (tests of the policy use their own). */
  now?: () => number
  /** Reports a restart, for the platform's log. */
  say(message: string): void
  /** Supervision gave up on a crash loop (called once). */
  onCrashLoop(loop: CrashLoop): void
}

/**
 * - `idle`: not started yet.
 * - `supervised`: running, starting, or waiting to start again after an exit.
 * - `held`: killed on purpose ({@link Supervisor.kill}); it stays down until {@link Supervisor.restart}.
 * - `crash-loop`: kept exiting; it stays down until {@link Supervisor.restart}.
 * - `stopped`: the platform is stopping; nothing starts it again.
 */
export type SupervisionState = 'idle' | 'supervised' | 'held' | 'crash-loop' | 'stopped'

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`
}

/**
 * Keeps one process running: every exit that nobody asked for is followed by a restart after the
 * policy's back-off, announced through `say`, until the policy sees a crash loop. A deliberate
 * {@link kill} (fault tests) holds the process down until {@link restart}; {@link endSupervision}
 * and {@link stop} end supervision for good, so that a process exiting because the platform stops is
 * never started again.
 *
 * Each period of supervision (from a start or restart to a kill, stop or crash loop) has an abort
 * signal of its own: a restart loop only acts while its signal is live, so a loop that is still
 * winding down after a kill can never touch the run that a later restart began.
 *
 * @example
 * const supervisor = new Supervisor(target, { say: console.log, onCrashLoop: (loop) => shutDown(loop) })
 * await supervisor.start()  // the first start is not retried: it fails with the reason
 * await supervisor.kill()   // held down until...
 * await supervisor.restart() // ...started again, resolves once it is ready
 * await supervisor.stop()
 */
export class Supervisor {
  readonly #target: Supervised
  readonly #policy: RestartPolicy
  readonly #now: () => number
  readonly #say: (message: string) => void
  readonly #onCrashLoop: (loop: CrashLoop) => void
  #state: SupervisionState = 'idle'
  #period = new AbortController()
  /** The start in progress, settled: kill and stop wait for it so that no run begins behind them. */
  #starting: Promise<unknown> = Promise.resolve()
  /** When the current run got ready; undefined while it starts or after it exited. */
  #readyAt: number | undefined
  #streak = 0
  #restarts = 0
  readonly #waiters = new Set<{ resolve(): void; reject(error: Error): void }>()

  constructor(target: Supervised, options: SupervisorOptions) {
    this.#target = target
    this.#policy = options.policy ?? DEFAULT_RESTART_POLICY
    this.#now = options.now ?? Date.now
    this.#say = options.say
    this.#onCrashLoop = options.onCrashLoop
  }

  get name(): string {
    return this.#target.name
  }

  get state(): SupervisionState {
    return this.#state
  }

  /** Restarts made after exits nobody asked for. */
  get restarts(): number {
    return this.#restarts
  }

  /**
   * Starts the process and supervises it once it is ready. A failed first start is not retried (it
   * is a setting or a bug to fix, and says so at once): the process is then held, as after a kill.
   */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`${this.name} was started before`)
    this.#state = 'supervised'
    const period = this.#period.signal
    try {
      await this.#begin(period)
    } catch (error) {
      if (this.#state === 'supervised') this.#state = 'held'
      throw error
    }
    void this.#supervise(period)
  }

  /** Supervises a process that was started, and is ready, already. */
  adopt(): void {
    if (this.#state !== 'idle') throw new Error(`${this.name} was started before`)
    this.#state = 'supervised'
    this.#readyAt = this.#now()
    void this.#supervise(this.#period.signal)
  }

  /**
   * Kills the process as a crash would and holds it down until {@link restart}: the supervisor does
   * not start it again on its own.
   */
  async kill(): Promise<void> {
    if (this.#state === 'stopped') return
    this.#state = 'held'
    this.#endPeriod(new Error(`${this.name} was killed`))
    await this.#starting
    await this.#target.kill()
  }

  /**
   * Starts a process that was killed (or given up on) again and supervises it; resolves once it is
   * ready, its start attempts following the restart policy. On a process that is starting or waiting
   * to start again after an exit, it waits until it is ready.
   */
  restart(): Promise<void> {
    switch (this.#state) {
      case 'idle':
        return Promise.reject(new Error(`${this.name} was never started`))
      case 'stopped':
        return Promise.reject(new Error(`${this.name} is stopping`))
      case 'supervised':
        if (this.#readyAt !== undefined) {
          return Promise.reject(new Error(`${this.name} is running; kill it first`))
        }
        return this.#nextReady()
      case 'held':
      case 'crash-loop': {
        if (this.#state === 'crash-loop') this.#streak = 0
        this.#state = 'supervised'
        this.#period = new AbortController()
        const ready = this.#nextReady()
        void this.#resume(this.#period.signal)
        return ready
      }
    }
  }

  /** From now on, no exit is followed by a restart (the platform is stopping). */
  endSupervision(): void {
    this.#state = 'stopped'
    this.#endPeriod(new Error(`${this.name} is stopping`))
  }

  /** Ends supervision, then stops the process in order. */
  async stop(): Promise<void> {
    this.endSupervision()
    await this.#starting
    await this.#target.stop()
  }

  /** One start attempt, remembered so that kill and stop can wait for it to settle. */
  #begin(period: AbortSignal): Promise<void> {
    this.#readyAt = undefined
    const attempt = this.#target.start(period).then(() => {
      if (period.aborted) return
      this.#readyAt = this.#now()
      for (const waiter of this.#waiters) waiter.resolve()
      this.#waiters.clear()
    })
    this.#starting = attempt.catch(() => undefined)
    return attempt
  }

  async #resume(period: AbortSignal): Promise<void> {
    // A run that ends before it is ready is an exit like any other: the loop below handles it.
    await this.#begin(period).catch(() => undefined)
    await this.#supervise(period)
  }

  /** Restarts the process after every exit, until the period ends or the policy sees a crash loop. */
  async #supervise(period: AbortSignal): Promise<void> {
    for (;;) {
      const how = await this.#target.exited()
      if (period.aborted) return
      const run = { readyAt: this.#readyAt, exitedAt: this.#now() }
      this.#readyAt = undefined
      const decision = afterExit(this.#streak, run, this.#policy)
      if (decision.kind === 'give-up') {
        this.#giveUp(decision.exits, how)
        return
      }
      this.#streak = decision.restart
      this.#restarts++
      this.#say(
        `${this.name} exited (${how}); restarting in ${seconds(decision.delayMs)} (restart ${decision.restart})`,
      )
      await sleep(decision.delayMs, undefined, { signal: period }).catch(() => undefined)
      if (period.aborted) return
      // A run that ends before it is ready is the next exit of this loop.
      const ready = await this.#begin(period).then(
        () => true,
        () => false,
      )
      if (ready && !period.aborted) this.#say(`${this.name} is ready again`)
    }
  }

  #giveUp(exits: number, lastExit: string): void {
    this.#state = 'crash-loop'
    const message =
      `${this.name} keeps exiting: ${exits} runs in a row ended before staying up ` +
      `${seconds(this.#policy.stableAfterMs)} (the last: ${lastExit}); it is not started again. ` +
      'Its last lines follow: fix what they show, then start the platform again.'
    this.#endPeriod(new Error(message))
    this.#onCrashLoop({
      name: this.name,
      exits,
      lastExit,
      lastLines: this.#target.lastLines(),
      message,
    })
  }

  #nextReady(): Promise<void> {
    return new Promise((resolve, reject) => this.#waiters.add({ resolve, reject }))
  }

  #endPeriod(reason: Error): void {
    this.#period.abort()
    for (const waiter of this.#waiters) waiter.reject(reason)
    this.#waiters.clear()
  }
}
