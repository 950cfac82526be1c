import { type Bus, followCatalogChanges } from '@taskforge/bus'
import { isAppError, OrganizationCache } from '@taskforge/core'
import { Task } from '@taskforge/proto/catalog/v1/model'
import type { Clients } from '../clients/clients.js'

/** Only the tasks with this tag, of this bot (empty: any), as task-catalog filters them. */
export interface TaskFilter {
  tag?: string | undefined
  hostId?: string | undefined
}

/** One organization's tasks as task-catalog answered them: in its order, and by id. */
interface TaskList {
  readonly tasks: readonly Task[]
  readonly byId: ReadonlyMap<string, Task>
}

/** Organizations whose lists one replica keeps at most. */
const MAX_ORGANIZATIONS = 10_000

/**
 * How long a write waits to hear task-catalog's message about it before it is answered all the same
 * (the catalog gives up sending after 2 s, and then logs it).
 */
const HEAR_TIMEOUT_MS = 2_000

/** About what a task takes in memory: twice its encoding (strings and objects cost more than their bytes). */
const weigh = (task: Task) => 2 * Task.encode(task).finish().length

/**
 * The gateway's only way to read tasks (decision 33): each organization's list as task-catalog
 * answers it, kept per replica for a few seconds, filtered and looked up in memory. Every write of
 * tasks is told to every replica before it is answered (`cache.catalog`, sent by task-catalog once its
 * read model shows the write), and the replica that wrote forgets its own list before answering too
 * ({@link write}).
 */
export class TaskReads {
  readonly #catalog: Clients['catalog']
  /** Each organization's whole list, under the key '' (a list too heavy to keep is read as needed). */
  readonly #cache: OrganizationCache<TaskList>
  /** The writes waiting to hear the catalog's message about their organization, by organization. */
  readonly #listeners = new Map<string, Set<() => void>>()
  /** Whether the catalog's messages reach this replica now (listening, and connected). */
  #hearing = false

  constructor(catalog: Clients['catalog'], options: { ttlMs: number; maxBytes: number }) {
    this.#catalog = catalog
    this.#cache = new OrganizationCache<TaskList>({
      ttlMs: options.ttlMs,
      maxWeight: options.maxBytes,
      maxEntries: MAX_ORGANIZATIONS,
      weigh: (list) => list.tasks.reduce((sum, task) => sum + weigh(task), 0),
    })
  }

  /** The organization's tasks (oldest first), only those `filter` names. */
  async list(customer: string, filter: TaskFilter = {}): Promise<readonly Task[]> {
    const tag = filter.tag ?? ''
    const hostId = filter.hostId ?? ''
    if (!this.#cache.serves(customer)) return (await this.#catalog.listTasks({ customer, tag, hostId })).tasks
    const { tasks } = await this.#read(customer)
    if (tag === '' && hostId === '') return tasks
    return tasks.filter(
      ({ definition }) =>
        (tag === '' || definition?.tags.includes(tag) === true) &&
        (hostId === '' || definition?.hostId === hostId),
    )
  }

  /** One task of the organization, or undefined when it has none of that id. */
  async get(customer: string, taskId: string): Promise<Task | undefined> {
    if (this.#cache.serves(customer)) return (await this.#read(customer)).byId.get(taskId)
    try {
      return (await this.#catalog.getTask({ customer, taskId })).task
    } catch (error) {
      if (isAppError(error) && error.code === 'NOT_FOUND') return undefined
      throw error
    }
  }

  /**
   * Runs a write of the organization's tasks or scripts and forgets its list here whatever the
   * outcome (a write that failed late may have been recorded), so the next read on this replica sees
   * it. A write that succeeded is answered once this replica has heard the catalog's message about it
   * (or 2 s passed): NATS sends that message to every gateway and scheduler replica at once, so by
   * then the others have it too, rather than still in flight while the client already asks one of them.
   */
  async write<R>(customer: string, write: () => Promise<R>): Promise<R> {
    const heard = this.#hear(customer)
    try {
      const result = await write()
      await heard.promise
      return result
    } finally {
      heard.stop()
      this.#cache.forget(customer)
    }
  }

  /**
   * Follows task-catalog's changes on `cache.catalog` (each also tells the writes waiting to hear of
   * their organization), answering nothing from memory while the connection is down. Resolves once
   * the server has the subscription; answers the function that stops following.
   */
  async watch(bus: Bus): Promise<() => Promise<void>> {
    const stop = await followCatalogChanges(bus, {
      forget: (customer) => {
        this.#cache.forget(customer)
        for (const heard of this.#listeners.get(customer) ?? []) heard()
      },
      forgetAll: () => this.#forgetAll(),
      // What is sent while the connection is down is lost: no write waits for it.
      suspend: () => {
        this.#hearing = false
        this.#cache.suspend()
        for (const listeners of this.#listeners.values()) for (const heard of listeners) heard()
      },
      resume: () => {
        this.#hearing = true
        this.#cache.resume()
      },
    })
    this.#hearing = true
    return async () => {
      this.#hearing = false
      await stop()
    }
  }

  #forgetAll(): void {
    this.#cache.forgetAll()
    for (const listeners of this.#listeners.values()) for (const heard of listeners) heard()
  }

  /** Resolves when the catalog's next message about `customer` arrives (at once when none can). */
  #hear(customer: string): { promise: Promise<void>; stop(): void } {
    if (!this.#hearing) return { promise: Promise.resolve(), stop: () => undefined }
    let heard = () => {}
    const promise = new Promise<void>((resolve) => {
      heard = resolve
    })
    const timer = setTimeout(heard, HEAR_TIMEOUT_MS)
    let listeners = this.#listeners.get(customer)
    if (listeners === undefined) {
      listeners = new Set()
      this.#listeners.set(customer, listeners)
    }
    listeners.add(heard)
    return {
      promise,
      stop: () => {
        clearTimeout(timer)
        listeners.delete(heard)
        if (listeners.size === 0) this.#listeners.delete(customer)
      },
    }
  }

  #read(customer: string): Promise<TaskList> {
    return this.#cache.read(customer, '', async () => {
      const { tasks } = await this.#catalog.listTasks({ customer, tag: '', hostId: '' })
      return { tasks, byId: new Map(tasks.map((task) => [task.id, task])) }
    })
  }
}
