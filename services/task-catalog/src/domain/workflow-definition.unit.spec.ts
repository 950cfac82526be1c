import { isAppError, Limits } from '@taskforge/core'
import type { WorkflowDefinition, WorkflowNode } from '@taskforge/proto/catalog/v1/model'
import { describe, expect, it } from 'vitest'
import {
  changedWorkflowFields,
  DEFAULT_EXPIRES_IN_SECONDS,
  type KnownTask,
  taskIdsOf,
  validateWorkflowDefinition,
} from './workflow-definition.js'

const build = 'task-build'
const deploy = 'task-deploy'
/** Tasks that take ten optional arguments. */
const optional = { arguments: Array.from({ length: 10 }, (_, i) => ({ label: `a${i}`, required: false })) }
const known = new Map([
  [build, optional],
  [deploy, optional],
])

const taskNode = (key: string, taskId = build, more: Partial<WorkflowNode> = {}): WorkflowNode => ({
  key,
  step: { $case: 'taskId', value: taskId },
  arguments: [],
  timeout: 0,
  retry: undefined,
  join: '',
  ...more,
})
const edge = (from: string, to: string, on = 'success') => ({ from, to, on })

/** A -> {B, C} -> D: the diamond every workflow rule is tried on. */
const diamond = (): Partial<WorkflowDefinition> => ({
  name: 'release',
  nodes: [taskNode('a'), taskNode('b', deploy), taskNode('c'), taskNode('d', deploy, { join: 'all' })],
  edges: [edge('a', 'b'), edge('a', 'c'), edge('b', 'd'), edge('c', 'd', 'always')],
  start: 'a',
})

/** What the validator throws: code, message and details. */
function failure(definition: Partial<WorkflowDefinition>, tasks: ReadonlyMap<string, KnownTask> = known) {
  try {
    validateWorkflowDefinition(definition, tasks)
  } catch (error) {
    if (!isAppError(error)) throw error
    return {
      code: error.code,
      status: error.httpStatus,
      message: error.message,
      details: error.details ?? {},
    }
  }
  throw new Error('the definition was accepted')
}

const problemsOf = (definition: Partial<WorkflowDefinition>, tasks?: ReadonlyMap<string, KnownTask>) =>
  failure(definition, tasks).details.problems as {
    field: string
    node?: string
    edge?: number
    message: string
  }[]

describe('workflow definition', () => {
  it('accepts a diamond and fills the defaults', () => {
    const valid = validateWorkflowDefinition(diamond(), known)
    expect(valid.nodes.map((node) => node.join)).toEqual(['all', 'all', 'all', 'all'])
    expect(valid.nodes[0]?.retry).toEqual({ max: 0, backoff: 0 })
    expect(valid.edges[3]).toEqual({ from: 'c', to: 'd', on: 'always' })
    expect(valid.multitasking).toBe(true)
  })

  it('defaults an approval to one approval and 72 hours, and an edge to on success', () => {
    const valid = validateWorkflowDefinition(
      {
        ...diamond(),
        nodes: [
          ...(diamond().nodes ?? []),
          {
            ...taskNode('ok'),
            step: { $case: 'approval', value: { approvers: ['ops'], required: 0, expiresIn: 0 } },
          },
        ],
        edges: [...(diamond().edges ?? []), { from: 'd', to: 'ok', on: '' }],
      },
      known,
    )
    expect(valid.nodes[4]?.step).toEqual({
      $case: 'approval',
      value: { approvers: ['ops'], required: 1, expiresIn: DEFAULT_EXPIRES_IN_SECONDS },
    })
    expect(valid.edges[4]?.on).toBe('success')
  })

  it('refuses a cycle, naming its nodes', () => {
    const { code, status, message, details } = failure({
      ...diamond(),
      edges: [...(diamond().edges ?? []), edge('d', 'b')],
    })
    expect({ code, status }).toEqual({ code: 'VALIDATION_FAILED', status: 422 })
    expect(message).toBe('the edges make a cycle: b -> d -> b')
    expect(details).toMatchObject({ field: 'edges', node: 'b' })
  })

  it('refuses a self-loop as a cycle', () => {
    expect(
      failure({ ...diamond(), edges: [...(diamond().edges ?? []), edge('c', 'c', 'failure')] }).message,
    ).toBe('the edges make a cycle: c -> c')
  })

  it('refuses a node the start does not reach, naming it', () => {
    const definition = { ...diamond(), nodes: [...(diamond().nodes ?? []), taskNode('orphan')] }
    expect(failure(definition).details).toMatchObject({ field: 'nodes[4]', node: 'orphan' })
    expect(failure(definition).message).toBe('node orphan cannot be reached from the start node a')
  })

  it('refuses edges whose ends name no node, naming the edge', () => {
    const problems = problemsOf({
      ...diamond(),
      edges: [...(diamond().edges ?? []), edge('d', 'nowhere'), edge('ghost', 'a')],
    })
    expect(problems).toEqual([
      { field: 'edges[4].to', edge: 4, message: 'edge 4 (d -> nowhere): to names no node: "nowhere"' },
      { field: 'edges[5].from', edge: 5, message: 'edge 5 (ghost -> a): from names no node: "ghost"' },
    ])
  })

  it('refuses a task that is not in the organization, naming the node', () => {
    const problems = problemsOf(diamond(), new Map([[build, optional]]))
    expect(problems.map((p) => p.node)).toEqual(['b', 'd'])
    expect(problems[0]).toEqual({
      field: 'nodes[1].task',
      node: 'b',
      message: 'node b: task "task-deploy" is not a task of this organization',
    })
  })

  it('refuses duplicate keys, bad keys, and a missing or unknown start', () => {
    const nodes = diamond().nodes ?? []
    expect(problemsOf({ ...diamond(), nodes: [...nodes, taskNode('a')] })[0]).toMatchObject({
      field: 'nodes[4].key',
      node: 'a',
      message: 'node key a is used more than once',
    })
    expect(problemsOf({ ...diamond(), nodes: [...nodes, taskNode('has space')] })[0]?.field).toBe(
      'nodes[4].key',
    )
    expect(problemsOf({ ...diamond(), start: '' })[0]).toMatchObject({ field: 'start' })
    expect(problemsOf({ ...diamond(), start: 'z' })[0]).toMatchObject({ field: 'start', node: 'z' })
    expect(problemsOf({ name: 'empty', nodes: [], edges: [], start: '' }).map((p) => p.field)).toEqual([
      'nodes',
      'start',
    ])
  })

  it('refuses bad on values: malformed, expired from a task, custom from a step, and repeated edges', () => {
    const approval = {
      ...taskNode('gate'),
      step: { $case: 'approval' as const, value: { approvers: ['admin'], required: 1, expiresIn: 60 } },
    }
    const base = diamond()
    const definition = {
      ...base,
      nodes: [...(base.nodes ?? []), approval],
      edges: [
        ...(base.edges ?? []),
        edge('d', 'gate'),
        edge('a', 'b', 'bad event!'),
        edge('a', 'c', 'expired'),
        edge('gate', 'd', 'deployed'),
        edge('a', 'b'),
      ],
    }
    const problems = problemsOf(definition)
    expect(problems.map((p) => [p.field, p.edge])).toEqual([
      ['edges[5].on', 5],
      ['edges[6].on', 6],
      ['edges[7].on', 7],
      ['edges[8]', 8],
      ['edges', undefined],
    ])
    expect(problems[1]?.message).toMatch(/only approval and input steps end expired/)
    expect(problems[2]?.message).toMatch(/gate is an approval step, which ends success, failure or expired/)
  })

  it('takes custom event names from task nodes and expired from steps', () => {
    const input = {
      ...taskNode('ask'),
      step: {
        $case: 'input' as const,
        value: {
          form: [{ order: 0, type: 'input', label: 'version', value: '', required: true, options: [] }],
          approvers: [],
          expiresIn: 0,
        },
      },
    }
    const valid = validateWorkflowDefinition(
      {
        name: 'w',
        start: 'ask',
        nodes: [
          input,
          taskNode('build', build, {
            arguments: [
              {
                source: {
                  $case: 'from',
                  value: { node: 'ask', output: { $case: 'name', value: 'version' } },
                },
              },
              { source: { $case: 'from', value: { node: '$run', output: { $case: 'index', value: 0 } } } },
              { source: { $case: 'value', value: 'fixed' } },
            ],
          }),
          taskNode('late'),
          taskNode('notify'),
        ],
        edges: [
          edge('ask', 'build'),
          edge('ask', 'late', 'expired'),
          edge('build', 'notify', 'tests.failed'),
        ],
      },
      known,
    )
    expect(valid.edges.map((e) => e.on)).toEqual(['success', 'expired', 'tests.failed'])
  })

  it('refuses argument mappings from a node that does not run before, or a name that is no form field', () => {
    const base = diamond()
    const nodes = (base.nodes ?? []).map((node) =>
      node.key === 'b'
        ? {
            ...node,
            arguments: [
              {
                source: {
                  $case: 'from' as const,
                  value: { node: 'c', output: { $case: 'index' as const, value: 0 } },
                },
              },
              {
                source: {
                  $case: 'from' as const,
                  value: { node: 'a', output: { $case: 'name' as const, value: 'x' } },
                },
              },
              {
                source: {
                  $case: 'from' as const,
                  value: { node: '$run', output: { $case: 'name' as const, value: 'x' } },
                },
              },
              {
                source: {
                  $case: 'from' as const,
                  value: { node: 'a', output: { $case: 'index' as const, value: 3 } },
                },
              },
            ],
          }
        : node,
    )
    const problems = problemsOf({ ...base, nodes })
    expect(problems.map((p) => p.field)).toEqual([
      'nodes[1].arguments[0]',
      'nodes[1].arguments[1]',
      'nodes[1].arguments[2]',
    ])
    expect(problems[0]?.message).toBe(
      'node b: nodes[1].arguments[0] takes from "c", which is not a node that runs before it',
    )
  })

  it('gives a task no more arguments than it takes, and one for each it requires', () => {
    const strict = new Map([[build, { arguments: [{ label: 'version', required: true }] }]])
    const one = (args: WorkflowNode['arguments']) => ({
      name: 'w',
      start: 'a',
      nodes: [taskNode('a', build, { arguments: args })],
      edges: [],
    })
    const value = (v: string) => ({ source: { $case: 'value' as const, value: v } })
    expect(validateWorkflowDefinition(one([value('1.2')]), strict).nodes[0]?.arguments).toHaveLength(1)
    expect(problemsOf(one([value('1'), value('2')]), strict)).toEqual([
      {
        field: 'nodes[0].arguments',
        node: 'a',
        message: 'node a: its task takes 1 argument(s), the node gives 2',
      },
    ])
    expect(problemsOf(one([]), strict)).toEqual([
      {
        field: 'nodes[0].arguments[0]',
        node: 'a',
        message: 'node a: argument 0 (version) of its task is required',
      },
    ])
    expect(problemsOf(one([value('')]), strict)[0]?.field).toBe('nodes[0].arguments[0]')
  })

  it('refuses out-of-range numbers, naming the node', () => {
    const nodes = (diamond().nodes ?? []).map((node) =>
      node.key === 'c' ? { ...node, timeout: 90_000, retry: { max: 11, backoff: 1 }, join: 'some' } : node,
    )
    expect(problemsOf({ ...diamond(), nodes }).map((p) => [p.field, p.node])).toEqual([
      ['nodes[2].join', 'c'],
      ['nodes[2].timeout', 'c'],
      ['nodes[2].retry.max', 'c'],
    ])
  })

  it('holds nodes, edges, keys and the whole to their limits before walking the graph', () => {
    const many = Array.from({ length: Limits.workflowNodeCount.value + 1 }, (_, i) => taskNode(`n${i}`))
    expect(failure({ ...diamond(), nodes: many })).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { field: 'nodes' },
    })
    const edges = Array.from({ length: Limits.workflowEdgeCount.value + 1 }, () => edge('a', 'b'))
    expect(failure({ ...diamond(), edges })).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { field: 'edges' },
    })
    const longKey = 'k'.repeat(Limits.workflowNodeKey.value + 1)
    expect(failure({ ...diamond(), start: longKey })).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { field: 'start' },
    })
    const big = 'v'.repeat(Limits.taskArgument.value)
    const heavy = Array.from({ length: 9 }, (_, i) =>
      taskNode(`h${i}`, build, { arguments: [{ source: { $case: 'value', value: big } }] }),
    )
    expect(failure({ ...diamond(), nodes: heavy })).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { field: 'workflow', limit: Limits.workflowDefinition.name },
    })
  })

  it("holds a node's fixed arguments to a run's total, so that what is accepted runs", () => {
    const value = 'v'.repeat(Limits.taskArgument.value)
    const node = taskNode('a', build, {
      arguments: Array.from({ length: 5 }, () => ({ source: { $case: 'value' as const, value } })),
    })
    expect(failure({ name: 'w', start: 'a', nodes: [node], edges: [] })).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { field: 'nodes[0].arguments', limit: Limits.taskArguments.name },
    })
  })

  it('lists at most 20 problems and counts the rest', () => {
    const nodes = Array.from({ length: 30 }, (_, i) => taskNode(`n${i}`, 'missing'))
    const { message, details } = failure({ name: 'w', start: 'n0', nodes, edges: [] })
    expect(details.problems).toHaveLength(20)
    expect(details.more_problems).toBe(39)
    expect(message).toMatch(/\(and 58 more: see details.problems\)$/)
  })

  it('names the tasks a definition runs, and the fields a save changes', () => {
    expect(taskIdsOf(validateWorkflowDefinition(diamond(), known))).toEqual([build, deploy])
    const before = validateWorkflowDefinition(diamond(), known)
    const after = validateWorkflowDefinition(
      { ...diamond(), description: 'new', edges: (diamond().edges ?? []).slice().reverse() },
      known,
    )
    expect(changedWorkflowFields(before, after)).toEqual(['description', 'edges'])
  })
})
