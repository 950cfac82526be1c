import { Limits } from '@taskforge/core'
import { deciderSpec } from '@taskforge/testkit/decider-spec'
import { describe, expect, it } from 'vitest'
import { normalizePayload, type WebhookDomainEvent, webhookDecider } from './webhook-decider.js'

const spec = deciderSpec(webhookDecider)
const webhookId = '01900000-0000-7000-8000-0000000000w1'
const customer = 'acme'
const sealedSecret = Buffer.alloc(97, 1)
const created: WebhookDomainEvent = {
  $case: 'created',
  value: { webhookId, customer, name: 'deploys', secret: '', sealedSecret },
}
const firedAt = new Date('2025-01-01T00:00:00Z')
const fire = { type: 'fireWebhook' as const, webhookId, customer, fireId: 'fire-1', payloadJson: '', firedAt }

describe('webhook decider', () => {
  it('creates a webhook with a trimmed name and its secret', () => {
    spec([])
      .when({ type: 'createWebhook', webhookId, customer, name: '  deploys ', sealedSecret })
      .then([created])
  })

  it('refuses an empty name, no secret and an id taken', () => {
    spec([])
      .when({ type: 'createWebhook', webhookId, customer, name: ' ', sealedSecret })
      .thenFails('VALIDATION_FAILED', { field: 'name' })
    spec([])
      .when({ type: 'createWebhook', webhookId, customer, name: 'x', sealedSecret: Buffer.alloc(0) })
      .thenFails('VALIDATION_FAILED', { field: 'secret' })
    spec([created])
      .when({ type: 'createWebhook', webhookId, customer, name: 'x', sealedSecret })
      .thenFails('CONFLICT')
  })

  it('records a fire with its payload as canonical JSON, no body as null', () => {
    spec([created])
      .when({ ...fire, payloadJson: '{ "ref" : "main" }' })
      .then([{ $case: 'fired', value: { fireId: 'fire-1', payloadJson: '{"ref":"main"}', firedAt } }])
    spec([created])
      .when(fire)
      .then([{ $case: 'fired', value: { fireId: 'fire-1', payloadJson: 'null', firedAt } }])
  })

  it("answers another organization's, a deleted and an unknown webhook as missing", () => {
    spec([created])
      .when({ ...fire, customer: 'globex' })
      .thenFails('NOT_FOUND')
    spec([created, { $case: 'deleted', value: {} }])
      .when(fire)
      .thenFails('NOT_FOUND')
    spec([]).when({ type: 'deleteWebhook', webhookId, customer }).thenFails('NOT_FOUND')
  })

  it('deletes a webhook', () => {
    spec([created])
      .when({ type: 'deleteWebhook', webhookId, customer })
      .then([{ $case: 'deleted', value: {} }])
  })
})

describe('normalizePayload', () => {
  it('refuses what is not JSON, too large, or holds NUL', () => {
    expect(() => normalizePayload('{nope')).toThrow(/not JSON/)
    const limit = Limits.webhookPayload.value
    expect(normalizePayload(JSON.stringify('x'.repeat(limit - 2)))).toHaveLength(limit)
    expect(() => normalizePayload(JSON.stringify('x'.repeat(limit - 1)))).toThrow(
      `payload is ${limit + 1} bytes; the limit is ${limit} bytes (webhook payload size)`,
    )
    expect(() => normalizePayload('"a\\u0000b"')).toThrow(/NUL/)
    expect(normalizePayload('[1, "two"]')).toBe('[1,"two"]')
  })
})
