import type { Db } from '@taskforge/event-store'
import type { BotQueue, JobCount, JobMetricsSource } from '@taskforge/metrics'
import { sql } from 'kysely'

/**
 * The scheduler's gauges read from its own tables: jobs by lifecycle and state from the `jobs` read
 * model, and per bot the jobs not started yet from `job_schedule` (written with the events, so never
 * behind), with their wait measured from the job's creation.
 */
export function jobMetricsSource(db: Db): JobMetricsSource {
  return {
    async jobCounts(): Promise<JobCount[]> {
      const { rows } = await sql<{ lifecycle: string; state: string; count: string }>`
        SELECT lifecycle, state, count(*) AS count FROM jobs GROUP BY lifecycle, state
      `.execute(db)
      return rows.map((row) => ({ lifecycle: row.lifecycle, state: row.state, count: Number(row.count) }))
    },
    async botQueues(): Promise<BotQueue[]> {
      const { rows } = await sql<{ bot_id: string; depth: string; oldest_wait: number | null }>`
        SELECT s.bot_id, count(*) AS depth,
               extract(epoch FROM now() - min(j.creation_date))::float8 AS oldest_wait
        FROM job_schedule s LEFT JOIN jobs j ON j.id = s.job_id
        WHERE s.phase <> 'running'
        GROUP BY s.bot_id
      `.execute(db)
      return rows.map((row) => ({
        botId: row.bot_id,
        depth: Number(row.depth),
        oldestWaitSeconds: Math.max(0, row.oldest_wait ?? 0),
      }))
    },
  }
}
