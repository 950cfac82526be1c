import type { Db, StoredEvent, Trx } from './types.js'

/**
 * A read model kept by a {@link Projector}. Its tables live in the service's database; `apply`
 * runs in the same transaction that advances its checkpoint, so a batch is applied exactly once.
 */
export interface Projection {
  /** Unique per database; names the checkpoint. */
  name: string
  /** Bump it when `apply` or the tables change: the projector then rebuilds from the first event. */
  version: number
  /** Only events of these stream types reach `apply` (all when absent). */
  streamTypes?: string[]
  /** Applies a batch of events, in commit order. */
  apply(trx: Trx, events: StoredEvent[]): Promise<void>
  /** Drops and recreates the projection's tables (rebuild from scratch). */
  reset(trx: Trx): Promise<void>
  /** Creates its tables if missing (idempotent). Runs on one connection, under a lock shared by every replica. */
  setup(db: Db): Promise<void>
}
