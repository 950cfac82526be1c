import { isAppError } from '@taskforge/core'
import type { FinishedState } from '@taskforge/model'
import type {
  WorkflowArgument,
  WorkflowDefinition,
  WorkflowEdge,
  WorkflowNode,
} from '@taskforge/proto/catalog/v1/model'
import type { TriggerChain } from '@taskforge/proto/jobs/v1/events'
import { describe, expect, it } from 'vitest'
import {
  liveJobs,
  type NodeTaskFacts,
  nextRetryDue,
  nodeJobId,
  nodeOf,
  type RunDomainEvent,
  type WorkflowRunCommand,
  type WorkflowRunState,
  workflowRunDecider,
} from './workflow-run-decider.js'

const RUN = '0190a000-0000-7000-8000-0000000000aa'
const T0 = new Date('2026-01-01T00:00:00Z')
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000)

type NodeSpec = Partial<Omit<WorkflowNode, 'arguments'>> & {
  arguments?: (string | { from: string; output: number })[]
}

function node(key: string, spec: NodeSpec = {}): WorkflowNode {
  const { arguments: args = [], ...rest } = spec
  return {
    key,
    step: { $case: 'taskId', value: `task-${key}` },
    timeout: 0,
    retry: undefined,
    join: 'all',
    ...rest,
    arguments: args.map(
      (arg): WorkflowArgument =>
        typeof arg === 'string'
          ? { source: { $case: 'value', value: arg } }
          : {
              source: {
                $case: 'from',
                value: { node: arg.from, output: { $case: 'index', value: arg.output } },
              },
            },
    ),
  }
}

const edge = (from: string, to: string, on = 'success'): WorkflowEdge => ({ from, to, on })

function definition(nodes: WorkflowNode[], edges: WorkflowEdge[]): WorkflowDefinition {
  return {
    name: 'wf',
    description: '',
    nodes,
    edges,
    start: nodes[0]!.key,
    acls: [],
    env: {},
    triggers: [],
    graceTime: 0,
    multitasking: true,
  }
}

/** Every task takes as many optional inputs as its node gives (10 by default). */
function tasksOf(def: WorkflowDefinition, refused: Record<string, string> = {}): Map<string, NodeTaskFacts> {
  return new Map(
    def.nodes.map((n) => {
      const taskId = `task-${n.key}`
      const facts: NodeTaskFacts =
        refused[n.key] !== undefined
          ? { kind: 'refused', reason: refused[n.key]! }
          : {
              kind: 'ready',
              taskArguments: Array.from({ length: Math.max(n.arguments.length, 1) }, (_, order) => ({
                order,
                type: 'input',
                label: `a${order}`,
                value: '',
                required: false,
              })),
            }
      return [taskId, facts]
    }),
  )
}

/** A run of a definition, driven command by command; `events` holds every event so far. */
class Run {
  state: WorkflowRunState = workflowRunDecider.initialState()
  events: RunDomainEvent[] = []
  now = T0
  constructor(
    readonly def: WorkflowDefinition,
    readonly tasks: Map<string, NodeTaskFacts> = tasksOf(def),
  ) {}

  facts() {
    return { definition: this.def, tasks: this.tasks, now: this.now }
  }

  when(command: WorkflowRunCommand): RunDomainEvent[] {
    const events = workflowRunDecider.decide(command, this.state)
    this.state = events.reduce(workflowRunDecider.evolve, this.state)
    this.events.push(...events)
    return events
  }

  start(args: string[] = [], heldBehind?: string): RunDomainEvent[] {
    return this.when({
      type: 'StartRun',
      runId: RUN,
      customer: 'acme',
      workflowId: 'wf-1',
      version: 3,
      arguments: args,
      origin: 'api',
      author: 'alice',
      ...(heldBehind === undefined ? {} : { heldBehind }),
      ...this.facts(),
    })
  }

  /** A start by a trigger: held for a grace time, in a chain, or refused. */
  startTriggered(
    args: string[],
    more: { holdUntil?: Date; heldBehind?: string; refusal?: string; chain?: TriggerChain },
  ): RunDomainEvent[] {
    return this.when({
      type: 'StartRun',
      runId: RUN,
      customer: 'acme',
      workflowId: 'wf-1',
      version: 3,
      arguments: args,
      origin: 'trigger:webhook:hook-1',
      author: 'trigger',
      ...more,
      ...this.facts(),
    })
  }

  graceOver(): RunDomainEvent[] {
    return this.when({ type: 'AdvanceRun', ended: [], graceOver: true, ...this.facts() })
  }

  release(): RunDomainEvent[] {
    return this.when({ type: 'AdvanceRun', ended: [], release: true, ...this.facts() })
  }

  /** The live job of `key` ends with `outcome` and these output lines. */
  end(key: string, outcome: FinishedState, output: string[] = []): RunDomainEvent[] {
    const jobId = nodeOf(this.state, key).liveJob
    if (jobId === undefined) throw new Error(`node ${key} has no live job`)
    return this.when({
      type: 'AdvanceRun',
      ended: [{ jobId, outcome, output, lastLine: output.at(-1) ?? '', reason: '' }],
      ...this.facts(),
    })
  }

  advance(): RunDomainEvent[] {
    return this.when({ type: 'AdvanceRun', ended: [], ...this.facts() })
  }

  cancel(): RunDomainEvent[] {
    return this.when({ type: 'CancelRun', customer: 'acme', reason: 'stop', author: 'bob', ...this.facts() })
  }

  retry(): RunDomainEvent[] {
    return this.when({ type: 'RetryRun', customer: 'acme', author: 'bob', ...this.facts() })
  }

  nodeState(key: string) {
    return nodeOf(this.state, key).state
  }

  started(events: RunDomainEvent[] = this.events): string[] {
    return events.flatMap((event) => (event.$case === 'nodeStarted' ? [event.value.key] : []))
  }
}

/** A → {B, C} → D. */
const diamond = (d: NodeSpec = {}) =>
  definition(
    [node('a'), node('b'), node('c'), node('d', d)],
    [edge('a', 'b'), edge('a', 'c'), edge('b', 'd'), edge('c', 'd')],
  )

describe('workflowRunDecider: starting', () => {
  it('starts the start node only, with a job id derived from the run, the node and its count', () => {
    const run = new Run(diamond())
    const events = run.start()
    expect(events.map((event) => event.$case)).toEqual(['started', 'nodeStarted'])
    expect(events[1]).toMatchObject({ value: { key: 'a', attempt: 1, jobId: nodeJobId(RUN, 'a', 0) } })
    expect(nodeJobId(RUN, 'a', 0)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    expect(nodeJobId(RUN, 'a', 1)).not.toBe(nodeJobId(RUN, 'a', 0))
    expect(run.state).toMatchObject({ status: 'running', workflowId: 'wf-1', version: 3 })
  })

  it('records the version it started on: every later decision follows the definition it is given for it', () => {
    const run = new Run(diamond())
    run.start()
    expect(run.state.version).toBe(3)
  })

  it('a start decided again answers the run it created', () => {
    const run = new Run(diamond())
    run.start()
    expect(run.start()).toEqual([])
  })

  it('without the facts of a task, a decision is a draft: the node starts with no arguments', () => {
    const def = diamond()
    const run = new Run(def, new Map())
    const events = run.start()
    expect(events[1]).toMatchObject({ $case: 'nodeStarted', value: { key: 'a', arguments: [] } })
  })
})

describe('workflowRunDecider: edges and joins', () => {
  it('A → {B, C} → D runs D once, when both B and C ended', () => {
    const run = new Run(diamond())
    run.start()
    expect(run.started(run.end('a', 'success'))).toEqual(['b', 'c'])
    expect(run.started(run.end('b', 'success'))).toEqual([])
    expect(run.started(run.end('c', 'success'))).toEqual(['d'])
    const last = run.end('d', 'success')
    expect(last.at(-1)).toMatchObject({ $case: 'ended', value: { state: 'success' } })
    expect(run.started()).toEqual(['a', 'b', 'c', 'd'])
  })

  it('join any runs the node on the first taken edge, once', () => {
    const run = new Run(diamond({ join: 'any' }))
    run.start()
    run.end('a', 'success')
    expect(run.started(run.end('c', 'success'))).toEqual(['d'])
    expect(run.started(run.end('b', 'success'))).toEqual([])
    run.end('d', 'success')
    expect(run.state.status).toBe('success')
    expect(run.started().filter((key) => key === 'd')).toHaveLength(1)
  })

  it('join all runs the node when every incoming edge settled and one was taken', () => {
    const run = new Run(diamond())
    run.start()
    run.end('a', 'success')
    // b fails: its success edge into d is not taken, c's is.
    run.end('b', 'failure')
    expect(run.started(run.end('c', 'success'))).toEqual(['d'])
  })

  it('an edge not taken skips its target, transitively, so the joins after it complete', () => {
    const def = definition(
      [node('a'), node('b'), node('c'), node('h')],
      [edge('a', 'b'), edge('b', 'c'), edge('a', 'h', 'always'), edge('c', 'h', 'always')],
    )
    const run = new Run(def)
    run.start()
    const events = run.end('a', 'failure')
    expect(run.nodeState('b')).toBe('skipped')
    expect(run.nodeState('c')).toBe('skipped')
    // h waited for a and c: both edges settled, a's taken.
    expect(run.started(events)).toEqual(['h'])
  })

  it('a node whose incoming edges all settled untaken is skipped, whatever its join', () => {
    const run = new Run(diamond({ join: 'any' }))
    run.start()
    run.end('a', 'success')
    run.end('b', 'failure')
    run.end('c', 'failure')
    expect(run.nodeState('d')).toBe('skipped')
    expect(run.state.status).toBe('failure')
  })

  it('`failure` and `always` edges follow a failed node; `success` and `always` a succeeded one', () => {
    const def = definition(
      [node('a'), node('ok'), node('ko'), node('all')],
      [edge('a', 'ok', 'success'), edge('a', 'ko', 'failure'), edge('a', 'all', 'always')],
    )
    const failed = new Run(def)
    failed.start()
    expect(failed.started(failed.end('a', 'timeout'))).toEqual(['ko', 'all'])
    expect(failed.nodeState('ok')).toBe('skipped')
    const succeeded = new Run(def)
    succeeded.start()
    expect(succeeded.started(succeeded.end('a', 'success'))).toEqual(['ok', 'all'])
    expect(succeeded.nodeState('ko')).toBe('skipped')
  })

  it('a custom event named by the job’s last output line takes its edge', () => {
    const def = definition(
      [node('a'), node('deploy'), node('rollback')],
      [edge('a', 'deploy', 'go-live'), edge('a', 'rollback', 'roll.back')],
    )
    const run = new Run(def)
    run.start()
    const events = run.end('a', 'success', ['checking', ' go-live '])
    expect(run.started(events)).toEqual(['deploy'])
    expect(run.nodeState('rollback')).toBe('skipped')
    expect(events.find((event) => event.$case === 'nodeEnded')).toMatchObject({
      value: { eventName: 'go-live' },
    })
  })
})

describe('workflowRunDecider: how a run ends', () => {
  it('fails when a node failed and no failure or always edge from it was taken, whatever order its jobs end in', () => {
    for (const order of [
      ['b', 'c'],
      ['c', 'b'],
    ] as const) {
      const run = new Run(diamond())
      run.start()
      run.end('a', 'success')
      for (const key of order) run.end(key, key === 'b' ? 'failure' : 'success')
      expect(run.state.status).toBe('running')
      run.end('d', 'success')
      expect(run.state.status).toBe('failure')
      expect(run.state.reason).toContain('node b failed')
    }
  })

  it('B fails while C ends last: the run fails even though the last job succeeded', () => {
    const def = definition([node('a'), node('b'), node('c')], [edge('a', 'b'), edge('a', 'c')])
    const run = new Run(def)
    run.start()
    run.end('a', 'success')
    run.end('b', 'failure')
    const last = run.end('c', 'success')
    expect(last.at(-1)).toMatchObject({ $case: 'ended', value: { state: 'failure' } })
  })

  it('succeeds when a failed node was handled by its failure edge', () => {
    const def = definition([node('a'), node('cleanup')], [edge('a', 'cleanup', 'failure')])
    const run = new Run(def)
    run.start()
    run.end('a', 'failure')
    run.end('cleanup', 'success')
    expect(run.nodeState('a')).toBe('failed')
    expect(run.state.status).toBe('success')
  })

  it('a job’s end recorded twice changes nothing the second time', () => {
    const run = new Run(diamond())
    run.start()
    const jobId = nodeOf(run.state, 'a').liveJob!
    const end = { jobId, outcome: 'success' as const, output: [], lastLine: '', reason: '' }
    expect(run.when({ type: 'AdvanceRun', ended: [end], ...run.facts() })).not.toEqual([])
    expect(run.when({ type: 'AdvanceRun', ended: [end], ...run.facts() })).toEqual([])
  })
})

describe('workflowRunDecider: cancel', () => {
  it('cancel names every live job; the run ends canceled once they ended, its pending nodes canceled', () => {
    const run = new Run(diamond())
    run.start()
    run.end('a', 'success')
    expect(liveJobs(run.state).sort()).toEqual([nodeJobId(RUN, 'b', 0), nodeJobId(RUN, 'c', 0)].sort())
    expect(run.cancel().map((event) => event.$case)).toEqual(['cancelRequested'])
    run.end('b', 'canceled')
    expect(run.state.status).toBe('running')
    // A job that ends anyway while the run is canceled starts nothing.
    expect(run.started(run.end('c', 'success'))).toEqual([])
    expect(run.nodeState('b')).toBe('canceled')
    expect(run.nodeState('d')).toBe('canceled')
    expect(run.state.status).toBe('canceled')
  })

  it('a retry that waits is canceled at once; an ended run is not canceled again (409)', () => {
    const def = definition([node('a', { retry: { max: 1, backoff: 60 } })], [])
    const run = new Run(def)
    run.start()
    run.end('a', 'failure')
    const events = run.cancel()
    expect(events.map((event) => event.$case)).toEqual(['cancelRequested', 'nodeCanceled', 'ended'])
    expect(run.state.status).toBe('canceled')
    expect(() => run.cancel()).toThrow(/already ended/)
  })

  it('another organization’s run is not found', () => {
    const run = new Run(diamond())
    run.start()
    expect(() =>
      run.when({ type: 'CancelRun', customer: 'other', reason: '', author: 'x', ...run.facts() }),
    ).toThrow(/not found/)
  })
})

describe('workflowRunDecider: retry of a run', () => {
  it('goes on from the failed node: nodes that succeeded keep their outputs and do not run again', () => {
    const def = definition(
      [node('a'), node('b', { arguments: [{ from: 'a', output: 0 }] }), node('c')],
      [edge('a', 'b'), edge('b', 'c')],
    )
    const run = new Run(def)
    run.start()
    run.end('a', 'success', ['v1.2'])
    run.end('b', 'failure')
    expect(run.state.status).toBe('failure')
    expect(run.nodeState('c')).toBe('skipped')
    const events = run.retry()
    expect(events[0]).toMatchObject({ $case: 'retried', value: { nodes: ['b', 'c'], try: 1 } })
    expect(events[1]).toMatchObject({
      $case: 'nodeStarted',
      value: { key: 'b', jobId: nodeJobId(RUN, 'b', 1), arguments: ['v1.2'] },
    })
    expect(run.nodeState('a')).toBe('succeeded')
    run.end('b', 'success')
    run.end('c', 'success')
    expect(run.state.status).toBe('success')
    expect(run.started()).toEqual(['a', 'b', 'b', 'c'])
    expect(nodeOf(run.state, 'b').jobIds).toEqual([nodeJobId(RUN, 'b', 0), nodeJobId(RUN, 'b', 1)])
  })

  it('a canceled run is retried; a running or successful one is not (409)', () => {
    const run = new Run(diamond())
    run.start()
    expect(() => run.retry()).toThrow(/still running/)
    run.cancel()
    run.end('a', 'canceled')
    expect(run.state.status).toBe('canceled')
    expect(run.started(run.retry())).toEqual(['a'])
    run.end('a', 'success')
    run.end('b', 'success')
    run.end('c', 'success')
    run.end('d', 'success')
    expect(() => run.retry()).toThrow(/success/)
  })
})

describe('workflowRunDecider: retry of a node', () => {
  it('waits its backoff, doubling, for at most `max` further attempts, then fails the node', () => {
    const def = definition([node('a', { retry: { max: 2, backoff: 30 } })], [])
    const run = new Run(def)
    run.start()
    expect(run.end('a', 'failure')).toMatchObject([
      { $case: 'nodeRetryScheduled', value: { key: 'a', attempt: 2, dueAt: at(30) } },
    ])
    expect(nextRetryDue(run.state)).toEqual(at(30))
    expect(run.nodeState('a')).toBe('running')
    run.now = at(29)
    expect(run.advance()).toEqual([])
    run.now = at(30)
    expect(run.advance()).toMatchObject([
      { $case: 'nodeStarted', value: { key: 'a', attempt: 2, jobId: nodeJobId(RUN, 'a', 1) } },
    ])
    expect(run.end('a', 'error')).toMatchObject([
      { $case: 'nodeRetryScheduled', value: { attempt: 3, dueAt: at(90) } },
    ])
    run.now = at(90)
    run.advance()
    const last = run.end('a', 'failure')
    expect(last.map((event) => event.$case)).toEqual(['nodeEnded', 'ended'])
    expect(run.state.status).toBe('failure')
  })

  it('a success on a retry goes on as a first success would', () => {
    const def = definition([node('a', { retry: { max: 1, backoff: 0 } }), node('b')], [edge('a', 'b')])
    const run = new Run(def)
    run.start()
    run.end('a', 'failure')
    // No backoff: the retry starts in the same decision.
    expect(run.started(run.events.slice(-1))).toEqual(['a'])
    expect(run.started(run.end('a', 'success'))).toEqual(['b'])
  })
})

describe('workflowRunDecider: arguments', () => {
  it('maps fixed values, predecessors’ output lines and the run’s arguments; a missing line is empty', () => {
    const def = definition(
      [
        node('a'),
        node('b', {
          arguments: [
            'fixed',
            { from: 'a', output: 1 },
            { from: '$run', output: 0 },
            { from: 'a', output: 7 },
          ],
        }),
      ],
      [edge('a', 'b')],
    )
    const run = new Run(def)
    run.start(['eu-west'])
    const events = run.end('a', 'success', ['zero', 'one', 'two'])
    expect(events.find((event) => event.$case === 'nodeStarted')).toMatchObject({
      value: { key: 'b', arguments: ['fixed', 'one', 'eu-west', ''] },
    })
    // Only the lines some node takes are kept with the run.
    expect(events.find((event) => event.$case === 'nodeEnded')).toMatchObject({
      value: { outputs: { 1: 'one' } },
    })
  })

  it('a mapped value past a run’s argument limits fails the node with the reason; the run goes on', () => {
    const def = definition(
      [node('a'), node('b', { arguments: [{ from: 'a', output: 0 }] }), node('h')],
      [edge('a', 'b'), edge('b', 'h', 'failure')],
    )
    const run = new Run(def)
    run.start()
    const events = run.end('a', 'success', ['x'.repeat(70_000)])
    expect(run.started(events)).toEqual(['h'])
    expect(nodeOf(run.state, 'b')).toMatchObject({ state: 'failed', jobIds: [] })
    expect(nodeOf(run.state, 'b').reason).toMatch(/arguments of node b/)
  })

  it('a task that cannot run fails its node with the refusal, and no retry is tried', () => {
    const def = definition([node('a', { retry: { max: 3, backoff: 0 } })], [])
    const run = new Run(def, tasksOf(def, { a: 'task task-a is gone' }))
    run.start()
    expect(run.nodeState('a')).toBe('failed')
    expect(run.state).toMatchObject({ status: 'failure', reason: 'node a failed: task task-a is gone' })
  })
})

describe('workflowRunDecider: worst input', () => {
  it('a 100-node graph where every node fans out runs each node once and ends', () => {
    // Ten layers of ten; every node of a layer feeds every node of the next.
    const keys = Array.from({ length: 100 }, (_, index) => `n${index}`)
    const nodes = [node('start'), ...keys.map((key) => node(key))]
    const edges = [
      ...keys.slice(0, 10).map((key) => edge('start', key)),
      ...keys.flatMap((from, index) => {
        const layer = Math.floor(index / 10)
        if (layer === 9) return []
        return keys.slice((layer + 1) * 10, (layer + 2) * 10).map((to) => edge(from, to))
      }),
    ]
    const run = new Run(definition(nodes, edges))
    run.start()
    run.end('start', 'success')
    for (let layer = 0; layer < 10; layer++) {
      for (const key of keys.slice(layer * 10, (layer + 1) * 10)) run.end(key, 'success')
    }
    expect(run.state.status).toBe('success')
    expect(new Set(run.started()).size).toBe(101)
    expect(run.started()).toHaveLength(101)
  })
})

const approval = (expiresIn = 0): NodeSpec => ({
  step: { $case: 'approval', value: { approvers: ['ops'], required: 2, expiresIn } },
})
const input = (): NodeSpec => ({
  step: {
    $case: 'input',
    value: {
      form: [{ order: 0, type: 'input', label: 'version', value: '', required: true, options: [] }],
      approvers: [],
      expiresIn: 60,
    },
  },
})

/** a → ask (approval) → {ok on success, no on failure, late on expired}. */
const gate = (spec: NodeSpec = approval()) =>
  definition(
    [node('a'), node('ask', spec), node('ok'), node('no'), node('late')],
    [edge('a', 'ask'), edge('ask', 'ok'), edge('ask', 'no', 'failure'), edge('ask', 'late', 'expired')],
  )

describe('workflowRunDecider: approval and input steps (decision 32)', () => {
  it('starts a step as a job no task runs: the node waits, until a time its expiry (72 h by default)', () => {
    const run = new Run(gate())
    run.start()
    const events = run.end('a', 'success')
    expect(events).toContainEqual({
      $case: 'nodeStarted',
      value: {
        key: 'ask',
        jobId: nodeJobId(RUN, 'ask', 0),
        attempt: 1,
        arguments: [],
        step: 'approval',
        expiresAt: at(72 * 3600),
      },
    })
    expect(run.nodeState('ask')).toBe('waiting')
    expect(liveJobs(run.state)).toEqual([nodeJobId(RUN, 'ask', 0)])
    expect(run.state.status).toBe('running')
  })

  it('records who started the run: its steps are not theirs to decide', () => {
    const run = new Run(gate())
    run.when({
      type: 'StartRun',
      runId: RUN,
      customer: 'acme',
      workflowId: 'wf-1',
      version: 3,
      arguments: [],
      origin: 'api',
      author: 'alice',
      authorId: 'token-alice',
      ...run.facts(),
    })
    expect(run.state.authorId).toBe('token-alice')
    expect(run.events[0]).toMatchObject({ $case: 'started', value: { authorId: 'token-alice' } })
  })

  it('an approved step takes its success edges', () => {
    const run = new Run(gate())
    run.start()
    run.end('a', 'success')
    run.end('ask', 'success')
    expect(run.nodeState('ask')).toBe('succeeded')
    expect(run.started()).toEqual(['a', 'ask', 'ok'])
    expect(run.nodeState('no')).toBe('skipped')
    expect(run.nodeState('late')).toBe('skipped')
  })

  it('a rejected step fails and takes its failure edges; the run is handled', () => {
    const run = new Run(gate())
    run.start()
    run.end('a', 'success')
    run.end('ask', 'failure')
    expect(run.nodeState('ask')).toBe('failed')
    expect(run.started()).toEqual(['a', 'ask', 'no'])
    run.end('no', 'success')
    expect(run.state.status).toBe('success')
  })

  it('an expired step ends expired and takes its expired edge only (not failure), never retried', () => {
    const run = new Run(gate({ ...approval(), retry: { max: 3, backoff: 1 } }))
    run.start()
    run.end('a', 'success')
    run.end('ask', 'timeout')
    expect(run.nodeState('ask')).toBe('expired')
    expect(run.started()).toEqual(['a', 'ask', 'late'])
    expect(run.nodeState('no')).toBe('skipped')
    run.end('late', 'success')
    expect(run.state.status).toBe('success')
  })

  it('an expired step no edge handles fails the run, naming it', () => {
    const def = definition(
      [node('a'), node('ask', approval()), node('b')],
      [edge('a', 'ask'), edge('ask', 'b')],
    )
    const run = new Run(def)
    run.start()
    run.end('a', 'success')
    run.end('ask', 'timeout')
    expect(run.state.status).toBe('failure')
    expect(run.state.reason).toMatch(/^node ask expired/)
  })

  it("an input step's answers feed later nodes' arguments by label", () => {
    const def = definition(
      [
        node('ask', input()),
        {
          ...node('build'),
          arguments: [
            {
              source: { $case: 'from', value: { node: 'ask', output: { $case: 'name', value: 'version' } } },
            },
          ],
        },
      ],
      [edge('ask', 'build')],
    )
    const run = new Run(def)
    run.start()
    expect(run.nodeState('ask')).toBe('waiting')
    const jobId = nodeOf(run.state, 'ask').liveJob!
    const events = run.when({
      type: 'AdvanceRun',
      ended: [
        {
          jobId,
          outcome: 'success',
          output: ['1.2.3'],
          lastLine: '1.2.3',
          reason: '',
          answers: { version: '1.2.3', other: 'x' },
        },
      ],
      ...run.facts(),
    })
    expect(events).toContainEqual(
      expect.objectContaining({
        $case: 'nodeEnded',
        value: expect.objectContaining({ key: 'ask', namedOutputs: { version: '1.2.3' } }),
      }),
    )
    expect(events).toContainEqual(
      expect.objectContaining({
        $case: 'nodeStarted',
        value: expect.objectContaining({ key: 'build', arguments: ['1.2.3'] }),
      }),
    )
  })

  it('cancel names a waiting step among the live jobs; the step canceled takes failure edges', () => {
    const run = new Run(gate())
    run.start()
    run.end('a', 'success')
    const events = run.cancel()
    expect(events.map((event) => event.$case)).toEqual(['cancelRequested'])
    expect(liveJobs(run.state)).toEqual([nodeJobId(RUN, 'ask', 0)])
    run.end('ask', 'canceled')
    expect(run.nodeState('ask')).toBe('canceled')
    expect(run.state.status).toBe('canceled')
  })

  it('a retried run waits on its step again, with a new job', () => {
    const run = new Run(gate())
    run.start()
    run.end('a', 'success')
    run.end('ask', 'timeout')
    run.end('late', 'failure')
    expect(run.state.status).toBe('failure')
    run.retry()
    expect(run.nodeState('a')).toBe('succeeded')
    expect(run.nodeState('ask')).toBe('waiting')
    expect(nodeOf(run.state, 'ask').liveJob).toBe(nodeJobId(RUN, 'ask', 1))
  })

  it('a step inside a parallel branch is waited for: the join after it runs once it was decided', () => {
    const def = definition(
      [node('a'), node('b'), node('ask', approval()), node('d')],
      [edge('a', 'b'), edge('a', 'ask'), edge('b', 'd'), edge('ask', 'd')],
    )
    const run = new Run(def)
    run.start()
    run.end('a', 'success')
    expect(run.nodeState('ask')).toBe('waiting')
    run.end('b', 'success')
    expect(run.nodeState('d')).toBe('pending')
    expect(run.state.status).toBe('running')
    run.end('ask', 'success')
    expect(run.started()).toEqual(['a', 'b', 'ask', 'd'])
  })

  it('refuses a node with no step at all (422, naming it)', () => {
    const def = definition([node('a'), node('empty', { step: undefined })], [edge('a', 'empty')])
    let caught: unknown
    try {
      new Run(def).start()
    } catch (error) {
      caught = error
    }
    expect(isAppError(caught) && caught.code).toBe('VALIDATION_FAILED')
    expect(isAppError(caught) && caught.details).toMatchObject({ node: 'empty' })
  })
})

describe('workflowRunDecider: one run at a time', () => {
  const FIRST = '0190a000-0000-7000-8000-0000000000bb'

  it('a run started behind a live one is held: no node starts, the reason names that run', () => {
    const run = new Run(diamond())
    const events = run.start([], FIRST)
    expect(events.map((event) => event.$case)).toEqual(['started'])
    expect(events[0]).toMatchObject({
      value: { heldBehindRunId: FIRST, heldReason: expect.stringContaining(FIRST) },
    })
    expect(run.state).toMatchObject({ status: 'running', heldBehind: FIRST })
    expect(liveJobs(run.state)).toEqual([])
  })

  it('a held run stays held through wake-ups that bring no turn, and starts its nodes when its turn comes', () => {
    const run = new Run(diamond())
    run.start([], FIRST)
    expect(run.advance()).toEqual([])
    const events = run.release()
    expect(events.map((event) => event.$case)).toEqual(['released', 'nodeStarted'])
    expect(run.nodeState('a')).toBe('running')
    // A turn brought again (its wake-up repeated) changes nothing.
    expect(run.release()).toEqual([])
    run.end('a', 'success')
    run.end('b', 'success')
    run.end('c', 'success')
    run.end('d', 'success')
    expect(run.state.status).toBe('success')
  })

  it('a held run canceled ends canceled at once, every node canceled, no job started', () => {
    const run = new Run(diamond())
    run.start([], FIRST)
    const events = run.cancel()
    expect(events.filter((event) => event.$case === 'nodeCanceled')).toHaveLength(4)
    expect(events.at(-1)).toMatchObject({ $case: 'ended', value: { state: 'canceled' } })
    expect(run.started()).toEqual([])
    // Its turn coming after the end starts nothing.
    expect(run.release()).toEqual([])
  })
})

describe('workflowRunDecider: runs a trigger started', () => {
  const FIRST = '0190a000-0000-7000-8000-0000000000bb'
  const chain: TriggerChain = { id: 'job-0', depth: 1, taskIds: ['task-x', 'wf-1'] }
  const until = new Date(T0.getTime() + 30_000)

  it('a run in its grace time is held with a reason saying until when, and starts when it is over', () => {
    const run = new Run(diamond())
    const events = run.startTriggered(['v'], { holdUntil: until, chain })
    expect(events).toEqual([
      expect.objectContaining({
        $case: 'started',
        value: expect.objectContaining({
          heldUntil: until,
          chain,
          heldReason: `the trigger's grace time: this run starts at ${until.toISOString()}`,
        }),
      }),
    ])
    expect(run.state).toMatchObject({ heldUntil: until, chain })
    // A job's end or a turn brings nothing to a run in its grace time.
    expect(run.advance()).toEqual([])
    expect(run.release()).toEqual([])
    expect(run.graceOver().map((event) => event.$case)).toEqual(['released', 'nodeStarted'])
    expect(run.events.find((event) => event.$case === 'released')).toMatchObject({
      value: { graceOver: true },
    })
    expect(run.nodeState('a')).toBe('running')
    expect(run.graceOver()).toEqual([])
  })

  it('a run held for both its grace time and its turn starts once both are over, in either order', () => {
    const graceFirst = new Run(diamond())
    graceFirst.startTriggered([], { holdUntil: until, heldBehind: FIRST })
    // Still held after the first release: it says why (the turn it waits for).
    expect(graceFirst.graceOver()).toEqual([
      {
        $case: 'released',
        value: { graceOver: true, heldReason: expect.stringContaining(FIRST) },
      },
    ])
    expect(graceFirst.started()).toEqual([])
    expect(graceFirst.release().map((event) => event.$case)).toEqual(['released', 'nodeStarted'])

    const turnFirst = new Run(diamond())
    turnFirst.startTriggered([], { holdUntil: until, heldBehind: FIRST })
    expect(turnFirst.release()).toEqual([
      {
        $case: 'released',
        value: { graceOver: false, heldReason: expect.stringContaining(until.toISOString()) },
      },
    ])
    expect(turnFirst.graceOver().map((event) => event.$case)).toEqual(['released', 'nodeStarted'])
  })

  it('a run canceled in its grace time ends canceled, and its grace time ending starts nothing', () => {
    const run = new Run(diamond())
    run.startTriggered([], { holdUntil: until })
    expect(run.cancel().at(-1)).toMatchObject({ $case: 'ended', value: { state: 'canceled' } })
    expect(run.graceOver()).toEqual([])
    expect(run.started()).toEqual([])
  })

  it('a refused run is recorded and ends canceled at once with the reason', () => {
    const run = new Run(diamond())
    const reason = 'trigger cycle stopped: task wf-1 already ran in this chain of triggers'
    const events = run.startTriggered(['v'], { refusal: reason, chain })
    expect(events.map((event) => event.$case)).toEqual(['started', 'ended'])
    expect(events[1]).toMatchObject({ value: { state: 'canceled', reason } })
    expect(run.started()).toEqual([])
  })
})
