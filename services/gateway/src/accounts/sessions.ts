import { createHash, randomBytes } from 'node:crypto'
import type { Db } from '@taskforge/event-store'
import { isRole } from '@taskforge/model'
import { type Kysely, sql } from 'kysely'
import type { Caller } from './accounts.js'
import type { AccountsTables } from './accounts-projection.js'
import { hashToken } from './token-hash.js'

/**
 * Console sessions (decision 26): a random id in an HttpOnly cookie stands for an integration
 * token. Only the id's SHA-256 is stored, with the token it stands for and an absolute expiry; the
 * token must still be live at every request, so its revocation ends its sessions at once. A session
 * is an ephemeral credential, not a domain fact: it lives in a plain table, and a sign-out deletes it.
 */
export interface SessionTables extends AccountsTables {
  gw_sessions: {
    id_hash: string
    token_id: string
    created_at: Date
    expires_at: Date
  }
}

export interface OpenedSession {
  /** The cookie's value: shown once, stored only as its hash. */
  id: string
  csrfToken: string
  expiresAt: Date
}

export interface LiveSession {
  caller: Caller
  csrfToken: string
  expiresAt: Date
}

/** A session id as we make them: 32 random bytes, base64url. Anything else is refused before a lookup. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/

export const isSessionId = (value: string) => SESSION_ID.test(value)

/**
 * The CSRF token of a session, derived from its id: the page reads it from `POST /session` or
 * `GET /session` and sends it back in `x-taskforge-csrf`, which a cross-site form cannot set. It is
 * never stored, and tells nothing of the id.
 */
export function csrfTokenOf(sessionId: string): string {
  return createHash('sha256').update(`taskforge-csrf\0${sessionId}`, 'utf8').digest('base64url')
}

export interface SessionOptions {
  /** How long a session lives from sign-in. */
  ttlMs: number
  /** Sessions one token may hold at once; opening one more ends the oldest. */
  maxPerToken: number
  now?: () => Date
}

export class Sessions {
  readonly #db: Kysely<SessionTables>
  readonly #options: SessionOptions
  readonly #now: () => Date

  constructor(db: Kysely<SessionTables>, options: SessionOptions) {
    this.#db = db
    this.#options = options
    this.#now = options.now ?? (() => new Date())
  }

  /** Creates the table (idempotent), after the accounts projection created `gw_tokens`. */
  async setup(db: Db): Promise<void> {
    await sql`
      CREATE TABLE IF NOT EXISTS gw_sessions (
        id_hash text PRIMARY KEY,
        token_id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`.execute(db)
    await sql`CREATE INDEX IF NOT EXISTS gw_sessions_token ON gw_sessions (token_id, created_at)`.execute(db)
    await sql`CREATE INDEX IF NOT EXISTS gw_sessions_expiry ON gw_sessions (expires_at)`.execute(db)
  }

  /** Opens a session for a token's caller; past the bound per token, its oldest sessions end. */
  async open(caller: Caller): Promise<OpenedSession> {
    if (caller.tokenId === undefined) throw new Error('only an integration token opens a session')
    const tokenId = caller.tokenId
    const id = randomBytes(32).toString('base64url')
    const now = this.#now()
    const expiresAt = new Date(now.getTime() + this.#options.ttlMs)
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('gw_sessions').where('expires_at', '<=', now).execute()
      await trx
        .insertInto('gw_sessions')
        .values({ id_hash: hashToken(id), token_id: tokenId, created_at: now, expires_at: expiresAt })
        .execute()
      const keep = trx
        .selectFrom('gw_sessions')
        .select('id_hash')
        .where('token_id', '=', tokenId)
        .orderBy('created_at', 'desc')
        .orderBy('id_hash')
        .limit(this.#options.maxPerToken)
      await trx
        .deleteFrom('gw_sessions')
        .where('token_id', '=', tokenId)
        .where('id_hash', 'not in', keep)
        .execute()
    })
    return { id, csrfToken: csrfTokenOf(id), expiresAt }
  }

  /** The live session behind a cookie value: undefined when unknown, expired, signed out or its token revoked. */
  async find(id: string): Promise<LiveSession | undefined> {
    if (!isSessionId(id)) return undefined
    const row = await this.#db
      .selectFrom('gw_sessions')
      .innerJoin('gw_tokens', 'gw_tokens.id', 'gw_sessions.token_id')
      .select([
        'gw_tokens.id as token_id',
        'gw_tokens.customer',
        'gw_tokens.name',
        'gw_tokens.role',
        'gw_tokens.tags',
        'gw_sessions.expires_at',
      ])
      .where('gw_sessions.id_hash', '=', hashToken(id))
      .where('gw_sessions.expires_at', '>', this.#now())
      .where('gw_tokens.revoked', '=', false)
      .executeTakeFirst()
    if (row === undefined || !isRole(row.role)) return undefined
    return {
      caller: {
        kind: 'token',
        customer: row.customer,
        role: row.role,
        name: row.name,
        tokenId: row.token_id,
        tags: row.tags,
      },
      csrfToken: csrfTokenOf(id),
      expiresAt: row.expires_at,
    }
  }

  /** Ends a session for good (sign-out). */
  async close(id: string): Promise<void> {
    if (!isSessionId(id)) return
    await this.#db.deleteFrom('gw_sessions').where('id_hash', '=', hashToken(id)).execute()
  }

  /** How many live sessions a token holds (for tests and the bound). */
  async count(tokenId: string): Promise<number> {
    const row = await this.#db
      .selectFrom('gw_sessions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('token_id', '=', tokenId)
      .where('expires_at', '>', this.#now())
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }
}
