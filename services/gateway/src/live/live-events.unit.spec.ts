import { TaskEvent, WorkflowEvent } from '@taskforge/proto/catalog/v1/events'
import { Envelope } from '@taskforge/proto/events/v1/envelope'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { ScheduleEvent } from '@taskforge/proto/jobs/v1/schedules'
import { WorkflowRunEvent } from '@taskforge/proto/jobs/v1/workflow_runs'
import { describe, expect, it } from 'vitest'
import { formatEvent, parseLastEventId } from '../http/routes/events.js'
import { type LiveEvent, LiveHub, liveEventOf, quietSubject } from './live-events.js'

const event = (seq: number, customer = 'acme', taskId = 't1'): LiveEvent => ({
  seq,
  customer,
  kind: 'job',
  taskId,
  data: { type: 'job.queued', id: `j${seq}`, customer, task_id: taskId },
})

describe('live hub', () => {
  it('replays what an organization missed, and tells a gap when it no longer has it', () => {
    const hub = new LiveHub({ perOrganization: 3, organizations: 10 })
    hub.startAt(10)
    expect(hub.since('acme', 9)).toEqual({ kind: 'events', events: [] })
    expect(hub.since('acme', 5)).toEqual({ kind: 'gap' })
    for (const seq of [10, 11, 12, 13, 14]) hub.publish(event(seq))
    hub.publish(event(15, 'globex'))
    expect(hub.since('acme', 12)).toEqual({ kind: 'events', events: [event(13), event(14)] })
    expect(hub.since('acme', 11)).toEqual({ kind: 'events', events: [event(12), event(13), event(14)] })
    expect(hub.since('acme', 10)).toEqual({ kind: 'gap' })
    expect(hub.since('globex', 9)).toEqual({ kind: 'events', events: [event(15, 'globex')] })
    expect(hub.lastSeq).toBe(15)
  })

  it('tells each organization only its own events', () => {
    const hub = new LiveHub({ perOrganization: 10, organizations: 10 })
    const seen: LiveEvent[] = []
    const stop = hub.subscribe('acme', (e) => seen.push(e))
    hub.publish(event(1))
    hub.publish(event(2, 'globex'))
    stop()
    hub.publish(event(3))
    expect(seen).toEqual([event(1)])
  })

  it('forgets the least recently active organization past its bound, and says so to a resume', () => {
    const hub = new LiveHub({ perOrganization: 10, organizations: 2 })
    hub.startAt(1)
    hub.publish(event(1, 'a'))
    hub.publish(event(2, 'b'))
    hub.publish(event(3, 'c'))
    expect(hub.since('a', 0)).toEqual({ kind: 'gap' })
    expect(hub.since('b', 1)).toEqual({ kind: 'events', events: [event(2, 'b')] })
  })
})

describe('event stream format', () => {
  it('reads Last-Event-ID as digits only', () => {
    expect(parseLastEventId(undefined)).toBeUndefined()
    expect(parseLastEventId('')).toBeUndefined()
    expect(parseLastEventId('42')).toBe(42)
    for (const bad of ['-1', 'abc', '1e5', ' 1', '9'.repeat(16), ['1']])
      expect(() => parseLastEventId(bad), String(bad)).toThrow(expect.objectContaining({ httpStatus: 400 }))
  })

  it('writes id, event and one data line', () => {
    expect(formatEvent(event(7))).toBe(
      'id: 7\nevent: job\ndata: {"type":"job.queued","id":"j7","customer":"acme","task_id":"t1"}\n\n',
    )
  })
})

describe('live events from EVENTS envelopes', () => {
  const envelope = (streamType: string, type: string, data: Uint8Array) =>
    Envelope.decode(
      Envelope.encode(
        Envelope.fromPartial({ streamType, type, customer: 'acme', streamId: 's1', data: Buffer.from(data) }),
      ).finish(),
    )

  it('carries a task event with its acls, and a deletion as such', () => {
    const created = TaskEvent.encode(
      TaskEvent.fromPartial({
        event: { $case: 'created', value: { taskId: 's1', customer: 'acme', definition: { acls: ['ops'] } } },
      }),
    ).finish()
    expect(liveEventOf(3, envelope('task', 'created', created), () => undefined)?.event).toMatchObject({
      seq: 3,
      kind: 'task',
      taskId: 's1',
      acls: ['ops'],
      data: { type: 'task.created', id: 's1', customer: 'acme' },
    })
    const deleted = TaskEvent.encode(
      TaskEvent.fromPartial({ event: { $case: 'deleted', value: {} } }),
    ).finish()
    expect(liveEventOf(4, envelope('task', 'deleted', deleted), () => undefined)?.event.acls).toBe('deleted')
  })

  it("names a job's task from its JobQueued, else from what is known, and leaves output out", () => {
    const queued = JobEvent.encode(
      JobEvent.fromPartial({ event: { $case: 'queued', value: { jobId: 's1', spec: { taskId: 't9' } } } }),
    ).finish()
    const live = liveEventOf(5, envelope('job', 'queued', queued), () => undefined)
    expect(live).toMatchObject({ jobTask: 't9', event: { kind: 'job', taskId: 't9' } })
    const finished = JobEvent.encode(
      JobEvent.fromPartial({
        event: { $case: 'finished', value: { lifecycle: 'finished', state: 'failure' } },
      }),
    ).finish()
    expect(liveEventOf(6, envelope('job', 'finished', finished), () => 't9')?.event.data).toMatchObject({
      type: 'job.finished',
      task_id: 't9',
      lifecycle: 'finished',
      state: 'failure',
    })
    expect(liveEventOf(7, envelope('job', 'outputAppended', new Uint8Array()), () => 't9')).toBeUndefined()
    // The feed skips output by its subject, before decoding anything.
    expect(quietSubject('events.job.outputAppended')).toBe(true)
    expect(quietSubject('events.job.finished')).toBe(false)
    expect(quietSubject('events.task.outputAppended')).toBe(false)
  })

  it("names a schedule's task from its ScheduleCreated, else from what is known, and tells what a fire did", () => {
    const created = ScheduleEvent.encode(
      ScheduleEvent.fromPartial({
        event: { $case: 'created', value: { scheduleId: 's1', customer: 'acme', taskId: 't4' } },
      }),
    ).finish()
    expect(liveEventOf(8, envelope('schedule', 'created', created), () => undefined)).toMatchObject({
      scheduleTask: 't4',
      event: { kind: 'schedule', taskId: 't4', data: { type: 'schedule.created', id: 's1', task_id: 't4' } },
    })
    const scheduledFor = new Date('2026-12-07T10:00:00Z')
    const fired = ScheduleEvent.encode(
      ScheduleEvent.fromPartial({
        event: {
          $case: 'fired',
          value: { scheduledFor, outcome: 'started', jobId: 'j1', kind: 'trigger' },
        },
      }),
    ).finish()
    const live = liveEventOf(9, envelope('schedule', 'fired', fired), (id) =>
      id === 's1' ? 't4' : undefined,
    )
    expect(live?.scheduleTask).toBeUndefined()
    expect(live?.event).toMatchObject({
      kind: 'schedule',
      taskId: 't4',
      data: {
        type: 'schedule.fired',
        task_id: 't4',
        outcome: 'started',
        kind: 'trigger',
        job_id: 'j1',
        scheduled_for: scheduledFor.toISOString(),
      },
    })
    const skipped = ScheduleEvent.encode(
      ScheduleEvent.fromPartial({ event: { $case: 'fired', value: { outcome: 'skipped_overlap' } } }),
    ).finish()
    expect(liveEventOf(10, envelope('schedule', 'fired', skipped), () => undefined)?.event).toMatchObject({
      taskId: '',
      data: { outcome: 'skipped_overlap' },
    })
    expect(
      liveEventOf(10, envelope('schedule', 'fired', skipped), () => undefined)?.event.data,
    ).not.toHaveProperty('job_id')
  })

  it('carries a workflow event with its acls, never its env or secret', () => {
    const updated = WorkflowEvent.encode(
      WorkflowEvent.fromPartial({
        event: {
          $case: 'updated',
          value: { version: 2, definition: { acls: ['team:ops'], env: { TOKEN: 'hidden' } } },
        },
      }),
    ).finish()
    const live = liveEventOf(11, envelope('workflow', 'updated', updated), () => undefined)
    expect(live?.event).toMatchObject({ kind: 'workflow', workflowId: 's1', taskId: '', acls: ['team:ops'] })
    expect(JSON.stringify(live?.event.data)).not.toContain('hidden')
    const deleted = WorkflowEvent.encode(
      WorkflowEvent.fromPartial({ event: { $case: 'deleted', value: {} } }),
    ).finish()
    expect(liveEventOf(12, envelope('workflow', 'deleted', deleted), () => undefined)?.event.acls).toBe(
      'deleted',
    )
  })

  it("names a run's workflow from its started, else from what is known, and tells what a node became", () => {
    const started = WorkflowRunEvent.encode(
      WorkflowRunEvent.fromPartial({
        event: { $case: 'started', value: { runId: 's1', workflowId: 'w1', version: 3 } },
      }),
    ).finish()
    expect(liveEventOf(13, envelope('workflow_run', 'started', started), () => undefined)).toMatchObject({
      runWorkflow: 'w1',
      event: {
        kind: 'workflow_run',
        workflowId: 'w1',
        data: { type: 'workflow_run.started', id: 's1', workflow_id: 'w1', version: 3 },
      },
    })
    const known = (id: string) => (id === 's1' ? 'w1' : undefined)
    const nodeStarted = WorkflowRunEvent.encode(
      WorkflowRunEvent.fromPartial({ event: { $case: 'nodeStarted', value: { key: 'b', jobId: 'j2' } } }),
    ).finish()
    const live = liveEventOf(14, envelope('workflow_run', 'nodeStarted', nodeStarted), known)
    expect(live?.runWorkflow).toBeUndefined()
    expect(live?.event).toMatchObject({
      workflowId: 'w1',
      data: { workflow_id: 'w1', node: 'b', node_state: 'running', job_id: 'j2' },
    })
    const nodeEnded = WorkflowRunEvent.encode(
      WorkflowRunEvent.fromPartial({ event: { $case: 'nodeEnded', value: { key: 'b', state: 'failed' } } }),
    ).finish()
    expect(
      liveEventOf(15, envelope('workflow_run', 'nodeEnded', nodeEnded), known)?.event.data,
    ).toMatchObject({
      node: 'b',
      node_state: 'failed',
    })
    const skipped = WorkflowRunEvent.encode(
      WorkflowRunEvent.fromPartial({ event: { $case: 'nodeSkipped', value: { key: 'd' } } }),
    ).finish()
    expect(
      liveEventOf(16, envelope('workflow_run', 'nodeSkipped', skipped), known)?.event.data,
    ).toMatchObject({
      node: 'd',
      node_state: 'skipped',
    })
    const ended = WorkflowRunEvent.encode(
      WorkflowRunEvent.fromPartial({ event: { $case: 'ended', value: { state: 'failure' } } }),
    ).finish()
    expect(liveEventOf(17, envelope('workflow_run', 'ended', ended), () => undefined)?.event).toMatchObject({
      workflowId: '',
      data: { type: 'workflow_run.ended', workflow_id: '', state: 'failure' },
    })
  })
})
