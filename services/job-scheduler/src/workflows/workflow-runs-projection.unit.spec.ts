import { describe, expect, it } from 'vitest'
import type { RunDomainEvent } from './workflow-run-decider.js'
import { applyRunEvent, type RunRow, workflowRunFromRow } from './workflow-runs-projection.js'

const T0 = new Date('2026-01-01T00:00:00Z')
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000)

function fold(events: RunDomainEvent[]): RunRow | undefined {
  let row: RunRow | undefined
  events.forEach((event, index) => {
    row = applyRunEvent(row, event, at(index), ['a', 'b'])
  })
  return row
}

const started: RunDomainEvent = {
  $case: 'started',
  value: {
    runId: 'run-1',
    customer: 'acme',
    workflowId: 'wf-1',
    version: 2,
    arguments: ['x'],
    origin: 'api',
    author: 'alice',
    authorId: 'token-alice',
    startedAt: T0,
    nodeKeys: [],
    heldBehindRunId: '',
    heldReason: '',
    chain: undefined,
    heldUntil: undefined,
  },
}
const nodeStarted = (key: string, jobId: string): RunDomainEvent => ({
  $case: 'nodeStarted',
  value: { key, jobId, attempt: 1, arguments: [], step: '', expiresAt: undefined },
})
const nodeEnded = (key: string, state: string, reason = ''): RunDomainEvent => ({
  $case: 'nodeEnded',
  value: {
    key,
    jobId: '',
    state,
    outcome: '',
    eventName: '',
    outputs: {},
    namedOutputs: {},
    reason,
    taken: [],
    notTaken: [],
  },
})

describe('workflow_runs read model', () => {
  it('shows every node of the pinned version from the start, then each as its events say', () => {
    const row = fold([started, nodeStarted('a', 'job-1')])
    expect(workflowRunFromRow(row!)).toMatchObject({
      id: 'run-1',
      version: 2,
      lifecycle: 'assigned',
      state: 'in_progress',
      arguments: ['x'],
      nodes: [
        { key: 'a', state: 'running', jobId: 'job-1', jobIds: ['job-1'] },
        { key: 'b', state: 'pending', jobId: '', jobIds: [] },
      ],
    })
  })

  it('ends as the run ended, and a retry goes on with the jobs each node had', () => {
    const failed = fold([
      started,
      nodeStarted('a', 'job-1'),
      nodeEnded('a', 'failed', 'the job ended failure'),
      { $case: 'nodeSkipped', value: { key: 'b', notTaken: [] } },
      { $case: 'ended', value: { state: 'failure', reason: 'node a failed', endedAt: at(9) } },
    ])
    expect(failed).toMatchObject({
      lifecycle: 'finished',
      state: 'failure',
      reason: 'node a failed',
      ended_at: at(9),
    })
    expect(failed!.nodes.map((node) => node.state)).toEqual(['failed', 'skipped'])
    const retried = fold([
      started,
      nodeStarted('a', 'job-1'),
      nodeEnded('a', 'failed'),
      { $case: 'nodeSkipped', value: { key: 'b', notTaken: [] } },
      { $case: 'ended', value: { state: 'failure', reason: '', endedAt: at(9) } },
      { $case: 'retried', value: { nodes: ['a', 'b'], edges: [], try: 1, author: 'bob' } },
      nodeStarted('a', 'job-2'),
    ])
    expect(retried).toMatchObject({ lifecycle: 'assigned', state: 'in_progress', ended_at: null })
    expect(retried!.nodes).toEqual([
      { key: 'a', state: 'running', job_ids: ['job-1', 'job-2'], reason: '' },
      { key: 'b', state: 'pending', job_ids: [], reason: '' },
    ])
  })

  it('a canceled run ends canceled', () => {
    const row = fold([
      started,
      { $case: 'cancelRequested', value: { reason: 'stop', author: 'bob' } },
      { $case: 'nodeCanceled', value: { key: 'a' } },
      { $case: 'nodeCanceled', value: { key: 'b' } },
      { $case: 'ended', value: { state: 'canceled', reason: 'the run was canceled', endedAt: at(3) } },
    ])
    expect(row).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })
    expect(row!.nodes.map((node) => node.state)).toEqual(['canceled', 'canceled'])
  })

  it('shows a held run as ready with its waiting reason until its turn comes', () => {
    const held: RunDomainEvent = {
      $case: 'started',
      value: { ...started.value, heldBehindRunId: 'run-0', heldReason: 'waits for run run-0' },
    } as RunDomainEvent
    expect(workflowRunFromRow(fold([held])!)).toMatchObject({
      lifecycle: 'ready',
      state: 'in_progress',
      waitingReason: 'waits for run run-0',
    })
    const released = fold([
      held,
      { $case: 'released', value: { graceOver: false, heldReason: '' } },
      nodeStarted('a', 'job-1'),
    ])
    expect(workflowRunFromRow(released!)).toMatchObject({ lifecycle: 'assigned', waitingReason: '' })
  })

  it('shows a run held for its grace time with when it starts, and the turn it waits for after', () => {
    const until = at(30)
    const held: RunDomainEvent = {
      $case: 'started',
      value: {
        ...started.value,
        heldBehindRunId: 'run-0',
        heldUntil: until,
        heldReason: 'grace time until then',
      },
    } as RunDomainEvent
    expect(workflowRunFromRow(fold([held])!)).toMatchObject({
      lifecycle: 'ready',
      waitingReason: 'grace time until then',
      holdUntil: until,
    })
    const graceOver: RunDomainEvent = {
      $case: 'released',
      value: { graceOver: true, heldReason: 'waits for run run-0' },
    }
    const stillHeld = workflowRunFromRow(fold([held, graceOver])!)
    expect(stillHeld).toMatchObject({ lifecycle: 'ready', waitingReason: 'waits for run run-0' })
    expect(stillHeld.holdUntil).toBeUndefined()
    const turn: RunDomainEvent = { $case: 'released', value: { graceOver: false, heldReason: '' } }
    expect(workflowRunFromRow(fold([held, graceOver, turn])!)).toMatchObject({
      lifecycle: 'assigned',
      waitingReason: '',
    })
  })
})
