import { describe, expect, it } from 'vitest'
import { definitionFromBody, MASK, secretEnvOf } from './task-input.js'

const base = { name: 'n', host_id: 'h', script_id: 's' }

describe('secret_env of a task body', () => {
  it('sets a value, removes with null, keeps with the mask; names not given are left alone', () => {
    expect(secretEnvOf({ secret_env: { A: 'hunter22', B: null, C: MASK } })).toEqual({
      A: { change: { $case: 'value', value: 'hunter22' } },
      B: { change: { $case: 'remove', value: true } },
      C: { change: { $case: 'keep', value: true } },
    })
    expect(secretEnvOf({})).toEqual({})
  })

  it('refuses what is not a variable name, or not a value', () => {
    expect(() => secretEnvOf({ secret_env: { 'not a name': 'x' } })).toThrow(/not a valid variable name/)
    expect(() => secretEnvOf({ secret_env: { A: 7 as unknown as string } })).toThrow(/must be a string/)
    expect(() => secretEnvOf({ secret_env: ['A'] as unknown as Record<string, string> })).toThrow(/object/)
  })

  it('counts the values it sets with env against the env limits, and never puts them in the definition', () => {
    const half = 'v'.repeat(64 * 1024)
    expect(definitionFromBody({ ...base, env: { A: half }, secret_env: { B: 'x' } }).secretEnv).toEqual({})
    expect(() => definitionFromBody({ ...base, env: { A: half }, secret_env: { B: `${half}x` } })).toThrow(
      /env total size|env value size/,
    )
  })
})
