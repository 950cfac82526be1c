import { Limits } from '@taskforge/core'
import { deciderSpec } from '@taskforge/testkit/decider-spec'
import { describe, expect, it } from 'vitest'
import { type ScriptDomainEvent, scriptDecider } from './script-decider.js'

const MAX_SCRIPT_BYTES = Limits.scriptContent.value

const spec = deciderSpec(scriptDecider)
const scriptId = '01900000-0000-7000-8000-000000000001'
const customer = 'acme'
const content = Buffer.from('#!/bin/sh\necho hi\n')

const created: ScriptDomainEvent = {
  $case: 'created',
  value: { scriptId, customer, filename: 'hello.sh', description: 'says hi', content },
}
const create = {
  type: 'createScript' as const,
  scriptId,
  customer,
  filename: 'hello.sh',
  description: 'says hi',
  content,
}

describe('script decider', () => {
  describe('create', () => {
    it('records the script with a trimmed filename', () => {
      spec([])
        .when({ ...create, filename: '  hello.sh ' })
        .then([created])
    })
    it('accepts content of exactly the script size limit', () => {
      const [event] = scriptDecider.decide(
        { ...create, content: Buffer.alloc(MAX_SCRIPT_BYTES) },
        scriptDecider.initialState(),
      )
      expect(event?.$case === 'created' && event.value.content.byteLength).toBe(MAX_SCRIPT_BYTES)
    })
    it('requires a filename', () => {
      spec([])
        .when({ ...create, filename: '  ' })
        .thenFails('VALIDATION_FAILED', { field: 'filename' })
    })
    it('refuses a filename with a slash', () => {
      spec([])
        .when({ ...create, filename: '../etc/passwd' })
        .thenFails('VALIDATION_FAILED', { field: 'filename' })
    })
    it('refuses a filename with NUL', () => {
      spec([])
        .when({ ...create, filename: 'a\0b.sh' })
        .thenFails('VALIDATION_FAILED', { field: 'filename' })
    })
    it('refuses content one byte over the script size limit, and a filename over its limit in bytes', () => {
      spec([])
        .when({ ...create, content: new Uint8Array(MAX_SCRIPT_BYTES + 1) })
        .thenFails('LIMIT_EXCEEDED', { field: 'content', limit: 'script size' })
      spec([])
        .when({ ...create, filename: `${'é'.repeat(127)}.s` })
        .thenFails('LIMIT_EXCEEDED', { field: 'filename' })
    })
    it('refuses to create twice', () => {
      spec([created]).when(create).thenFails('CONFLICT')
    })
  })

  describe('update', () => {
    const update = { type: 'updateScript' as const, scriptId, customer }
    it('records only what changed', () => {
      spec([created])
        .when({ ...update, filename: 'hello.sh', description: 'greets', content })
        .then([
          { $case: 'updated', value: { filename: undefined, description: 'greets', content: undefined } },
        ])
    })
    it('records nothing when nothing changed', () => {
      spec([created])
        .when({ ...update, filename: 'hello.sh', content: Buffer.from(content) })
        .then([])
    })
    it('validates a new filename', () => {
      spec([created])
        .when({ ...update, filename: 'a/b' })
        .thenFails('VALIDATION_FAILED', { field: 'filename' })
    })
    it('answers NOT_FOUND for another customer', () => {
      spec([created])
        .when({ ...update, customer: 'other', description: 'x' })
        .thenFails('NOT_FOUND')
    })
    it('answers NOT_FOUND for a missing script', () => {
      spec([])
        .when({ ...update, description: 'x' })
        .thenFails('NOT_FOUND')
    })
  })

  describe('delete', () => {
    const remove = { type: 'deleteScript' as const, scriptId, customer }
    it('records the deletion', () => {
      spec([created])
        .when(remove)
        .then([{ $case: 'deleted', value: {} }])
    })
    it('answers NOT_FOUND once deleted', () => {
      spec([created, { $case: 'deleted', value: {} }])
        .when(remove)
        .thenFails('NOT_FOUND')
    })
    it('answers NOT_FOUND for another customer', () => {
      spec([created])
        .when({ ...remove, customer: 'other' })
        .thenFails('NOT_FOUND')
    })
  })
})
