import { describe, expect, it } from 'vitest'
import { argumentsOf, definitionsOf, fieldsOf, problemOf } from './run-form.js'

const task = [
  { order: 2, type: 'json', label: 'payload' },
  { order: 0, type: 'fixed', label: 'flag', value: '-v' },
  { order: 1, type: 'select', label: 'env', options: ['dev', 'prod'], required: true },
  { order: 3, type: 'input', label: 'note', value: 'none' },
]

describe('run form', () => {
  it('orders the fields as a run consumes them and shows fixed values', () => {
    const fields = fieldsOf(definitionsOf(task))
    expect(fields.map((f) => [f.definition.label, f.fixed, f.value])).toEqual([
      ['flag', true, '-v'],
      ['env', false, 'dev'],
      ['payload', false, ''],
      ['note', false, 'none'],
    ])
    expect(argumentsOf(fields)).toEqual(['dev', '', 'none'])
  })

  it("pre-fills 'run again' from a job's argv, fixed values included", () => {
    const fields = fieldsOf(definitionsOf(task), ['-v', 'prod', '{"a":1}', 'hello'])
    expect(argumentsOf(fields)).toEqual(['prod', '{"a":1}', 'hello'])
  })

  it('refuses what the scheduler would refuse before sending', () => {
    const [, env, payload] = fieldsOf(definitionsOf(task))
    expect(problemOf({ ...payload!, value: '{nope' })).toMatch(/payload is not valid JSON/)
    expect(problemOf({ ...payload!, value: '[1]' })).toBeUndefined()
    expect(problemOf({ ...env!, value: '' })).toBe('env is required')
    expect(problemOf({ ...env!, value: 'staging' })).toBe('env must be one of dev, prod')
  })
})
