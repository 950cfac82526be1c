import type { EventStore, Trx } from '@taskforge/event-store'
import type { Logger } from '@taskforge/telemetry'
import { type Claimed, claimDueRow, type DueTimerTable, msUntilNextDue } from './due-timer-table.js'
import { type DueTimerSource, type FireReport, NOTHING_DUE } from './due-timers.js'

/** Timers each fired alone: a claim takes one due row and fires it in its own transaction. */
export interface OneRowTimers<Row extends { customer: string }> {
  /** What the logs call these timers. */
  name: string
  table: DueTimerTable
  store: Pick<EventStore, 'db' | 'transaction'>
  logger: Logger
  /** The row's key, as the round leaves it out after a failure; `keyName` names it in the logs. */
  keyOf(row: Claimed<Row>): string
  keyName: string
  /** Fires the claimed row in the claim's transaction (and deletes or re-arms it there). */
  fire(trx: Trx, row: Claimed<Row>): Promise<void>
  /**
   * A failure that can never pass (its key given): cleans up and answers true, and the timer is not
   * tried again; any other failure is tried again after the loop's pause.
   */
  abandon?(error: unknown, key: string): Promise<boolean>
}

/**
 * The source of {@link DueTimers} for timers fired one at a time, each in a transaction that holds
 * its row (`FOR UPDATE SKIP LOCKED`): grace-time holds, the wake-ups of workflow runs.
 */
export function oneRowSource<Row extends { customer: string }>(timers: OneRowTimers<Row>): DueTimerSource {
  const { store, logger } = timers
  // A claim takes one row, so it is always full: the loop may start another beside it.
  const failed = (key: string, retry: boolean): FireReport => ({
    fired: [],
    failed: [{ key, retry }],
    full: true,
  })
  return {
    name: timers.name,
    msUntilNext: () => msUntilNextDue(store.db, timers.table),
    async fireDue(at, skip): Promise<FireReport> {
      let key: string | undefined
      try {
        return await store.transaction(async (trx) => {
          const row = await claimDueRow<Row>(trx, timers.table, at, skip)
          if (row === undefined) return NOTHING_DUE
          key = timers.keyOf(row)
          await timers.fire(trx, row)
          return { fired: [row.customer], failed: [], full: true }
        })
      } catch (error) {
        if (key === undefined) throw error
        if (timers.abandon !== undefined && (await timers.abandon(error, key))) return failed(key, false)
        logger.error({ err: error, [timers.keyName]: key }, `${timers.name}: not fired; will retry`)
        return failed(key, true)
      }
    },
  }
}
