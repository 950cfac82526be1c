import { WorkflowRunEvent } from '@taskforge/proto/jobs/v1/workflow_runs'
import { describe, expect, it } from 'vitest'
import { filterMatches, validateEventFilter } from './event-names.js'
import { type MappedEvent, mapEvent } from './public-events.js'
import type { PublicObject } from './public-objects.js'

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second))
type RunEvent = NonNullable<WorkflowRunEvent['event']>

const runEvent = (version: number, event: RunEvent) => ({
  eventId: `r1-${version}`,
  streamType: 'workflow_run',
  streamId: 'r1',
  streamVersion: version,
  type: event.$case,
  customer: 'acme',
  author: 'scheduler',
  occurredAt: at(version),
  data: WorkflowRunEvent.encode({ event }).finish(),
})

/** Folds as the relay does, the object kept between events as JSON (its dates as strings). */
function fold(events: RunEvent[]): MappedEvent[] {
  let object: PublicObject | undefined
  return events.map((event, index) => {
    const mapped = mapEvent(runEvent(index + 1, event), object)
    object = mapped.object === undefined ? undefined : JSON.parse(JSON.stringify(mapped.object))
    return mapped
  })
}

const started: RunEvent = {
  $case: 'started',
  value: {
    runId: 'r1',
    customer: 'acme',
    workflowId: 'w1',
    version: 2,
    arguments: ['x'],
    origin: 'api',
    author: 'alice',
    startedAt: at(1),
    authorId: '',
    nodeKeys: ['a', 'b'],
    heldBehindRunId: '',
    heldReason: '',
    chain: undefined,
    heldUntil: undefined,
  },
}
const nodeStarted = (key: string, jobId: string): RunEvent => ({
  $case: 'nodeStarted',
  value: { key, jobId, attempt: 1, arguments: [], step: '', expiresAt: undefined },
})
const nodeEnded = (key: string, jobId: string, state: string, outcome: string): RunEvent => ({
  $case: 'nodeEnded',
  value: {
    key,
    jobId,
    state,
    outcome,
    eventName: '',
    outputs: {},
    reason: '',
    taken: [],
    notTaken: [],
    namedOutputs: {},
  },
})

describe('public events of workflow runs', () => {
  it('tells the start, each node’s end and the end, with the run as GET /:customer/workflow/job/:id shows it', () => {
    const mapped = fold([
      started,
      nodeStarted('a', 'j1'),
      nodeEnded('a', 'j1', 'succeeded', 'success'),
      nodeStarted('b', 'j2'),
      nodeEnded('b', 'j2', 'failed', 'failure'),
      { $case: 'ended', value: { state: 'failure', reason: 'node b failed', endedAt: at(6) } },
    ])
    expect(mapped.map((m) => m.publicEvent?.name)).toEqual([
      'workflow.start',
      undefined,
      'workflow.node',
      undefined,
      'workflow.node',
      'workflow.finish',
    ])
    expect(mapped[0]!.publicEvent!.data).toMatchObject({
      run_id: 'r1',
      workflow_id: 'w1',
      run: {
        id: 'r1',
        lifecycle: 'assigned',
        state: 'in_progress',
        version: 2,
        task_arguments_values: ['x'],
        nodes: [
          { key: 'a', state: 'pending', job_id: null, job_ids: [] },
          { key: 'b', state: 'pending', job_id: null, job_ids: [] },
        ],
        creation_date: at(1).toISOString(),
      },
    })
    expect(mapped[2]!.publicEvent!.data).toMatchObject({
      outcome: 'success',
      node: { key: 'a', state: 'succeeded', job_id: 'j1', job_ids: ['j1'] },
    })
    expect(mapped[4]!.publicEvent!.data).toMatchObject({
      outcome: 'failure',
      node: { key: 'b', state: 'failed' },
    })
    expect(mapped[5]!.publicEvent!.data).toMatchObject({
      run: {
        lifecycle: 'finished',
        state: 'failure',
        reason: 'node b failed',
        ended_at: at(6).toISOString(),
        creation_date: at(1).toISOString(),
      },
    })
  })

  it('tells a held run’s start when its turn comes, not before', () => {
    const held = {
      $case: 'started',
      value: { ...started.value, heldBehindRunId: 'r0', heldReason: 'waits for run r0' },
    } as RunEvent
    const mapped = fold([
      held,
      { $case: 'released', value: { graceOver: false, heldReason: '' } },
      nodeStarted('a', 'j1'),
    ])
    expect(mapped.map((m) => m.publicEvent?.name)).toEqual([undefined, 'workflow.start', undefined])
    expect(mapped[0]!.object).toMatchObject({ lifecycle: 'ready', waitingReason: 'waits for run r0' })
    expect(mapped[1]!.publicEvent!.data).toMatchObject({ run: { lifecycle: 'assigned' } })
  })

  it('tells nothing of a run it began following after its start', () => {
    const [mapped] = fold([nodeEnded('a', 'j1', 'succeeded', 'success')])
    expect(mapped).toMatchObject({ object: undefined, publicEvent: undefined })
  })

  it('takes workflow.* and each name in a subscription’s filter', () => {
    expect(validateEventFilter(['workflow.*', 'workflow.finish'])).toEqual(['workflow.*', 'workflow.finish'])
    expect(filterMatches(['workflow.*'], 'workflow.node')).toBe(true)
    expect(filterMatches(['job.*'], 'workflow.start')).toBe(false)
  })
})
