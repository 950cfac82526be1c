import { isAppError, Limits } from '@taskforge/core'
import { describe, expect, it } from 'vitest'
import { workflowFromBody } from './workflow-input.js'

function failure(fn: () => unknown) {
  try {
    fn()
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message, details: error.details }
    throw error
  }
  throw new Error('accepted')
}

describe('workflow body', () => {
  it('maps each step, each argument source and the edges to the catalog definition', () => {
    const definition = workflowFromBody({
      name: 'release',
      nodes: [
        { key: 'ask', input: { form: [{ type: 'input', label: 'version' }], expires_in: 60 } },
        {
          key: 'build',
          task: 't1',
          arguments: [
            'fixed',
            3,
            null,
            { from: 'ask', output: 'version' },
            { from: '$run', output: 0 },
            { from: 'x' },
          ],
          retry: { max: 2 },
        },
        { key: 'ok', approval: { approvers: ['ops'], required: 2 } },
      ],
      edges: [{ from: 'ask', to: 'build' }],
      start: 'ask',
      env: '{"A":"1"}',
    })
    expect(definition.nodes.map((node) => node.step?.$case)).toEqual(['input', 'taskId', 'approval'])
    expect(definition.nodes[0]?.step).toEqual({
      $case: 'input',
      value: {
        form: [{ order: 0, type: 'input', label: 'version', value: '', required: false, options: [] }],
        approvers: [],
        expiresIn: 60,
      },
    })
    expect(definition.nodes[1]?.arguments.map((argument) => argument.source)).toEqual([
      { $case: 'value', value: 'fixed' },
      { $case: 'value', value: '3' },
      { $case: 'value', value: '' },
      { $case: 'from', value: { node: 'ask', output: { $case: 'name', value: 'version' } } },
      { $case: 'from', value: { node: '$run', output: { $case: 'index', value: 0 } } },
      // No output: the catalog names the problem.
      { $case: 'from', value: { node: 'x', output: undefined } },
    ])
    expect(definition.nodes[1]?.retry).toEqual({ max: 2, backoff: 0 })
    expect(definition.edges).toEqual([{ from: 'ask', to: 'build', on: '' }])
    expect(definition.env).toEqual({ A: '1' })
    expect(definition.multitasking).toBe(true)
  })

  it('refuses a node with no step or two, naming it', () => {
    expect(failure(() => workflowFromBody({ nodes: [{ key: 'a' }] }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'node a: give exactly one of task, approval and input',
      details: { field: 'nodes[0]', node: 'a' },
    })
    expect(failure(() => workflowFromBody({ nodes: [{ key: 'b', task: 't', input: {} }] })).message).toBe(
      'node b: give exactly one of task, approval and input, not task and input',
    )
  })

  it('holds the whole definition to its size as the catalog will store it', () => {
    const value = 'v'.repeat(Limits.taskArgument.value)
    const nodes = Array.from({ length: 3 }, (_, i) => ({
      key: `n${i}`,
      task: 't',
      arguments: [value, value, value],
    }))
    expect(failure(() => workflowFromBody({ name: 'big', nodes, start: 'n0' }))).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { field: 'workflow', limit: Limits.workflowDefinition.name },
    })
  })
})
