/** One organization's tasks as its owner answered them: in its order, and by id. */
export interface TaskList<T> {
  readonly tasks: readonly T[]
  readonly byId: ReadonlyMap<string, T>
}

export interface TaskCacheOptions<T> {
  /** How long a list is answered from memory; 0 keeps nothing. */
  ttlMs: number
  /** What every kept list may weigh together (see {@link weigh}). */
  maxWeight: number
  /** Organizations kept at most. */
  maxOrganizations: number
  /** A task's weight: about the bytes it takes. */
  weigh: (task: T) => number
  idOf: (task: T) => string
  now?: () => number
}

/** What an entry of no task weighs (its key, maps, expiry): so that many empty organizations count too. */
export const ENTRY_WEIGHT = 1_024

/**
 * The heaviest list kept, as a share of the whole: an organization above it is not kept (only that it
 * is too large, so that reading one of its tasks does not read them all). One organization thus holds
 * at most a sixteenth of the cache, and cannot push the others out by growing.
 */
export const ORGANIZATION_SHARE = 16

/** A kept list, or (list undefined) the mark of an organization too large to keep. */
interface Entry<T> {
  readonly list: TaskList<T> | undefined
  readonly weight: number
  readonly expiresAt: number
}

interface Flight<T> {
  promise: Promise<TaskList<T>>
}

/**
 * Each organization's tasks, per gateway replica, so that a read costs no call to their owner
 * (decision 33). Pure: the caller gives the load and says when lists changed.
 *
 * - {@link forget} drops one organization's list, {@link forgetAll} every list. A load that started
 *   before either does not fill the cache after it (it may have read the tasks before the change):
 *   a load fills only while it is still the organization's current one.
 * - Concurrent misses of one organization share one load.
 * - A list expires after `ttlMs`, the bound should a change ever go untold.
 * - Bounded: by weight and by organizations, the oldest lists going first; an organization heavier
 *   than a sixteenth of `maxWeight` is not kept.
 * - {@link suspend} answers every read from its owner, keeping nothing, until {@link resume}: while
 *   changes cannot be told, nothing is answered from memory.
 */
export class TaskCache<T> {
  readonly #entries = new Map<string, Entry<T>>()
  readonly #flights = new Map<string, Flight<T>>()
  readonly #options: Required<TaskCacheOptions<T>>
  readonly #organizationMaxWeight: number
  #weight = 0
  #suspended = false

  constructor(options: TaskCacheOptions<T>) {
    this.#options = { now: Date.now, ...options }
    this.#organizationMaxWeight = Math.floor(options.maxWeight / ORGANIZATION_SHARE)
  }

  /**
   * Whether `customer`'s reads are answered from memory ({@link read}); otherwise the caller asks the
   * owner for just what it needs: the cache is off or suspended, or the organization is too large.
   */
  serves(customer: string): boolean {
    if (this.#options.ttlMs <= 0 || this.#suspended) return false
    const entry = this.#fresh(customer)
    return entry === undefined || entry.list !== undefined
  }

  /** The organization's kept list, or `load`'s answer (shared by every read that misses meanwhile). */
  read(customer: string, load: () => Promise<readonly T[]>): Promise<TaskList<T>> {
    const list = this.#fresh(customer)?.list
    if (list !== undefined) return Promise.resolve(list)
    const flying = this.#flights.get(customer)
    if (flying !== undefined) return flying.promise
    const flight = {} as Flight<T>
    this.#flights.set(customer, flight)
    flight.promise = this.#load(customer, flight, load)
    return flight.promise
  }

  /** Drops the organization's list: its tasks changed. */
  forget(customer: string): void {
    this.#flights.delete(customer)
    this.#drop(customer)
  }

  /** Drops every list: changes may have gone untold. */
  forgetAll(): void {
    this.#flights.clear()
    this.#entries.clear()
    this.#weight = 0
  }

  /** Keeps nothing and answers nothing from memory until {@link resume}. */
  suspend(): void {
    this.#suspended = true
    this.forgetAll()
  }

  resume(): void {
    this.forgetAll()
    this.#suspended = false
  }

  /** What the kept lists weigh together, and how many there are (tests, metrics). */
  get size(): { organizations: number; weight: number } {
    return { organizations: this.#entries.size, weight: this.#weight }
  }

  async #load(customer: string, flight: Flight<T>, load: () => Promise<readonly T[]>): Promise<TaskList<T>> {
    try {
      const tasks = await load()
      const byId = new Map<string, T>()
      for (const task of tasks) byId.set(this.#options.idOf(task), task)
      const list: TaskList<T> = { tasks, byId }
      // Forgotten meanwhile (or the cache cleared): what was read may predate the change.
      const current = this.#flights.get(customer) === flight
      if (current && !this.#suspended && this.#options.ttlMs > 0) this.#keep(customer, list)
      return list
    } finally {
      if (this.#flights.get(customer) === flight) this.#flights.delete(customer)
    }
  }

  #keep(customer: string, list: TaskList<T>): void {
    const { ttlMs, maxWeight, maxOrganizations, weigh, now } = this.#options
    let weight = ENTRY_WEIGHT
    for (const task of list.tasks) {
      weight += weigh(task)
      if (weight > this.#organizationMaxWeight) break
    }
    const kept = weight <= this.#organizationMaxWeight
    const entry: Entry<T> = kept
      ? { list, weight, expiresAt: now() + ttlMs }
      : { list: undefined, weight: ENTRY_WEIGHT, expiresAt: now() + ttlMs }
    this.#drop(customer)
    // The oldest go first; with a short expiry they are mostly the expired ones.
    for (const [oldest] of this.#entries) {
      if (this.#weight + entry.weight <= maxWeight && this.#entries.size < maxOrganizations) break
      this.#drop(oldest)
    }
    this.#entries.set(customer, entry)
    this.#weight += entry.weight
  }

  #fresh(customer: string): Entry<T> | undefined {
    const entry = this.#entries.get(customer)
    if (entry === undefined) return undefined
    if (entry.expiresAt > this.#options.now()) return entry
    this.#drop(customer)
    return undefined
  }

  #drop(customer: string): void {
    const entry = this.#entries.get(customer)
    if (entry === undefined) return
    this.#entries.delete(customer)
    this.#weight -= entry.weight
  }
}
