import { TaskEvent } from '@taskforge/proto/catalog/v1/events'
import { Task, TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { Job, JobResult, JobSpec } from '@taskforge/proto/jobs/v1/model'
import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../../packages/event-store/src/index.js'
import { toProtoJob } from '../../packages/model/src/index.js'
import { jobView, taskView } from '../../services/gateway/src/http/views.js'
import {
  type JobCommand,
  type JobDomainEvent,
  jobDecider,
} from '../../services/job-scheduler/src/domain/job-decider.js'
import { foldJobStream } from '../../services/job-scheduler/src/projection/jobs-projection.js'
import { mapEvent, type SourceEvent } from '../../services/webhook-relay/src/mapping/public-events.js'
import type { PublicObject } from '../../services/webhook-relay/src/mapping/public-objects.js'

// The JSON a webhook carries for a job or a task must be the JSON the gateway answers for it after the
// same events (CONTRACT.md §4, §6): the scheduler's read model → gRPC → gateway on one side, the relay's
// fold of the events on the other.

const jobId = '019a0000-0000-7000-8000-0000000000a1'
const customer = 'acme'
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second))
const spec = JobSpec.fromPartial({
  taskId: 't1',
  taskName: 'backup',
  hostId: 'b1',
  timeout: 60,
  multitasking: true,
})

/** The events the scheduler's decider writes for `commands`, in order. */
function decided(commands: JobCommand[]): JobDomainEvent[] {
  const events: JobDomainEvent[] = []
  let state = jobDecider.initialState()
  for (const command of commands) {
    for (const event of jobDecider.decide(command, state)) {
      events.push(event)
      state = jobDecider.evolve(state, event)
    }
  }
  return events
}

function stored(events: JobDomainEvent[]): StoredEvent[] {
  return events.map((event, i) => ({
    eventId: `${jobId}-${i + 1}`,
    streamType: 'job',
    streamId: jobId,
    streamVersion: BigInt(i + 1),
    type: event.$case,
    data: JobEvent.encode({ event }).finish(),
    metadata: { customer, author: i === 0 ? 'ops' : 'b1' },
    occurredAt: at(i + 1),
    transactionId: BigInt(i + 1),
    position: BigInt(i + 1),
  }))
}

/** What the gateway answers after the first `count` events: read model row → gRPC message → JSON. */
function gatewayJob(events: StoredEvent[]): string {
  const view = foldJobStream(events)
  const overTheWire = Job.decode(Job.encode(toProtoJob(view!)).finish())
  return JSON.stringify(jobView(overTheWire))
}

/** Every job a webhook carried for the stream, with the number of events it had seen. */
function relayJobs(events: StoredEvent[]): { seen: number; job: string }[] {
  let object: PublicObject | undefined
  const told: { seen: number; job: string }[] = []
  events.forEach((event, i) => {
    const source: SourceEvent = {
      eventId: event.eventId,
      streamType: event.streamType,
      streamId: event.streamId,
      streamVersion: Number(event.streamVersion),
      type: event.type,
      customer,
      author: event.metadata.author ?? '',
      occurredAt: event.occurredAt,
      // As it crosses JetStream and is stored between events.
      data: event.data,
    }
    const mapped = mapEvent(source, object === undefined ? undefined : JSON.parse(JSON.stringify(object)))
    object = mapped.object
    const job = (mapped.publicEvent?.data as { job?: unknown } | undefined)?.job
    if (job !== undefined) told.push({ seen: i + 1, job: JSON.stringify(job) })
  })
  return told
}

const queue = (extra: Partial<Extract<JobCommand, { type: 'QueueJob' }>> = {}): JobCommand => ({
  type: 'QueueJob',
  jobId,
  customer,
  spec,
  argumentsValues: ['x', 'y'],
  origin: 'api',
  now: at(0),
  placement: { kind: 'assign', botId: 'b1' },
  ...extra,
})
const report = { botId: 'b1', attempt: 1 }

const scenarios: Record<string, JobCommand[]> = {
  'a run to success, with output': [
    queue(),
    { type: 'RecordStarted', ...report, sequence: 1, pid: 7, startedAt: at(1) },
    { type: 'RecordOutput', ...report, sequence: 2, seq: 0, stream: 'stdout', text: 'one\ntwo\n' },
    {
      type: 'RecordFinished',
      ...report,
      sequence: 3,
      state: 'success',
      result: JobResult.fromPartial({ code: 0, log: 'one\ntwo\n', lastline: 'two', truncatedBytes: 12n }),
      output: ['two'],
    },
  ],
  'a timeout whose report was abridged': [
    queue(),
    { type: 'RecordStarted', ...report, pid: 7, startedAt: at(1) },
    { type: 'RecordOutput', ...report, seq: 0, stream: 'stderr', text: 'slow…\n' },
    {
      type: 'RecordFinished',
      ...report,
      state: 'timeout',
      result: JobResult.fromPartial({ signal: 'SIGTERM', killed: true, log: 'w…\n', abridged: true }),
      output: [],
    },
  ],
  'a held triggered run, released, then canceled while running': [
    queue({ holdUntil: at(30), origin: 'trigger:task:t0:j0' }),
    { type: 'ReleaseHold', now: at(30) },
    { type: 'RecordStarted', ...report, pid: 7, startedAt: at(31) },
    { type: 'Cancel', customer, reason: 'asked' },
    { type: 'RecordFinished', ...report, state: 'canceled', result: undefined, output: [] },
  ],
  'a job canceled before it ran': [
    queue({ placement: { kind: 'hold', reason: 'busy' } }),
    { type: 'Cancel', customer, reason: 'no' },
  ],
  'a refused trigger': [queue({ refusal: 'the chain loops' })],
  'a bot that went silent': [
    queue(),
    { type: 'RecordStarted', ...report, pid: 7, startedAt: at(1) },
    { type: 'RecordOutput', ...report, seq: 0, stream: 'stdout', text: 'half way\n' },
    { type: 'ExpireLease', botId: 'b1', attempt: 1, reason: 'bot b1 gave no sign of life', now: at(9) },
  ],
}

describe('one public job view for the gateway and the relay', () => {
  for (const [name, commands] of Object.entries(scenarios)) {
    it(`gives the same JSON for ${name}`, () => {
      const events = stored(decided(commands))
      const told = relayJobs(events)
      expect(told.length).toBeGreaterThan(0)
      // Compared as JSON text: the same fields, values and order.
      for (const { seen, job } of told)
        expect(job, `after ${seen} events`).toBe(gatewayJob(events.slice(0, seen)))
    })
  }
})

describe('one public task view for the gateway and the relay', () => {
  it('gives the same JSON as the gateway shows a non-admin, on create and on update', () => {
    const definition = TaskDefinition.fromPartial({
      name: 'backup',
      hostId: 'b1',
      scriptId: 's1',
      tags: ['nightly'],
      taskArguments: [
        { order: 1, type: 'select', label: 'Where', value: 'a', required: true, options: ['a', 'b'] },
      ],
      triggers: [{ taskId: 't0', event: 'success' }, { webhookId: 'w1' }],
      timeout: 60,
      graceTime: 5,
      env: { TARGET: '/srv/private' },
      secretEnv: { PASSWORD: Buffer.from('sealed') },
    })
    const changed = { ...definition, description: 'nightly backup', multitasking: false }
    const taskEvents: NonNullable<TaskEvent['event']>[] = [
      {
        $case: 'created',
        value: { taskId: 't1', customer, definition, secret: 'f'.repeat(64), sealedSecret: Buffer.alloc(0) },
      },
      { $case: 'updated', value: { definition: changed, changedFields: ['description', 'multitasking'] } },
    ]
    let object: PublicObject | undefined
    const told = taskEvents.map((event, i) => {
      const mapped = mapEvent(
        {
          eventId: `t1-${i + 1}`,
          streamType: 'task',
          streamId: 't1',
          streamVersion: i + 1,
          type: event.$case,
          customer,
          author: 'ops',
          occurredAt: at(i + 1),
          data: TaskEvent.encode({ event }).finish(),
        },
        object === undefined ? undefined : JSON.parse(JSON.stringify(object)),
      )
      object = mapped.object
      return JSON.stringify((mapped.publicEvent?.data as { task?: unknown } | undefined)?.task)
    })
    const shown = (d: TaskDefinition, version: number) =>
      JSON.stringify(
        taskView(
          Task.fromPartial({
            id: 't1',
            customer,
            definition: d,
            version,
            creationDate: at(1),
            lastUpdate: at(version),
          }),
          'masked',
        ),
      )
    expect(told).toEqual([shown(definition, 1), shown(changed, 2)])
  })
})
