export interface OrganizationCacheOptions<V> {
  /** How long a value is answered from memory; 0 keeps nothing. */
  ttlMs: number
  /** What every kept value may weigh together (see {@link weigh}). */
  maxWeight: number
  /** Values kept at most, of every organization. */
  maxEntries: number
  /** A value's weight: about the bytes it takes. */
  weigh: (value: V) => number
  now?: () => number
}

/** What an entry weighs besides its value (its keys, maps, expiry): so that many small ones count too. */
export const ENTRY_WEIGHT = 1_024

/**
 * The most one organization's values weigh together, as a share of the whole. A value heavier than
 * that alone is not kept (only that it is too large, so that its reader asks the owner for just what
 * it needs); an organization at its share pushes out its own oldest values, never another's. One
 * organization thus holds at most a sixteenth of the cache, however it grows.
 */
export const ORGANIZATION_SHARE = 16

interface Entry<V> {
  readonly organization: string
  readonly key: string
  /** Undefined: the mark of a value too large to keep. */
  readonly value: V | undefined
  readonly weight: number
  readonly expiresAt: number
}

interface Flight<V> {
  promise: Promise<V>
}

/**
 * Values read from another service, per organization and key, kept by one replica for a few seconds
 * so that a read costs no call to their owner (decision 33). Pure: the caller gives the load and says
 * when an organization's values changed.
 *
 * - {@link forget} drops every value of one organization, {@link forgetAll} every value. A load that
 *   started before either does not fill the cache after it (it may have read before the change): a
 *   load fills only while it is still the current one of its key.
 * - Concurrent misses of one key share one load.
 * - A value expires after `ttlMs`, the bound should a change ever go untold.
 * - Bounded: by weight and by entries, the oldest going first; no organization above its share.
 * - {@link suspend} answers every read from its owner, keeping nothing, until {@link resume}: while
 *   changes cannot be told, nothing is answered from memory.
 */
export class OrganizationCache<V> {
  /** Every entry in the order it was kept: the oldest go first. */
  readonly #order = new Set<Entry<V>>()
  readonly #entries = new Map<string, Map<string, Entry<V>>>()
  readonly #weights = new Map<string, number>()
  readonly #flights = new Map<string, Map<string, Flight<V>>>()
  readonly #options: Required<OrganizationCacheOptions<V>>
  readonly #organizationMaxWeight: number
  #weight = 0
  #suspended = false

  constructor(options: OrganizationCacheOptions<V>) {
    this.#options = { now: Date.now, ...options }
    this.#organizationMaxWeight = Math.floor(options.maxWeight / ORGANIZATION_SHARE)
  }

  /**
   * Whether the value is answered from memory ({@link read}); otherwise the caller asks the owner
   * for just what it needs: the cache is off or suspended, or the value is too large to keep.
   */
  serves(organization: string, key = ''): boolean {
    if (this.#options.ttlMs <= 0 || this.#suspended) return false
    const entry = this.#fresh(organization, key)
    return entry === undefined || entry.value !== undefined
  }

  /** The kept value, or `load`'s answer (shared by every read of the key that misses meanwhile). */
  read(organization: string, key: string, load: () => Promise<V>): Promise<V> {
    const value = this.#fresh(organization, key)?.value
    if (value !== undefined) return Promise.resolve(value)
    const flights = this.#flights.get(organization)
    const flying = flights?.get(key)
    if (flying !== undefined) return flying.promise
    const flight = {} as Flight<V>
    if (flights === undefined) this.#flights.set(organization, new Map([[key, flight]]))
    else flights.set(key, flight)
    flight.promise = this.#load(organization, key, flight, load)
    return flight.promise
  }

  /** Drops every value of the organization: something of it changed. */
  forget(organization: string): void {
    this.#flights.delete(organization)
    for (const entry of this.#entries.get(organization)?.values() ?? []) this.#drop(entry)
  }

  /** Drops every value: changes may have gone untold. */
  forgetAll(): void {
    this.#flights.clear()
    this.#entries.clear()
    this.#weights.clear()
    this.#order.clear()
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

  /** What the kept values weigh together, how many there are, of how many organizations. */
  get size(): { entries: number; organizations: number; weight: number } {
    return { entries: this.#order.size, organizations: this.#entries.size, weight: this.#weight }
  }

  async #load(organization: string, key: string, flight: Flight<V>, load: () => Promise<V>): Promise<V> {
    const flights = () => this.#flights.get(organization)
    try {
      const value = await load()
      // Forgotten meanwhile (or the cache cleared): what was read may predate the change.
      const current = flights()?.get(key) === flight
      if (current && !this.#suspended && this.#options.ttlMs > 0) this.#keep(organization, key, value)
      return value
    } finally {
      if (flights()?.get(key) === flight) {
        flights()?.delete(key)
        if (flights()?.size === 0) this.#flights.delete(organization)
      }
    }
  }

  #keep(organization: string, key: string, value: V): void {
    const { ttlMs, maxWeight, maxEntries, weigh, now } = this.#options
    const weight = ENTRY_WEIGHT + weigh(value)
    const kept = weight <= this.#organizationMaxWeight
    const entry: Entry<V> = {
      organization,
      key,
      value: kept ? value : undefined,
      weight: kept ? weight : ENTRY_WEIGHT,
      expiresAt: now() + ttlMs,
    }
    const known = this.#entries.get(organization)?.get(key)
    if (known !== undefined) this.#drop(known)
    // The organization makes room among its own values first, then the oldest of all go (with a
    // short expiry, mostly the expired ones).
    for (const own of this.#entries.get(organization)?.values() ?? []) {
      if ((this.#weights.get(organization) ?? 0) + entry.weight <= this.#organizationMaxWeight) break
      this.#drop(own)
    }
    for (const oldest of this.#order) {
      if (this.#weight + entry.weight <= maxWeight && this.#order.size < maxEntries) break
      this.#drop(oldest)
    }
    const entries = this.#entries.get(organization)
    if (entries === undefined) this.#entries.set(organization, new Map([[key, entry]]))
    else entries.set(key, entry)
    this.#order.add(entry)
    this.#weights.set(organization, (this.#weights.get(organization) ?? 0) + entry.weight)
    this.#weight += entry.weight
  }

  #fresh(organization: string, key: string): Entry<V> | undefined {
    const entry = this.#entries.get(organization)?.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt > this.#options.now()) return entry
    this.#drop(entry)
    return undefined
  }

  #drop(entry: Entry<V>): void {
    const entries = this.#entries.get(entry.organization)
    if (entries?.get(entry.key) !== entry) return
    entries.delete(entry.key)
    if (entries.size === 0) this.#entries.delete(entry.organization)
    const left = (this.#weights.get(entry.organization) ?? 0) - entry.weight
    if (left > 0) this.#weights.set(entry.organization, left)
    else this.#weights.delete(entry.organization)
    this.#order.delete(entry)
    this.#weight -= entry.weight
  }
}
