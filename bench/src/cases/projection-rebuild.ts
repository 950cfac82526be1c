import { createDb, EventStore, type NewEvent, type Projection, Projector } from '@taskforge/event-store'
import { sql } from 'kysely'
import { closedLoop } from '../lib/load.js'
import type { CaseResult } from '../results/model.js'
import { Series } from '../results/series.js'
import { assertNoFailures, type CaseContext } from './case.js'

const EVENTS_PER_STREAM = 100
const APPENDERS = 8

/**
 * A simple projection, as small as a real read model gets: per stream, its event count and last
 * event type, upserted once per stream and batch.
 */
const streamCounts: Projection = {
  name: 'bench_stream_counts',
  version: 1,
  async setup(db) {
    await sql`CREATE TABLE IF NOT EXISTS bench_stream_counts (
      stream_id text PRIMARY KEY, events integer NOT NULL, last_type text NOT NULL)`.execute(db)
  },
  async reset(trx) {
    await sql`TRUNCATE bench_stream_counts`.execute(trx)
  },
  async apply(trx, events) {
    const perStream = new Map<string, { events: number; lastType: string }>()
    for (const event of events) {
      const entry = perStream.get(event.streamId) ?? { events: 0, lastType: '' }
      entry.events += 1
      entry.lastType = event.type
      perStream.set(event.streamId, entry)
    }
    const rows = [...perStream].map(([streamId, entry]) => ({
      stream_id: streamId,
      events: entry.events,
      last_type: entry.lastType,
    }))
    await trx
      .insertInto('bench_stream_counts')
      .values(rows)
      .onConflict((conflict) =>
        conflict.column('stream_id').doUpdateSet({
          events: sql`bench_stream_counts.events + excluded.events`,
          last_type: sql`excluded.last_type`,
        }),
      )
      .execute()
  },
}

function eventsOf(stream: number): NewEvent[] {
  return Array.from({ length: EVENTS_PER_STREAM }, (_, i) => ({
    type: i === 0 ? 'created' : 'updated',
    data: new TextEncoder().encode(JSON.stringify({ stream, i, note: 'x'.repeat(64) })),
    metadata: { customer: 'bench', author: 'bench' },
  }))
}

/** Projector.rebuild of a simple projection over `events` stored events (one transaction, default batch). */
export async function projectionRebuild(ctx: CaseContext, databaseUrl: string): Promise<CaseResult> {
  const events = ctx.quick ? 20_000 : 200_000
  const streams = events / EVENTS_PER_STREAM
  const series = new Series().declare('rate', 'Projector.rebuild', 'rate', 'events/s')
  const db = createDb(databaseUrl, { max: APPENDERS + 2 })
  const store = new EventStore(db)
  let projector: Projector | undefined
  try {
    await store.migrate()
    ctx.log(`appending ${events} events in ${streams} streams`)
    const appended = await closedLoop({
      workers: APPENDERS,
      count: streams,
      call: async (stream) => {
        await store.appendToStream('bench', `stream-${stream}`, eventsOf(stream), {
          expectedVersion: 'no_stream',
        })
      },
    })
    assertNoFailures('append', appended)
    projector = new Projector(store, [streamCounts])
    await streamCounts.setup(db)
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      const result = await projector.rebuild(streamCounts.name)
      if (result.error !== undefined) throw result.error
      if (result.events !== events) throw new Error(`rebuild applied ${result.events} of ${events} events`)
      const rate = result.events / (result.ms / 1000)
      series.add('rate', rate)
      ctx.log(`rebuild ${rep + 1}/${ctx.repetitions}: ${result.events} events in ${result.ms} ms`)
    }
  } finally {
    await projector?.stop()
    await db.destroy()
  }
  return {
    id: 'ours.rebuild',
    title: 'Projection rebuild (event-store Projector.rebuild)',
    group: 'ours',
    settings: {
      events,
      streams,
      projection: 'per-stream count and last type, one upsert per stream and batch',
      batchSize: '500 (Projector default)',
    },
    metrics: series.metrics(),
  }
}
