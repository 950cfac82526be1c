import { sql } from 'kysely'
import type { Projection } from '../projection.js'
import type { Db, StoredEvent, Trx } from '../types.js'

export interface CountingProjection extends Projection {
  /** Events of this type make `apply` fail after it wrote the rows of the events before them. */
  failOn: string | undefined
  /** What `apply` throws for {@link failOn} (default: a plain Error, which quarantines the event). */
  failure: (() => unknown) | undefined
  counts(db: Db): Promise<Record<string, number>>
}

/**
 * A read model counting events per stream, with one row per applied event id (primary key): an
 * event applied twice fails loudly.
 */
export function countingProjection(
  name: string,
  options: { version?: number; weight?: number; streamTypes?: string[] } = {},
): CountingProjection {
  const counts = sql.table(`${name}_counts`)
  const applied = sql.table(`${name}_applied`)
  const weight = options.weight ?? 1
  const create = async (db: Db | Trx) => {
    await sql`CREATE TABLE IF NOT EXISTS ${counts} (stream_id text PRIMARY KEY, events integer NOT NULL)`.execute(
      db,
    )
    await sql`CREATE TABLE IF NOT EXISTS ${applied} (event_id uuid PRIMARY KEY)`.execute(db)
  }
  const projection: CountingProjection = {
    name,
    version: options.version ?? 1,
    ...(options.streamTypes === undefined ? {} : { streamTypes: options.streamTypes }),
    failOn: undefined,
    failure: undefined,
    setup: create,
    async reset(trx) {
      await sql`DROP TABLE IF EXISTS ${counts}, ${applied}`.execute(trx)
      await create(trx)
    },
    async apply(trx: Trx, events: StoredEvent[]) {
      for (const event of events) {
        if (event.type === projection.failOn)
          throw projection.failure?.() ?? new Error(`cannot project ${event.type}`)
        await sql`INSERT INTO ${applied} (event_id) VALUES (${event.eventId})`.execute(trx)
        await sql`INSERT INTO ${counts} (stream_id, events) VALUES (${event.streamId}, ${weight})
          ON CONFLICT (stream_id) DO UPDATE SET events = ${counts}.events + ${weight}`.execute(trx)
      }
    },
    async counts(db: Db) {
      const { rows } = await sql<{
        stream_id: string
        events: number
      }>`SELECT stream_id, events FROM ${counts}`.execute(db)
      return Object.fromEntries(rows.map((row) => [row.stream_id, row.events]))
    },
  }
  return projection
}
