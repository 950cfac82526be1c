import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { describe, expect, it } from 'vitest'
import type { TaskDomainEvent } from '../domain/task-decider.js'
import { decodeTaskEvent, encodeTaskEvent } from './task-codec.js'

describe('task event codec', () => {
  it('stores the oneof case as type and the TaskEvent as data, with the command context as metadata', () => {
    const event: TaskDomainEvent = {
      $case: 'updated',
      value: {
        definition: TaskDefinition.create({ name: 'backup', timeout: 30 }),
        changedFields: ['timeout'],
      },
    }
    const stored = encodeTaskEvent(event, { customer: 'acme', author: 'admin-token', correlationId: 'c-1' })
    expect(stored.type).toBe('updated')
    expect(stored.metadata).toEqual({ customer: 'acme', author: 'admin-token', correlationId: 'c-1' })
    expect(decodeTaskEvent({ eventId: 'e-1', data: stored.data })).toEqual(event)
  })

  it('refuses data without a known case', () => {
    expect(() => decodeTaskEvent({ eventId: 'e-2', data: new Uint8Array() })).toThrow(/e-2/)
  })
})
