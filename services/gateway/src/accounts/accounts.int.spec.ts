import { createDb, EventStore, Projector } from '@taskforge/event-store'
import { testDatabase } from '@taskforge/testkit'
import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Accounts } from './accounts.js'
import { type AccountsTables, accountsProjection } from './accounts-projection.js'
import { hashToken } from './token-hash.js'

describe('organizations and tokens in the gateway store', () => {
  let db: Kysely<AccountsTables>
  let store: EventStore
  let projector: Projector
  let accounts: Accounts
  const stops: (() => Promise<void>)[] = []

  beforeAll(async () => {
    db = createDb(await testDatabase()) as Kysely<AccountsTables>
    store = new EventStore(db)
    await store.migrate()
    await accountsProjection.setup(db)
    projector = new Projector(store, [accountsProjection])
    await projector.start()
    accounts = new Accounts(store, projector, db)
    stops.push(await accounts.watchChanges())
  })

  afterAll(async () => {
    for (const stop of stops) await stop()
    await projector?.stop()
    await db?.destroy()
  })

  /** Every text the gateway ever stored: events, and the read tables. */
  const everythingStored = async () => {
    const events = await sql<{ data: Buffer }>`SELECT data FROM events`.execute(db)
    const tokens = await db.selectFrom('gw_tokens').selectAll().execute()
    return [
      ...events.rows.map((row) => Buffer.from(row.data).toString('latin1')),
      JSON.stringify(tokens),
    ].join('\n')
  }

  it('shows a token once and keeps only its hash', async () => {
    const created = await accounts.createCustomer('hashco', 'root')
    const issued = await accounts.issueToken('hashco', 'ci', 'user', 'admin', ['team:ops'])
    expect(issued).toMatchObject({ name: 'ci', role: 'user', token: expect.stringMatching(/^[0-9a-f]{64}$/) })
    const stored = await everythingStored()
    expect(stored).not.toContain(issued.token)
    expect(stored).not.toContain(created.admin_token)
    const row = await db
      .selectFrom('gw_tokens')
      .selectAll()
      .where('id', '=', issued.id)
      .executeTakeFirstOrThrow()
    expect(row.token_hash).toBe(hashToken(issued.token))
    expect(await accounts.listTokens('hashco')).toEqual(
      expect.arrayContaining([expect.not.objectContaining({ token: expect.anything() })]),
    )
    expect(await accounts.authenticate(issued.token)).toMatchObject({
      kind: 'token',
      customer: 'hashco',
      role: 'user',
      name: 'ci',
      tags: ['team:ops'],
    })
  })

  it('revokes a token for the very next request', async () => {
    await accounts.createCustomer('revokeco', 'root')
    const issued = await accounts.issueToken('revokeco', 'short-lived', 'admin', 'admin')
    expect(await accounts.authenticate(issued.token)).toBeDefined()
    await accounts.revokeToken('revokeco', issued.id, 'admin')
    expect(await accounts.authenticate(issued.token)).toBeUndefined()
    expect((await accounts.listTokens('revokeco')).map((t) => t.id)).not.toContain(issued.id)
  })

  it('revokes a token on another replica too, although it had it cached', async () => {
    const otherStore = new EventStore(db)
    const otherProjector = new Projector(otherStore, [accountsProjection])
    await otherProjector.start()
    stops.push(() => otherProjector.stop())
    const other = new Accounts(otherStore, otherProjector, db, { tokenCacheTtlMs: 600_000 })
    stops.push(await other.watchChanges())
    await accounts.createCustomer('replicaco', 'root')
    const issued = await accounts.issueToken('replicaco', 'elsewhere', 'viewer', 'admin')
    expect(await other.authenticate(issued.token)).toBeDefined()
    expect(await other.authenticate(issued.token)).toBeDefined()
    await accounts.revokeToken('replicaco', issued.id, 'admin')
    await vi.waitFor(async () => expect(await other.authenticate(issued.token)).toBeUndefined())
  })

  it("refuses to revoke another organization's token", async () => {
    await accounts.createCustomer('otherco', 'root')
    const issued = await accounts.issueToken('otherco', 'theirs', 'admin', 'admin')
    await expect(accounts.revokeToken('revokeco', issued.id, 'admin')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    expect(await accounts.authenticate(issued.token)).toBeDefined()
  })
})
