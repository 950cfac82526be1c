import { fold } from '@taskforge/core'
import { describe, expect, it } from 'vitest'
import {
  type CreateSubscription,
  type SubscriptionCommand,
  type SubscriptionDomainEvent,
  subscriptionDecider,
} from './subscription-decider.js'

const create: CreateSubscription = {
  type: 'Create',
  subscriptionId: 'sub-1',
  customer: 'acme',
  url: 'https://hooks.example.com/in',
  events: ['task.*'],
  description: 'ci',
  token: 'tok',
  secret: 'whsec_abc',
}

function given(events: SubscriptionDomainEvent[]) {
  const state = fold(subscriptionDecider, events)
  return (command: SubscriptionCommand) => subscriptionDecider.decide(command, state)
}
const created = subscriptionDecider.decide(create, subscriptionDecider.initialState())

describe('subscription decider', () => {
  it('creates a subscription with its URL normalized and its filter checked', () => {
    expect(created).toEqual([
      {
        $case: 'created',
        value: {
          subscriptionId: 'sub-1',
          customer: 'acme',
          url: 'https://hooks.example.com/in',
          events: ['task.*'],
          description: 'ci',
          token: 'tok',
          secret: 'whsec_abc',
        },
      },
    ])
    expect(() => given(created)(create)).toThrow(/already exists/)
    expect(() => given([])({ ...create, url: 'gopher://x' })).toThrow(/http or https/)
    expect(() => given([])({ ...create, events: ['task.created'] })).toThrow(/not an event/)
    expect(() => given([])({ ...create, description: 'x'.repeat(1001) })).toThrow(/description/)
  })

  it('records only what an update changes, and nothing when nothing changes', () => {
    const decide = given(created)
    expect(
      decide({ type: 'Update', customer: 'acme', events: ['job.finish'], url: create.url, author: 'ops' }),
    ).toEqual([
      {
        $case: 'updated',
        value: {
          url: create.url,
          events: ['job.finish'],
          description: 'ci',
          changedFields: ['events'],
        },
      },
    ])
    expect(decide({ type: 'Update', customer: 'acme', description: 'ci', author: 'ops' })).toEqual([])
    expect(decide({ type: 'Update', customer: 'acme', events: [], author: 'ops' })[0]).toMatchObject({
      value: { events: [], changedFields: ['events'] },
    })
  })

  it('is invisible to another customer and after deletion', () => {
    expect(() => given(created)({ type: 'Delete', customer: 'other' })).toThrow(/not found/)
    const deleted = [...created, ...given(created)({ type: 'Delete', customer: 'acme' })]
    expect(deleted.at(-1)?.$case).toBe('deleted')
    expect(() =>
      given(deleted)({ type: 'Update', customer: 'acme', description: 'x', author: 'ops' }),
    ).toThrow(/not found/)
  })

  it('disables once with a reason, and enables again on request', () => {
    const disabled = given(created)({
      type: 'Disable',
      customer: 'acme',
      reason: 'the receiver answered 410 Gone',
    })
    expect(disabled).toEqual([{ $case: 'disabled', value: { reason: 'the receiver answered 410 Gone' } }])
    const history = [...created, ...disabled]
    expect(given(history)({ type: 'Disable', customer: 'acme', reason: 'again' })).toEqual([])
    expect(given(history)({ type: 'Update', customer: 'acme', enabled: true, author: 'ops' })).toEqual([
      { $case: 'enabled', value: {} },
    ])
    expect(given(created)({ type: 'Update', customer: 'acme', enabled: false, author: 'ops' })).toEqual([
      { $case: 'disabled', value: { reason: 'disabled by ops' } },
    ])
  })

  it('rotates the secret, keeping the previous one for the overlap', () => {
    const now = new Date('2026-01-01T00:00:00Z')
    const rotated = given(created)({
      type: 'RotateSecret',
      customer: 'acme',
      secret: 'whsec_new',
      now,
      overlapMs: 86_400_000,
    })
    expect(rotated).toEqual([
      {
        $case: 'secretRotated',
        value: {
          secret: 'whsec_new',
          previousSecret: 'whsec_abc',
          previousSecretExpiresAt: new Date('2026-01-02T00:00:00Z'),
        },
      },
    ])
    expect(fold(subscriptionDecider, [...created, ...rotated]).secret).toBe('whsec_new')
  })
})
