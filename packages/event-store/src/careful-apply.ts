import { isTransientFailure } from '@taskforge/core'
import { sql } from 'kysely'
import type { Projection } from './projection.js'
import type { Quarantine } from './quarantine.js'
import type { StoredEvent, Trx } from './types.js'

/** Tries of one event, each in its own savepoint, before it is quarantined. */
export const DEFAULT_MAX_ATTEMPTS = 3

/** Runs `fn` in a savepoint of `trx`: a failure undoes only what `fn` did, and the transaction goes on. */
export async function inSavepoint<T>(trx: Trx, name: string, fn: () => Promise<T>): Promise<T> {
  await sql`SAVEPOINT ${sql.id(name)}`.execute(trx)
  try {
    const result = await fn()
    await sql`RELEASE SAVEPOINT ${sql.id(name)}`.execute(trx)
    return result
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT ${sql.id(name)}`.execute(trx)
    throw error
  }
}

/**
 * Applies `events` to `projection` one at a time, each in its own savepoint, for a batch that failed
 * as a whole. An event that fails `maxAttempts` times (for a reason other than the database being
 * unreachable) is recorded in the quarantine, in `trx`, and skipped: the projection moves past it.
 * A transient failure is thrown, so the whole batch is tried again later. Answers the events applied.
 */
export async function applyCarefully(
  trx: Trx,
  projection: Projection,
  events: readonly StoredEvent[],
  quarantine: Quarantine,
  maxAttempts = DEFAULT_MAX_ATTEMPTS,
): Promise<number> {
  let applied = 0
  for (const event of events) {
    let lastError: unknown
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      try {
        await inSavepoint(trx, 'apply_one', () => projection.apply(trx, [event]))
        lastError = undefined
        applied += 1
        break
      } catch (error) {
        if (isTransientFailure(error)) throw error
        lastError = error
      }
    }
    if (lastError === undefined) continue
    await quarantine.record(trx, {
      pipeline: `projection:${projection.name}`,
      kind: 'event',
      key: event.eventId,
      ...(event.metadata.customer ? { customer: event.metadata.customer } : {}),
      event,
      error: lastError,
      attempts: maxAttempts,
    })
  }
  return applied
}

/**
 * Applies a batch as one, and when that fails for a reason other than the database, one event at a
 * time ({@link applyCarefully}). The batch runs in a savepoint so its failure leaves `trx` usable.
 */
export async function applyOrSetAside(
  trx: Trx,
  projection: Projection,
  events: readonly StoredEvent[],
  quarantine: Quarantine,
  maxAttempts = DEFAULT_MAX_ATTEMPTS,
): Promise<number> {
  try {
    await inSavepoint(trx, 'apply_batch', () => projection.apply(trx, [...events]))
    return events.length
  } catch (error) {
    if (isTransientFailure(error)) throw error
    return applyCarefully(trx, projection, events, quarantine, maxAttempts)
  }
}
