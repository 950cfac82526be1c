import { subjects } from '@taskforge/protocol'
import type { Bus } from './bus.js'

/** What keeps values of task-catalog per organization (an `OrganizationCache`). */
export interface ForgetsOrganizations {
  forget(organization: string): void
  forgetAll(): void
  suspend(): void
  resume(): void
}

const decoder = new TextDecoder()

/**
 * Follows task-catalog's announcements on `cache.catalog` (decision 33): each names an organization
 * whose tasks or scripts changed, and `cache` forgets what it kept of it. While the connection is
 * down (what is announced meanwhile is lost) the cache answers nothing from memory, and it starts
 * empty once the connection is back. Resolves once the server has the subscription; answers the
 * function that stops following.
 */
export async function followCatalogChanges(
  bus: Bus,
  cache: ForgetsOrganizations,
): Promise<() => Promise<void>> {
  const subscription = bus.nc.subscribe(subjects.catalogChanged, {
    callback: (error, message) => {
      if (error === null) cache.forget(decoder.decode(message.data))
      else cache.forgetAll()
    },
  })
  const stopListening = bus.onConnectionChange((connected) => (connected ? cache.resume() : cache.suspend()))
  await bus.nc.flush()
  return async () => {
    stopListening()
    subscription.unsubscribe()
  }
}
