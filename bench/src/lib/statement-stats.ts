import pg from 'pg'
import type { StatementSummary } from '../results/model.js'

/** Server settings that make Postgres count every statement (the extension ships with Postgres). */
export const STATEMENT_STATS_SETTINGS = [
  'shared_preload_libraries=pg_stat_statements',
  'pg_stat_statements.track=all',
] as const

/** Statements kept per database and pass, by total execution time. */
const TOP = 8
const QUERY_CHARS = 160

/**
 * pg_stat_statements of each service's database, cut to passes: reset at a pass's start, read at its
 * end. Execution time is the server's, planning excluded; calls and rows say how often and how much.
 */
export class StatementStats {
  readonly #clients: Map<string, pg.Client>

  private constructor(clients: Map<string, pg.Client>) {
    this.#clients = clients
  }

  /** Connects to every database (by service name) and loads the extension in it. */
  static async open(databases: ReadonlyMap<string, string>): Promise<StatementStats> {
    const clients = new Map<string, pg.Client>()
    try {
      for (const [service, url] of databases) {
        const client = new pg.Client({ connectionString: url })
        client.on('error', () => undefined)
        await client.connect()
        clients.set(service, client)
        await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
      }
    } catch (error) {
      await Promise.allSettled([...clients.values()].map((client) => client.end()))
      throw error
    }
    return new StatementStats(clients)
  }

  /** Forgets what was counted so far (the server's counters are shared by every database). */
  async reset(): Promise<void> {
    const [first] = this.#clients.values()
    await first?.query('SELECT pg_stat_statements_reset()')
  }

  /** The costliest statements of each database since the last reset. */
  async read(pass: string): Promise<StatementSummary[]> {
    const summaries: StatementSummary[] = []
    for (const [service, client] of this.#clients) {
      const { rows } = await client.query<{
        calls: string
        total_ms: number
        rows: string
        query: string
      }>(
        `SELECT s.calls, s.total_exec_time AS total_ms, s.rows, s.query
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
         WHERE d.datname = current_database()
         ORDER BY s.total_exec_time DESC LIMIT ${TOP}`,
      )
      const { rows: totals } = await client.query<{ calls: string | null; total_ms: number | null }>(
        `SELECT sum(s.calls) AS calls, sum(s.total_exec_time) AS total_ms
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
         WHERE d.datname = current_database()`,
      )
      const calls = Number(totals[0]?.calls ?? 0)
      if (calls === 0) continue
      summaries.push({
        pass,
        database: service,
        calls,
        totalMs: Number(totals[0]?.total_ms ?? 0),
        statements: rows.map((row) => ({
          calls: Number(row.calls),
          totalMs: row.total_ms,
          rowsPerCall: Number(row.rows) / Math.max(1, Number(row.calls)),
          query: oneLine(row.query),
        })),
      })
    }
    return summaries
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#clients.values()].map((client) => client.end()))
  }
}

function oneLine(query: string): string {
  const text = query.replace(/\s+/g, ' ').trim()
  return text.length > QUERY_CHARS ? `${text.slice(0, QUERY_CHARS - 1)}…` : text
}
