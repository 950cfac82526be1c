import { createDb } from '@taskforge/event-store'
import { testDatabase } from '@taskforge/testkit'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSubscriptionsTable, type SubscriptionTables } from '../projection/subscriptions-table.js'
import { CANDIDATES, CLAIM, DeliveryStore, RECORD } from './delivery-store.js'
import { createDeliveryTables, type RelayTables } from './delivery-tables.js'
import { PreparedStatements } from './prepared-statements.js'

describe('DeliveryStore', () => {
  let db: Kysely<RelayTables>
  let store: DeliveryStore
  let prepared: PreparedStatements

  const subscription = async (id: string, enabled = true, customer = 'acme') => {
    const now = new Date()
    await db
      .insertInto('subscriptions')
      .values({
        id,
        customer,
        url: 'http://127.0.0.1:9/hook',
        events: [],
        description: '',
        token: 't',
        secret: 'whsec_c2VjcmV0',
        previous_secret: '',
        previous_secret_expires_at: null,
        enabled,
        disabled_reason: '',
        version: 1,
        created_at: now,
        updated_at: now,
      })
      .execute()
  }
  const due = async (subscriptionId: string, count: number, customer = 'acme') => {
    const eventIds = Array.from({ length: count }, () => crypto.randomUUID())
    for (const eventId of eventIds) {
      await store.insert(db, {
        customer,
        eventId,
        eventName: 'task.create',
        payload: '{}',
        subscriptionIds: [subscriptionId],
      })
    }
    const rows = await db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('event_id', 'in', eventIds)
      .execute()
    return rows.map((row) => row.id)
  }
  const result = (outcome: 'success' | 'failure') => ({
    outcome,
    statusCode: outcome === 'success' ? 204 : 500,
    durationMs: 3,
    responseExcerpt: '',
    error: outcome === 'success' ? '' : 'HTTP 500',
    number: 1,
    startedAt: new Date(),
  })

  let url: string

  beforeAll(async () => {
    url = await testDatabase()
    db = createDb(url) as unknown as Kysely<RelayTables>
    prepared = new PreparedStatements(url)
    await createSubscriptionsTable(db as unknown as Kysely<SubscriptionTables>)
    await createDeliveryTables(db)
    store = new DeliveryStore(db, prepared)
  })
  afterAll(async () => {
    await prepared.close()
    await db.destroy()
  })

  it('claims due deliveries of enabled subscriptions with their subscription, and records many attempts at once', async () => {
    await subscription('s-on')
    await subscription('s-off', false)
    const ids = await due('s-on', 2)
    const [off] = await due('s-off', 1)
    const claimed = await store.claim([...ids, off!], 60_000)
    expect(claimed.map((entry) => entry.delivery.id).sort()).toEqual([...ids].sort())
    expect(claimed[0]!.subscription).toMatchObject({
      id: 's-on',
      url: 'http://127.0.0.1:9/hook',
      enabled: true,
    })
    expect(await store.claim(ids, 60_000)).toEqual([])

    const [won, lost] = claimed
    await store.record([
      { delivery: won!.delivery, attempt: result('success'), verdict: { status: 'succeeded' } },
      {
        delivery: lost!.delivery,
        attempt: result('failure'),
        verdict: { status: 'pending', delayMs: 5_000 },
      },
    ])
    const rows = await db
      .selectFrom('webhook_deliveries')
      .select(['id', 'status', 'attempt_count', 'claim_token', 'last_error'])
      .where('id', 'in', ids)
      .execute()
    expect(rows.find((row) => row.id === won!.delivery.id)).toMatchObject({
      status: 'succeeded',
      attempt_count: 1,
      claim_token: null,
    })
    expect(rows.find((row) => row.id === lost!.delivery.id)).toMatchObject({
      status: 'pending',
      attempt_count: 1,
      last_error: 'HTTP 500',
    })
    const attempts = await db
      .selectFrom('webhook_attempts')
      .select('delivery_id')
      .where('delivery_id', 'in', ids)
      .execute()
    expect(attempts).toHaveLength(2)
    expect(await store.lastSuccessAt('s-on')).toBeInstanceOf(Date)
  })

  it('takes organizations in turn, within their share, starting after the one served last', async () => {
    const mine = (candidates: { customer: string }[]) =>
      candidates.map((candidate) => candidate.customer).filter((customer) => customer.startsWith('rr-'))
    // rr-a's backlog is the oldest and the largest: it still gets one turn in each.
    await subscription('rr-a1', true, 'rr-a')
    await subscription('rr-a2', true, 'rr-a')
    await due('rr-a1', 3, 'rr-a')
    await due('rr-a2', 3, 'rr-a')
    await subscription('rr-b1', true, 'rr-b')
    await due('rr-b1', 2, 'rr-b')
    await subscription('rr-c1', true, 'rr-c')
    await due('rr-c1', 1, 'rr-c')
    const query = { limit: 100, perSubscription: 4, perOrganization: 3, skipOrganizations: [], after: '' }
    expect(mine(await store.candidates(query))).toEqual(['rr-a', 'rr-b', 'rr-c', 'rr-a', 'rr-b', 'rr-a'])
    expect(mine(await store.candidates({ ...query, after: 'rr-a' }))).toEqual([
      'rr-b',
      'rr-c',
      'rr-a',
      'rr-b',
      'rr-a',
      'rr-a',
    ])
    expect(mine(await store.candidates({ ...query, skipOrganizations: ['rr-a', 'rr-c'] }))).toEqual([
      'rr-b',
      'rr-b',
    ])
    await db.deleteFrom('webhook_deliveries').where('customer', 'like', 'rr-%').execute()
  })

  it('skips the attempt of a delivery deleted while it was in flight', async () => {
    await subscription('s-gone')
    const [id] = await due('s-gone', 1)
    const [taken] = await store.claim([id!], 60_000)
    await db.transaction().execute((trx) => store.deleteForSubscription(trx, 's-gone'))
    await store.record([
      { delivery: taken!.delivery, attempt: result('success'), verdict: { status: 'succeeded' } },
    ])
    const attempts = await db
      .selectFrom('webhook_attempts')
      .select('id')
      .where('subscription_id', '=', 's-gone')
      .execute()
    expect(attempts).toEqual([])
  })

  it('keeps the delivery of a worker whose lease ran out, but records its attempt', async () => {
    await subscription('s-lease')
    const [id] = await due('s-lease', 1)
    const [first] = await store.claim([id!], 0)
    const [second] = await store.claim([id!], 60_000)
    await store.record([
      { delivery: first!.delivery, attempt: result('success'), verdict: { status: 'succeeded' } },
    ])
    const row = await db
      .selectFrom('webhook_deliveries')
      .select(['status', 'claim_token'])
      .where('id', '=', id!)
      .executeTakeFirst()
    expect(row).toEqual({ status: 'pending', claim_token: second!.delivery.claim_token })
    const attempts = await db
      .selectFrom('webhook_attempts')
      .select('id')
      .where('delivery_id', '=', id!)
      .execute()
    expect(attempts).toHaveLength(1)
  })

  it('claims and locks what it records by primary key, not through the index of due deliveries, before any ANALYZE', async () => {
    // The tables are young (never analyzed), as in a relay that just started: the planner then
    // underrates the due backlog, and a statement it may serve from the partial index of due
    // deliveries read that whole index for each batch.
    await subscription('s-plan')
    const ids = await due('s-plan', 200)
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const plan = async (statement: { text: string }, values: unknown[], mode: string) => {
        await client.query('BEGIN')
        try {
          await client.query(`SET LOCAL plan_cache_mode = ${mode}`)
          const { rows } = await client.query<{ 'QUERY PLAN': string }>({
            name: `plan-${mode}-${statement.text.length}`,
            text: `EXPLAIN ${statement.text}`,
            values,
          })
          return rows.map((row) => row['QUERY PLAN']).join('\n')
        } finally {
          await client.query('ROLLBACK')
        }
      }
      const asked = ids.slice(0, 12)
      const none = asked.map(() => null)
      const recordValues = [
        asked,
        asked.map(() => crypto.randomUUID()),
        asked.map(() => 's-plan'),
        asked.map(() => 1),
        asked.map(() => new Date()),
        asked.map(() => 3),
        asked.map(() => 204),
        asked.map(() => ''),
        asked.map(() => ''),
        asked.map(() => 'success'),
        asked.map(() => 'succeeded'),
        none,
      ]
      for (const mode of ['force_generic_plan', 'force_custom_plan']) {
        // Each subscription's deliveries are read from its own range of an index, never by a scan.
        const candidates = await plan(CANDIDATES, [4, 64, [], 16, ''], mode)
        expect(candidates).toContain('Index Cond: (subscription_id = s.id)')
        expect(candidates).not.toContain('Seq Scan on webhook_deliveries')
        const claim = await plan(CLAIM, [asked, 60_000], mode)
        expect(claim).toContain('webhook_deliveries_pkey')
        expect(claim).not.toContain('webhook_deliveries_due_by_subscription')
        const record = await plan(RECORD, recordValues, mode)
        const locking = record.slice(record.indexOf('CTE locked'), record.indexOf('CTE attempts'))
        expect(locking).toContain('Index Scan using webhook_deliveries_pkey')
        expect(record).not.toContain('webhook_deliveries_due_by_subscription')
      }
    } finally {
      await client.end()
    }
  })
})
