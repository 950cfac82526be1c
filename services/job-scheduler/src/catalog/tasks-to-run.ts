import { createHash } from 'node:crypto'
import { type Bus, followCatalogChanges } from '@taskforge/bus'
import { OrganizationCache } from '@taskforge/core'
import type { GetTaskToRunRequest, GetTaskToRunResponse } from '@taskforge/proto/catalog/v1/catalog_service'
import { GetTaskToRunResponse as TaskToRunAnswer } from '@taskforge/proto/catalog/v1/catalog_service'
import type { TaskCatalog } from '../grpc/scheduler-service.js'

/** Answers one replica keeps at most, of every organization. */
const MAX_ENTRIES = 100_000

/**
 * The key of an answer: the task, and for a run by secret key a digest of the key it was answered
 * for (a key the catalog refused is never kept: its answer is an error). The secret itself is not
 * kept.
 */
function keyOf({ taskId, secret }: GetTaskToRunRequest): string {
  return secret === '' ? taskId : `${taskId}:${createHash('sha256').update(secret).digest('hex')}`
}

/**
 * What a run reads of task-catalog (a task with its script), kept per replica for a few seconds
 * (decision 33): a run costs no call to the catalog when the task ran lately. Every write of an
 * organization's tasks or scripts is told before it is answered (`cache.catalog`), and this replica
 * then forgets all it kept of the organization; the same rules as the gateway's task lists hold
 * (a load from before a change is not kept, nothing is answered from memory while the connection
 * is down, an expiry bounds a change that went untold, one organization holds at most a sixteenth).
 * A run by secret key that names no organization asks the catalog each time: its organization is
 * only known from the answer.
 */
export class TasksToRun implements TaskCatalog {
  readonly #catalog: TaskCatalog
  readonly #cache: OrganizationCache<GetTaskToRunResponse>

  constructor(catalog: TaskCatalog, options: { ttlMs: number; maxBytes: number }) {
    this.#catalog = catalog
    this.#cache = new OrganizationCache<GetTaskToRunResponse>({
      ttlMs: options.ttlMs,
      maxWeight: options.maxBytes,
      maxEntries: MAX_ENTRIES,
      // About what it takes in memory: twice its encoding.
      weigh: (answer) => 2 * TaskToRunAnswer.encode(answer).finish().length,
    })
  }

  getTaskToRun(request: GetTaskToRunRequest): Promise<GetTaskToRunResponse> {
    const { customer } = request
    const key = keyOf(request)
    if (customer === '' || !this.#cache.serves(customer, key)) return this.#catalog.getTaskToRun(request)
    return this.#cache.read(customer, key, () => this.#catalog.getTaskToRun(request))
  }

  /** A burst of schedule fires reads its tasks together, from the catalog. */
  getTasksToRun(...args: Parameters<TaskCatalog['getTasksToRun']>): ReturnType<TaskCatalog['getTasksToRun']> {
    return this.#catalog.getTasksToRun(...args)
  }

  /**
   * Follows task-catalog's changes on `cache.catalog`. Resolves once the server has the
   * subscription; answers the function that stops following.
   */
  watch(bus: Bus): Promise<() => Promise<void>> {
    return followCatalogChanges(bus, this.#cache)
  }
}
