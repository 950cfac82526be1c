import pg from 'pg'
import { sleep } from '../lib/clock.js'
import { summarizeLatencies } from '../lib/stats.js'
import type { CaseResult } from '../results/model.js'
import { Series } from '../results/series.js'
import { startBenchPlatform } from './bench-platform.js'
import type { CaseContext } from './case.js'

export const SCHEDULES = 1_000
const CREATORS = 8

/** The fires scheduled in [from, to): schedule i fires at second i mod 60 of every minute. */
function firesBetween(from: number, to: number): number {
  let fires = 0
  for (let at = from; at < to; at += 1000) {
    const second = Math.floor(at / 1000) % 60
    fires += Math.floor(SCHEDULES / 60) + (second < SCHEDULES % 60 ? 1 : 0)
  }
  return fires
}

/**
 * Fire lag of many active schedules: {@link SCHEDULES} schedules, each firing once a minute at its own
 * second (`S * * * * *`, S = i mod 60: some 17 fires a second), over the bench's no-op tasks. The lag
 * of a fire is its scheduled time to the creation of its job, both as job-scheduler recorded them in
 * the fire's row (`scheduled_for`, `fired_at`: the database clock of the transaction that queued the
 * job). Each repetition is a window of whole seconds; every fire in it must have started.
 */
export async function oursSchedules(ctx: CaseContext, botConcurrency: number): Promise<CaseResult> {
  const windowS = ctx.quick ? 20 : 60
  const series = new Series()
    .declare('lag.p50', 'fire lag p50 (scheduled time → job created)', 'latency-p50')
    .declare('lag.p99', 'fire lag p99', 'latency-p99')
    .declare('lag.max', 'fire lag max', 'duration')
    .declare('fires', 'fires per window', 'size', 'fires')
  const bp = await startBenchPlatform({ botConcurrency, log: ctx.log })
  const database = new pg.Client({ connectionString: bp.platform.databases.get('job-scheduler') })
  try {
    await database.connect()
    const tasks = [bp.taskId, ...bp.spareTaskIds]
    ctx.log(`creating ${SCHEDULES} schedules over ${tasks.length} tasks`)
    let next = 0
    await Promise.all(
      Array.from({ length: CREATORS }, async () => {
        for (let i = next++; i < SCHEDULES; i = next++) {
          await bp.api.expect(201, 'POST', `/${bp.customer}/task/${tasks[i % tasks.length]}/schedule`, {
            cron: `${i % 60} * * * * *`,
            note: `bench ${i}`,
          })
        }
      }),
    )
    // Let the first fires of every schedule pass before measuring.
    await sleep(5_000)
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      const from = Math.ceil(Date.now() / 1000) * 1000
      const to = from + windowS * 1000
      await sleep(to - Date.now())
      // A scheduler that falls behind fires the window's times late: wait for all of them (their
      // lag then says how far behind it was), for at most two minutes.
      const expected = firesBetween(from, to)
      const deadline = Date.now() + 120_000
      let rows: { outcome: string; lag_ms: number }[] = []
      for (;;) {
        rows = (
          await database.query<{ outcome: string; lag_ms: number }>(
            `SELECT outcome, EXTRACT(EPOCH FROM fired_at - scheduled_for) * 1000 AS lag_ms
               FROM schedule_fires
              WHERE kind = 'schedule' AND scheduled_for >= $1 AND scheduled_for < $2`,
            [new Date(from), new Date(to)],
          )
        ).rows
        if (rows.length >= expected || Date.now() > deadline) break
        await sleep(1_000)
      }
      if (rows.length < expected) {
        throw new Error(
          `${rows.length} of ${expected} fires of a ${windowS} s window recorded 2 min after it`,
        )
      }
      const notStarted = rows.filter((row) => row.outcome !== 'started')
      if (notStarted.length > 0) {
        throw new Error(`${notStarted.length} fires not started, e.g. ${notStarted[0]?.outcome}`)
      }
      const summary = summarizeLatencies(rows.map((row) => Number(row.lag_ms)))
      series.add('lag.p50', summary.p50)
      series.add('lag.p99', summary.p99)
      series.add('lag.max', summary.max)
      series.add('fires', summary.count)
      ctx.log(
        `window ${rep + 1}/${ctx.repetitions}: ${summary.count} fires, lag p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms, max ${summary.max.toFixed(1)} ms`,
      )
    }
  } finally {
    await database.end().catch(() => undefined)
    await bp.stop()
  }
  return {
    id: 'ours.schedules',
    title: `Schedule fire lag, ${SCHEDULES} active schedules`,
    group: 'ours',
    settings: {
      schedules: SCHEDULES,
      cron: 'S * * * * * (S = i mod 60: once a minute each, about 17 fires a second)',
      windowSeconds: windowS,
      overlap: 'skip (default)',
      schedulerReplicas: 1,
      botConcurrency,
    },
    metrics: series.metrics(),
  }
}
