/**
 * Runs tasks of one key one after the other, in the order they were given, and tasks of different
 * keys at once. A task runs after the one before it of its key settled, whether it failed or not.
 */
export class PerKeyQueue {
  readonly #tails = new Map<string, Promise<unknown>>()

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key)
    const result = previous === undefined ? task() : previous.then(task, task)
    const tail = result.catch(() => undefined)
    this.#tails.set(key, tail)
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return result
  }

  /** Keys with a task running or waiting. */
  get size(): number {
    return this.#tails.size
  }
}
