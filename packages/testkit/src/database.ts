import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The URL of database `name` on the server that `adminUrl` points to. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${encodeURIComponent(name)}`
  return url.toString()
}

export function randomDatabaseName(prefix = 'test_'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`
}

async function withAdminClient<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl })
  client.on('error', () => undefined)
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** Creates database `name` and answers its URL. */
export async function createDatabaseAt(adminUrl: string, name: string): Promise<string> {
  await withAdminClient(adminUrl, (client) =>
    client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`),
  )
  return databaseUrl(adminUrl, name)
}

/** Drops the named databases, disconnecting whoever still uses them. */
export async function dropDatabasesAt(adminUrl: string, names: Iterable<string>): Promise<void> {
  await withAdminClient(adminUrl, async (client) => {
    for (const name of names) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`)
    }
  })
}

/** Names of the databases starting with `prefix`. */
export async function databasesWithPrefix(adminUrl: string, prefix: string): Promise<string[]> {
  return withAdminClient(adminUrl, async (client) => {
    const result = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    )
    return result.rows.map((row) => row.datname)
  })
}
