import { describe, expect, it } from 'vitest'
import { answersOf, inputFieldsOf, touchesInbox } from './inbox.js'

describe('inbox', () => {
  it("makes an input step's form into the run form's fields, in order, with defaults", () => {
    const fields = inputFieldsOf({
      form: [
        { order: 1, type: 'select', label: 'region', value: 'eu', options: ['eu', 'us'] },
        { order: 0, type: 'input', label: 'version', required: true },
      ],
    })
    expect(fields.map((field) => [field.definition.label, field.value])).toEqual([
      ['version', ''],
      ['region', 'eu'],
    ])
    expect(inputFieldsOf({}).length).toBe(0)
  })

  it('answers by label, leaving out fixed fields and empty ones (they take their default)', () => {
    const fields = inputFieldsOf({
      form: [
        { order: 0, type: 'input', label: 'version' },
        { order: 1, type: 'fixed', label: 'channel', value: 'stable' },
        { order: 2, type: 'input', label: 'note' },
      ],
    })
    fields[0]!.value = '1.2.3'
    expect(answersOf(fields)).toEqual({ version: '1.2.3' })
  })

  it('is read again on a step that starts waiting or ends, or a vote on a listed step only', () => {
    const listed = new Set(['job-1'])
    expect(
      touchesInbox({ name: 'workflow_run', data: { id: 'r', node: 'ask', node_state: 'waiting' } }, listed),
    ).toBe(true)
    expect(touchesInbox({ name: 'workflow_run', data: { id: 'r', state: 'success' } }, listed)).toBe(false)
    expect(touchesInbox({ name: 'job', data: { id: 'job-1' } }, listed)).toBe(true)
    expect(touchesInbox({ name: 'job', data: { id: 'job-2' } }, listed)).toBe(false)
    expect(touchesInbox({ name: 'task', data: { id: 'job-1' } }, listed)).toBe(false)
    expect(touchesInbox({ name: 'tick', data: {} }, listed)).toBe(true)
  })
})
