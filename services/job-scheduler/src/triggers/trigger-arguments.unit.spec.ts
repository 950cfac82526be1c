import { describe, expect, it } from 'vitest'
import { triggeredArguments, valuesFromPayload } from './trigger-arguments.js'

describe('valuesFromPayload', () => {
  it('gives an array item by item: strings as they are, other values as JSON', () => {
    expect(valuesFromPayload('["a", 2, true, null, {"b": 1}, [3]]')).toEqual([
      'a',
      '2',
      'true',
      'null',
      '{"b":1}',
      '[3]',
    ])
  })

  it('gives an object as one JSON argument', () => {
    expect(valuesFromPayload('{"ref": "main", "commits": [1, 2]}')).toEqual([
      '{"ref":"main","commits":[1,2]}',
    ])
  })

  it('gives a scalar as itself, and no body as nothing', () => {
    expect(valuesFromPayload('"deploy"')).toEqual(['deploy'])
    expect(valuesFromPayload('42')).toEqual(['42'])
    expect(valuesFromPayload('null')).toEqual([])
    expect(valuesFromPayload('')).toEqual([])
  })
})

describe('triggeredArguments', () => {
  it('passes every value of a task without argument definitions', () => {
    expect(triggeredArguments([], ['one', 'two'])).toEqual(['one', 'two'])
  })

  it('fills the task arguments in order, keeps fixed ones, and appends what is left', () => {
    const definitions = [
      { order: 0, type: 'fixed', label: '', value: '--verbose', required: false },
      { order: 1, type: 'input', label: 'host', value: '', required: true },
    ]
    expect(triggeredArguments(definitions, ['db1', 'extra'])).toEqual(['--verbose', 'db1', 'extra'])
  })

  it('gives defaults when the values run out, and refuses a missing required one', () => {
    const definitions = [
      { order: 0, type: 'input', label: 'env', value: 'staging', required: false },
      { order: 1, type: 'input', label: 'host', value: '', required: true },
    ]
    expect(() => triggeredArguments(definitions, [])).toThrow(/host/)
    expect(triggeredArguments(definitions.slice(0, 1), [])).toEqual(['staging'])
  })

  it('refuses a json argument that is not JSON', () => {
    expect(() =>
      triggeredArguments([{ order: 0, type: 'json', label: 'data', value: '', required: false }], ['{nope']),
    ).toThrow(/not valid JSON/)
  })
})
