import type { Bus } from '@taskforge/bus'
import { subjects } from '@taskforge/protocol'
import type { Logger } from '@taskforge/telemetry'

/** How long a write waits for NATS to take its announcement before it is answered all the same. */
const ANNOUNCE_TIMEOUT_MS = 2_000

const encoder = new TextEncoder()

/**
 * Tells every gateway and job-scheduler replica that an organization's tasks or scripts changed
 * (decision 33): a core NATS message on `cache.catalog` naming the organization, flushed so that the
 * server has it before the write is answered. A connection that does not take it in time is logged
 * and the write answered anyway: the caches' expiry bounds what they may keep, and a replica whose
 * own connection dropped does not answer from its cache until it is back.
 */
export function announceCatalogChanges(bus: Bus, logger: Logger): (customer: string) => Promise<void> {
  return async (customer) => {
    let timer: NodeJS.Timeout | undefined
    try {
      bus.nc.publish(subjects.catalogChanged, encoder.encode(customer))
      await Promise.race([
        bus.nc.flush(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('NATS did not take it in time')), ANNOUNCE_TIMEOUT_MS)
        }),
      ])
    } catch (error) {
      logger.warn({ err: error, customer }, 'catalog change not announced to the caches')
    } finally {
      clearTimeout(timer)
    }
  }
}
