import { createLogger } from '@taskforge/telemetry'
import { describe, expect, it } from 'vitest'
import { PublisherBudgets, type PublisherDropReason } from './publisher-budget.js'

const publisherOf = (subject: string) => (subject.startsWith('reports.') ? subject.slice(8) : undefined)

function budgets(messages = { perSecond: 10, burst: 20 }, failures = { perSecond: 1, burst: 3 }) {
  const dropped: PublisherDropReason[] = []
  const logged: unknown[] = []
  const logger = createLogger('test', {}, { level: 'silent' })
  logger.warn = ((fields: unknown) => {
    logged.push(fields)
  }) as typeof logger.warn
  const under = new PublisherBudgets(
    { publisherOf, messages, failures, onDropped: (reason) => dropped.push(reason) },
    logger,
    { stream: 'REPORTS' },
  )
  return { under, dropped, logged }
}

describe('PublisherBudgets', () => {
  it('admits a publisher up to its burst, then at its rate, and drops the rest as "rate"', () => {
    const { under, dropped } = budgets()
    const admitted = Array.from({ length: 30 }, () => under.admit('reports.flooder', 0)).filter(Boolean)
    expect(admitted).toHaveLength(20)
    expect(dropped).toEqual(Array(10).fill('rate'))
    // A second later, ten more.
    expect(
      Array.from({ length: 15 }, () => under.admit('reports.flooder', 1_000)).filter(Boolean),
    ).toHaveLength(10)
  })

  it('keeps each publisher to its own budget: one flooding leaves another whole', () => {
    const { under } = budgets()
    for (let i = 0; i < 1_000; i++) under.admit('reports.flooder', 0)
    expect(Array.from({ length: 20 }, () => under.admit('reports.honest', 0)).every(Boolean)).toBe(true)
  })

  it('drops every message of a publisher out of failures until it earns a token back', () => {
    const { under, dropped } = budgets()
    for (let i = 0; i < 3; i++) {
      expect(under.admit('reports.forger', 0)).toBe(true)
      under.failed('reports.forger', 0)
    }
    expect(under.admit('reports.forger', 0)).toBe(false)
    expect(under.admit('reports.forger', 500)).toBe(false)
    expect(dropped).toEqual(['failures', 'failures'])
    expect(under.admit('reports.forger', 1_000)).toBe(true)
    expect(under.admit('reports.honest', 0)).toBe(true)
  })

  it('leaves messages of no publisher alone', () => {
    const { under, dropped } = budgets({ perSecond: 1, burst: 1 })
    for (let i = 0; i < 100; i++) {
      expect(under.admit('events.task.created', 0)).toBe(true)
      under.failed('events.task.created', 0)
    }
    expect(dropped).toEqual([])
  })

  it('logs a publisher’s drops at most once a minute, with how many', () => {
    const { under, logged } = budgets({ perSecond: 1, burst: 1 })
    for (let i = 0; i < 100; i++) under.admit('reports.flooder', 0)
    for (let i = 0; i < 100; i++) under.admit('reports.flooder', 30_000)
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatchObject({ publisher: 'flooder', reason: 'rate', dropped: 1 })
    under.admit('reports.flooder', 60_000)
    under.admit('reports.flooder', 60_000)
    expect(logged).toHaveLength(2)
    expect((logged[1] as { dropped: number }).dropped).toBeGreaterThan(100)
  })
})
