import {
  createDb,
  type Db,
  databaseReachable,
  EventStore,
  Quarantine,
  withSchemaLock,
} from '@taskforge/event-store'
import { appendObserver, quarantineMetrics } from '@taskforge/metrics'
import type { ServiceContext } from './run-service.js'

export interface ServiceStoreOptions {
  databaseUrl: string
  /** The pool's size (default 10). */
  maxConnections?: number
  /** Creates the service's own tables, under the schema lock so that replicas starting together agree. */
  tables?: (connection: Db) => Promise<void>
}

/** A stateful service's own Postgres: its event store, and where its pipelines set poison aside. */
export interface ServiceStore {
  db: Db
  store: EventStore
  quarantine: Quarantine
}

/**
 * Opens a stateful service's event store the one way every service does: the pool (closed at stop,
 * a `database` readiness check), the store's tables, the service's own tables, append metrics, and
 * the quarantine with its metrics.
 *
 * @example
 * const { db, store, quarantine } = await openServiceStore(ctx, {
 *   databaseUrl: config.databaseUrl,
 *   tables: (connection) => jobsProjection.setup(connection),
 * })
 */
export async function openServiceStore(
  ctx: ServiceContext,
  options: ServiceStoreOptions,
): Promise<ServiceStore> {
  const { logger, metrics } = ctx
  const db = createDb(options.databaseUrl, { max: options.maxConnections ?? 10 })
  ctx.onStop(() => db.destroy())
  const store = new EventStore(db, { logger, onAppend: appendObserver(metrics) })
  await store.migrate()
  if (options.tables !== undefined) await withSchemaLock(db, options.tables)
  ctx.addReadiness('database', () => databaseReachable(db))
  const quarantine: Quarantine = new Quarantine(db, {
    logger,
    onQuarantined: quarantineMetrics(metrics, () => quarantine.counts()),
  })
  return { db, store, quarantine }
}
