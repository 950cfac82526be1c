/**
 * Runs one task at a time and coalesces requests: a call made while the task runs schedules exactly
 * one more run after it, shared by every caller meanwhile. Wake-ups (notifications, timers, waiters)
 * can then arrive in bursts without piling up work or missing the last one.
 */
export class SerialRunner<T> {
  readonly #task: () => Promise<T>
  #running: Promise<T> | undefined
  #queued: Promise<T> | undefined

  constructor(task: () => Promise<T>) {
    this.#task = task
  }

  /** Runs the task now, or once more after the current run; answers that run's result. */
  run(): Promise<T> {
    if (this.#running === undefined) {
      const running: Promise<T> = this.#task().finally(() => {
        if (this.#running === running) this.#running = undefined
      })
      this.#running = running
      return running
    }
    this.#queued ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined
        return this.run()
      })
    return this.#queued
  }

  /** The run in progress, if any (not one queued after it). */
  get running(): Promise<T> | undefined {
    return this.#running
  }

  /** Resolves when nothing runs or is queued. */
  async idle(): Promise<void> {
    for (;;) {
      const pending = this.#queued ?? this.#running
      if (pending === undefined) return
      await pending.catch(() => undefined)
    }
  }
}
