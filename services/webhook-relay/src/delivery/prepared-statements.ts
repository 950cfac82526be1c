import pg from 'pg'

/** A statement with a fixed text (lists travel as array parameters), prepared once per connection. */
export interface PreparedStatement {
  name: string
  text: string
}

/**
 * The connections of the dispatcher's statements, which run for every delivery (taking due ones,
 * claiming them, recording attempts). Each statement is prepared under its name on each connection,
 * so Postgres parses it once and, after a few runs, keeps its plan: planning these statements costs
 * more than running them on a batch. (Kysely sends every query unnamed, planned again each time.)
 */
export class PreparedStatements {
  readonly #pool: pg.Pool

  constructor(connectionString: string, options: { max?: number } = {}) {
    this.#pool = new pg.Pool({ connectionString, max: options.max ?? 4 })
    // As in createDb: a connection losing its server fails its query, never the process.
    this.#pool.on('error', () => undefined)
    this.#pool.on('connect', (client) => client.on('error', () => undefined))
  }

  async run<R extends object>(statement: PreparedStatement, values: readonly unknown[]): Promise<R[]> {
    const result = await this.#pool.query<R>({
      name: statement.name,
      text: statement.text,
      values: [...values],
    })
    return result.rows
  }

  close(): Promise<void> {
    return this.#pool.end()
  }
}
