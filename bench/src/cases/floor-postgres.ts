import pg from 'pg'
import { wallClockMs } from '../lib/clock.js'
import { closedLoop } from '../lib/load.js'
import { summarizeLatencies } from '../lib/stats.js'
import type { CaseResult } from '../results/model.js'
import { Series } from '../results/series.js'
import { assertNoFailures, type CaseContext } from './case.js'

const CLIENTS = 16

async function commitOne(client: pg.PoolClient | pg.Pool): Promise<void> {
  if (client instanceof pg.Pool) {
    const connection = await client.connect()
    try {
      await commitOne(connection)
    } finally {
      connection.release()
    }
    return
  }
  await client.query('BEGIN')
  await client.query('INSERT INTO floor (payload) VALUES ($1)', ['x'.repeat(200)])
  await client.query('COMMIT')
}

/**
 * The floor of our storage: a transaction that inserts one row and commits (BEGIN, INSERT, COMMIT),
 * one at a time for the latency, from `CLIENTS` connections at once for the rate. Every decision of
 * our job path is at least one of these.
 */
export async function floorPostgres(ctx: CaseContext, databaseUrl: string): Promise<CaseResult> {
  const sequential = ctx.quick ? 300 : 2_000
  const commits = ctx.quick ? 5_000 : 30_000
  const series = new Series()
    .declare('commit.p50', 'single-row insert transaction p50', 'latency-p50')
    .declare('commit.p99', 'single-row insert transaction p99', 'latency-p99')
    .declare('rate', 'single-row insert transactions', 'rate', 'commits/s')
  const pool = new pg.Pool({ connectionString: databaseUrl, max: CLIENTS })
  // A connection the server closes while idle (its shutdown after the floors) is not a failure of ours.
  pool.on('error', () => undefined)
  try {
    await pool.query('CREATE TABLE floor (id bigserial PRIMARY KEY, payload text NOT NULL)')
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      const client = await pool.connect()
      const samples: number[] = []
      try {
        for (let i = 0; i < sequential; i++) {
          const started = wallClockMs()
          await commitOne(client)
          samples.push(wallClockMs() - started)
        }
      } finally {
        client.release()
      }
      const latency = summarizeLatencies(samples)
      series.add('commit.p50', latency.p50)
      series.add('commit.p99', latency.p99)
      const started = wallClockMs()
      const outcome = await closedLoop({ workers: CLIENTS, count: commits, call: () => commitOne(pool) })
      assertNoFailures('postgres floor', outcome)
      series.add('rate', commits / ((wallClockMs() - started) / 1000))
      ctx.log(`postgres floor ${rep + 1}/${ctx.repetitions}: p50 ${latency.p50.toFixed(2)} ms`)
    }
  } finally {
    await pool.end()
  }
  return {
    id: 'floor.postgres',
    title: 'Floor: bare Postgres commit',
    group: 'floor',
    settings: { statement: 'BEGIN; INSERT one row; COMMIT', sequential, commits, clients: CLIENTS },
    metrics: series.metrics(),
  }
}
