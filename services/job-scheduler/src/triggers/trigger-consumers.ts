import { type Bus, decodeEnvelope, type Envelope, Streams, type Subscription } from '@taskforge/bus'
import { badRequest } from '@taskforge/core'
import { TaskEvent, WebhookEvent } from '@taskforge/proto/catalog/v1/events'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { Durables } from '@taskforge/protocol'
import { sql } from 'kysely'
import { decodeJobEvent } from '../domain/job-events.js'
import { WORKFLOW_TRIGGERS_TABLE, workflowsTriggeredBy } from '../workflows/workflow-triggers.js'
import { applyTaskEvent, applyTriggerlessTaskEvent, tasksTriggeredBy } from './task-triggers.js'
import { TASK_TRIGGERS_TABLE } from './task-triggers-table.js'
import { valuesFromPayload } from './trigger-arguments.js'
import { startTriggeredRun, type TriggeredRunsDeps } from './triggered-runs.js'

/** The consumers and their filters (servers before 2.10 take one filter subject per consumer). */
export const TRIGGER_CONSUMERS = [
  { durable: Durables.taskTriggers, filterSubjects: ['events.task.>'], maxAckPending: 1 },
  { durable: Durables.jobTriggers, filterSubjects: ['events.job.finished'] },
  { durable: Durables.webhookTriggers, filterSubjects: ['events.webhook.fired'] },
] as const

function envelopeOf(data: Uint8Array): Envelope {
  try {
    return decodeEnvelope(data)
  } catch (error) {
    throw badRequest('undecodable event envelope', { cause: String(error) })
  }
}

/** Applies a catalog task event to the scheduler's trigger tables (idempotent by stream version). */
export async function onTaskEvent(deps: Pick<TriggeredRunsDeps, 'store'>, envelope: Envelope): Promise<void> {
  if (envelope.streamType !== 'task') return
  const { event } = TaskEvent.decode(envelope.data)
  if (event === undefined) return
  const fact = {
    taskId: envelope.streamId,
    customer: envelope.customer,
    version: Number(envelope.streamVersion),
    event,
  }
  if (await applyTriggerlessTaskEvent(deps.store.db, fact)) return
  await deps.store.transaction((trx) => applyTaskEvent(trx, fact))
}

/**
 * A job ended in success or failure: every task of its organization triggered by that outcome of its
 * task gets a job whose arguments are the job's output lines, and every workflow so triggered a run
 * whose arguments (`$run`) they are.
 */
export async function onJobFinished(deps: TriggeredRunsDeps, envelope: Envelope): Promise<number> {
  if (envelope.streamType !== 'job') return 0
  const { event } = JobEvent.decode(envelope.data)
  if (event?.$case !== 'finished') return 0
  const outcome = event.value.state
  if (outcome !== 'success' && outcome !== 'failure') return 0
  // The job's stream is read only when some task or workflow could be triggered by it.
  if (!(await anyTriggeredOn(deps, envelope.customer, outcome))) return 0
  const jobId = envelope.streamId
  const { events } = await deps.store.readStream(jobId)
  const first = events[0]
  const queued = first === undefined ? undefined : decodeJobEvent(first)
  if (queued?.$case !== 'queued') return 0
  const { customer, spec, chain } = queued.value
  const taskId = spec?.taskId ?? ''
  if (taskId === '') return 0
  const targets = await tasksTriggeredBy(deps.store.db, customer, { kind: 'task', id: taskId, outcome })
  for (const target of targets) {
    await startTriggeredRun(deps, {
      customer,
      taskId: target,
      source: { kind: 'job', jobId, taskId, chain },
      sourceEventId: envelope.eventId,
      values: event.value.output,
      origin: `trigger:task:${taskId}:${jobId}`,
    })
  }
  const workflows = await triggeredWorkflows(deps, customer, { kind: 'task', id: taskId, outcome })
  for (const workflowId of workflows) {
    await deps.startWorkflowRun?.({
      customer,
      workflowId,
      source: { kind: 'job', jobId, taskId, chain },
      sourceEventId: envelope.eventId,
      values: event.value.output,
      origin: `trigger:task:${taskId}:${jobId}`,
    })
  }
  return targets.length + workflows.length
}

/**
 * Whether any task of `customer` (or any workflow, when this scheduler starts workflow runs) is
 * triggered by some task's `outcome`: most jobs trigger nothing, and every finished job asks, so
 * it is one statement.
 */
async function anyTriggeredOn(deps: TriggeredRunsDeps, customer: string, outcome: string): Promise<boolean> {
  const triggered = (table: string) =>
    sql<boolean>`EXISTS (SELECT 1 FROM ${sql.table(table)}
      WHERE customer = ${customer} AND source_kind = 'task' AND outcome = ${outcome})`
  const workflows =
    deps.startWorkflowRun === undefined ? sql`` : sql`OR ${triggered(WORKFLOW_TRIGGERS_TABLE)}`
  const { rows } = await sql<{ triggered: boolean }>`
    SELECT ${triggered(TASK_TRIGGERS_TABLE)} ${workflows} AS triggered
  `.execute(deps.store.db)
  return rows[0]?.triggered === true
}

/** The workflows `source` triggers, when this scheduler starts workflow runs. */
async function triggeredWorkflows(
  deps: TriggeredRunsDeps,
  customer: string,
  source: Parameters<typeof workflowsTriggeredBy>[2],
): Promise<string[]> {
  if (deps.startWorkflowRun === undefined) return []
  return workflowsTriggeredBy(deps.store.db, customer, source)
}

/**
 * An incoming webhook fired: every task of its organization it triggers gets a job with the payload,
 * every workflow it triggers a run.
 */
export async function onWebhookFired(deps: TriggeredRunsDeps, envelope: Envelope): Promise<number> {
  if (envelope.streamType !== 'webhook') return 0
  const { event } = WebhookEvent.decode(envelope.data)
  if (event?.$case !== 'fired') return 0
  const webhookId = envelope.streamId
  const { customer } = envelope
  const targets = await tasksTriggeredBy(deps.store.db, customer, {
    kind: 'webhook',
    id: webhookId,
    outcome: '',
  })
  for (const target of targets) {
    await startTriggeredRun(deps, {
      customer,
      taskId: target,
      source: { kind: 'webhook', fireId: event.value.fireId || envelope.eventId },
      sourceEventId: envelope.eventId,
      values: valuesFromPayload(event.value.payloadJson),
      origin: `trigger:webhook:${webhookId}`,
    })
  }
  const source = { kind: 'webhook', id: webhookId, outcome: '' } as const
  const workflows = await triggeredWorkflows(deps, customer, source)
  for (const workflowId of workflows) {
    await deps.startWorkflowRun?.({
      customer,
      workflowId,
      source: { kind: 'webhook', fireId: event.value.fireId || envelope.eventId },
      sourceEventId: envelope.eventId,
      values: valuesFromPayload(event.value.payloadJson),
      origin: `trigger:webhook:${webhookId}`,
    })
  }
  return targets.length + workflows.length
}

/** Declares the trigger durables and consumes them; answers one subscription stopping them all. */
export async function consumeTriggers(deps: TriggeredRunsDeps & { bus: Bus }): Promise<Subscription> {
  const { bus } = deps
  for (const consumer of TRIGGER_CONSUMERS) {
    await bus.ensureConsumer(Streams.EVENTS.name, {
      durable: consumer.durable,
      filterSubjects: [...consumer.filterSubjects],
      ...('maxAckPending' in consumer ? { maxAckPending: consumer.maxAckPending } : {}),
    })
  }
  const subscriptions = [
    await bus.consume(Streams.EVENTS.name, Durables.taskTriggers, (msg) =>
      onTaskEvent(deps, envelopeOf(msg.data)),
    ),
    await bus.consume(Streams.EVENTS.name, Durables.jobTriggers, async (msg) => {
      await onJobFinished(deps, envelopeOf(msg.data))
    }),
    await bus.consume(Streams.EVENTS.name, Durables.webhookTriggers, async (msg) => {
      await onWebhookFired(deps, envelopeOf(msg.data))
    }),
  ]
  return {
    async stop() {
      await Promise.all(subscriptions.map((subscription) => subscription.stop()))
    },
  }
}
