import { newId, newSecret, notFound } from '@taskforge/core'
import {
  APPENDED_CHANNEL,
  type EventMetadata,
  type EventStore,
  handleCommand,
  type Projector,
} from '@taskforge/event-store'
import { isRole, type Role } from '@taskforge/model'
import { CustomerEvent, TokenEvent } from '@taskforge/proto/accounts/v1/events'
import { currentTraceContext } from '@taskforge/telemetry'
import { type Kysely, sql } from 'kysely'
import type { AccountsTables } from './accounts-projection.js'
import { type CustomerEventCase, customerDecider } from './customer-decider.js'
import { TokenCache } from './token-cache.js'
import { type TokenEventCase, tokenDecider } from './token-decider.js'
import { hashToken } from './token-hash.js'

export interface Caller {
  kind: 'root' | 'token'
  customer?: string
  role: Role
  name: string
  tokenId?: string
  tags: string[]
}

export interface IssuedToken {
  id: string
  name: string
  role: Role
  token: string
}

export interface TokenView {
  id: string
  name: string
  role: string
  tags: string[]
  creation_date: string
}

function metadata(customer: string, author: string): EventMetadata {
  const trace = currentTraceContext()
  return {
    customer,
    author,
    ...(trace ? { traceparent: trace.traceparent, tracestate: trace.tracestate } : {}),
  }
}

const customerStream = (name: string) => `customer:${name.toLowerCase()}`

/** Organizations and integration tokens: commands on the gateway's event store, queries on its projection. */
export class Accounts {
  readonly #store: EventStore
  readonly #projector: Projector
  readonly #db: Kysely<AccountsTables>
  readonly #tokens: TokenCache

  constructor(
    store: EventStore,
    projector: Projector,
    db: Kysely<AccountsTables>,
    options: { tokenCacheTtlMs?: number } = {},
  ) {
    this.#store = store
    this.#projector = projector
    this.#db = db
    this.#tokens = new TokenCache(
      options.tokenCacheTtlMs === undefined ? {} : { ttlMs: options.tokenCacheTtlMs },
    )
  }

  /**
   * Forgets the cached callers whenever this store notifies a change (an append, or a revocation
   * now visible in the read model: see {@link revokeToken}), whichever replica made it, and after
   * the notification connection was lost and found again. Answers a function that stops it.
   */
  watchChanges(): Promise<() => Promise<void>> {
    return this.#store.onAppended(() => this.#tokens.clear())
  }

  /** Creates an organization and its first admin token, atomically. */
  async createCustomer(
    name: string,
    author: string,
  ): Promise<{ id: string; name: string; admin_token: string }> {
    const customerId = newId()
    const token = newSecret()
    const tokenId = newId()
    const appended = await this.#store.transaction(async (trx) => {
      const customer = await handleCommand(this.#store, {
        streamType: 'customer',
        streamId: customerStream(name),
        decider: customerDecider,
        command: { type: 'create', customerId, name },
        encode: (event: CustomerEventCase) => ({
          type: event.$case,
          data: CustomerEvent.encode({ event }).finish(),
          metadata: metadata(name, author),
        }),
        decode: (stored) => CustomerEvent.decode(stored.data).event!,
        trx,
      })
      const issued = await this.#issue(trx, {
        tokenId,
        customer: name,
        name: 'admin',
        role: 'admin',
        token,
        author,
      })
      return [...customer.appended, ...issued]
    })
    await this.#waitFor(appended)
    return { id: customerId, name, admin_token: token }
  }

  async issueToken(
    customer: string,
    name: string,
    role: string,
    author: string,
    tags: string[] = [],
  ): Promise<IssuedToken> {
    const tokenId = newId()
    const token = newSecret()
    const appended = await this.#store.transaction((trx) =>
      this.#issue(trx, { tokenId, customer, name, role, token, author, tags }),
    )
    await this.#waitFor(appended)
    return { id: tokenId, name: name.trim(), role: isRole(role) ? role : 'viewer', token }
  }

  async revokeToken(customer: string, tokenId: string, author: string): Promise<void> {
    const row = await this.#db
      .selectFrom('gw_tokens')
      .select('id')
      .where('id', '=', tokenId)
      .where('customer', '=', customer)
      .executeTakeFirst()
    if (!row) throw notFound('token', tokenId)
    const result = await handleCommand(this.#store, {
      streamType: 'token',
      streamId: tokenId,
      decider: tokenDecider,
      command: { type: 'revoke' },
      encode: (event: TokenEventCase) => ({
        type: event.$case,
        data: TokenEvent.encode({ event }).finish(),
        metadata: metadata(customer, author),
      }),
      decode: (stored) => TokenEvent.decode(stored.data).event!,
    })
    await this.#waitFor(result.appended)
    // The read model now shows the revocation: this replica forgets the token before answering,
    // and the others on this notification (the append's own one may reach them before their read
    // model changed, and a lookup then would have kept the token).
    this.#tokens.clear()
    await sql`SELECT pg_notify(${APPENDED_CHANNEL}, 'token')`.execute(this.#db)
  }

  async listTokens(customer: string): Promise<TokenView[]> {
    const rows = await this.#db
      .selectFrom('gw_tokens')
      .select(['id', 'name', 'role', 'tags', 'created_at'])
      .where('customer', '=', customer)
      .where('revoked', '=', false)
      .orderBy('created_at')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      tags: r.tags,
      creation_date: r.created_at.toISOString(),
    }))
  }

  async customerExists(name: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('gw_customers')
      .select('name')
      .where('name', '=', name)
      .executeTakeFirst()
    return row !== undefined
  }

  /**
   * The caller a token stands for, or undefined when it is unknown or revoked. Known tokens are
   * cached for a few seconds; a revocation clears the cache (see {@link watchChanges}).
   */
  async authenticate(token: string): Promise<Caller | undefined> {
    const tokenHash = hashToken(token)
    const cached = this.#tokens.get(tokenHash)
    if (cached !== undefined) return cached
    const generation = this.#tokens.generation
    const row = await this.#db
      .selectFrom('gw_tokens')
      .select(['id', 'customer', 'name', 'role', 'tags'])
      .where('token_hash', '=', tokenHash)
      .where('revoked', '=', false)
      .executeTakeFirst()
    if (!row || !isRole(row.role)) return undefined
    const caller: Caller = {
      kind: 'token',
      customer: row.customer,
      role: row.role,
      name: row.name,
      tokenId: row.id,
      tags: row.tags,
    }
    this.#tokens.set(tokenHash, caller, generation)
    return caller
  }

  async #issue(
    trx: Parameters<Parameters<EventStore['transaction']>[0]>[0],
    args: {
      tokenId: string
      customer: string
      name: string
      role: string
      token: string
      author: string
      tags?: string[]
    },
  ) {
    const result = await handleCommand(this.#store, {
      streamType: 'token',
      streamId: args.tokenId,
      decider: tokenDecider,
      command: {
        type: 'issue',
        tokenId: args.tokenId,
        customer: args.customer,
        name: args.name,
        role: args.role,
        tokenHash: hashToken(args.token),
        tags: args.tags ?? [],
      },
      encode: (event: TokenEventCase) => ({
        type: event.$case,
        data: TokenEvent.encode({ event }).finish(),
        metadata: metadata(args.customer, args.author),
      }),
      decode: (stored) => TokenEvent.decode(stored.data).event!,
      trx,
    })
    return result.appended
  }

  async #waitFor(appended: { transactionId: bigint; position: bigint }[]): Promise<void> {
    await this.#projector.waitForAppended(appended)
  }
}
