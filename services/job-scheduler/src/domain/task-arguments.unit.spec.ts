import { isAppError } from '@taskforge/core'
import { describe, expect, it } from 'vitest'
import { resolveTaskArguments } from './task-arguments.js'

const arg = (
  order: number,
  type: string,
  label: string,
  extra: { value?: string; required?: boolean } = {},
) => ({
  order,
  type,
  label,
  value: extra.value ?? '',
  required: extra.required ?? false,
})

function failure(fn: () => unknown) {
  try {
    fn()
  } catch (error) {
    if (isAppError(error)) return error
    throw error
  }
  throw new Error('expected a failure')
}

describe('resolveTaskArguments', () => {
  it('answers no arguments for a task without definitions', () => {
    expect(resolveTaskArguments([], [])).toEqual([])
  })
  it('sorts definitions by order, takes fixed values and consumes supplied ones in turn', () => {
    const defs = [
      arg(2, 'input', 'second'),
      arg(0, 'fixed', 'flag', { value: '-v' }),
      arg(1, 'input', 'first'),
    ]
    expect(resolveTaskArguments(defs, ['one', 'two'])).toEqual(['-v', 'one', 'two'])
  })
  it('uses the default of an optional argument that was not supplied', () => {
    expect(resolveTaskArguments([arg(0, 'select', 'mode', { value: 'fast' })], [])).toEqual(['fast'])
  })
  it('names a missing required argument', () => {
    const error = failure(() =>
      resolveTaskArguments(
        [arg(0, 'fixed', 'f', { value: 'x' }), arg(1, 'input', 'host', { required: true })],
        [],
      ),
    )
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.details).toMatchObject({ argument: 'task_arguments[0]', label: 'host' })
    expect(error.message).toContain('host')
  })
  it('treats an empty value of a required argument as missing', () => {
    const error = failure(() => resolveTaskArguments([arg(0, 'input', 'host', { required: true })], ['']))
    expect(error.details).toMatchObject({ argument: 'task_arguments[0]' })
  })
  it('refuses extra values', () => {
    const error = failure(() => resolveTaskArguments([arg(0, 'input', 'a')], ['1', '2']))
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.details).toMatchObject({ expected: 1, given: 2 })
  })
  it('refuses a json argument that does not parse and accepts one that does', () => {
    const defs = [arg(0, 'input', 'name'), arg(1, 'json', 'payload')]
    const error = failure(() => resolveTaskArguments(defs, ['x', '{not json']))
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.details).toMatchObject({ argument: 'task_arguments[1]', label: 'payload' })
    expect(resolveTaskArguments(defs, ['x', '{"a":1}'])).toEqual(['x', '{"a":1}'])
  })
})
