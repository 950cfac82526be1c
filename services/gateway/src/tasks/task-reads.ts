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
   * Runs a write of the organization's tasks, then forgets its list here whatever the outcome (a
   * write that failed late may have been recorded): the next read on this replica sees it, whether
   * or not the catalog's message has arrived yet.
   */
  async write<R>(customer: string, write: () => Promise<R>): Promise<R> {
    try {
      return await write()
    } finally {
      this.#cache.forget(customer)
    }
  }

  /**
   * Follows task-catalog's changes on `cache.catalog`, answering nothing from memory while the
   * connection is down. Resolves once the server has the subscription; answers the function that
   * stops following.
   */
  watch(bus: Bus): Promise<() => Promise<void>> {
    return followCatalogChanges(bus, this.#cache)
  }

  #read(customer: string): Promise<TaskList> {
    return this.#cache.read(customer, '', async () => {
      const { tasks } = await this.#catalog.listTasks({ customer, tag: '', hostId: '' })
      return { tasks, byId: new Map(tasks.map((task) => [task.id, task])) }
    })
  }
}
