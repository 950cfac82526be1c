import { type Bus, decodeEnvelope, Streams, type Subscription } from '@taskforge/bus'
import { badRequest } from '@taskforge/core'
import type { EventStore } from '@taskforge/event-store'
import { WorkflowEvent } from '@taskforge/proto/catalog/v1/events'
import { Durables } from '@taskforge/protocol'
import { applyWorkflowTriggers } from './workflow-triggers.js'
import { applyWorkflowEvent } from './workflow-versions.js'

/**
 * Follows the catalog's workflow events (`events.workflow.>`) into the scheduler's table of workflow
 * versions and its copy of the workflows' triggers. Writing a version is idempotent, and triggers are
 * applied by stream version, so a redelivery or an event older than one seen is harmless.
 */
export async function consumeWorkflowVersions(deps: { bus: Bus; store: EventStore }): Promise<Subscription> {
  const { bus, store } = deps
  await bus.ensureConsumer(Streams.EVENTS.name, {
    durable: Durables.workflowVersions,
    filterSubjects: ['events.workflow.>'],
  })
  return bus.consume(Streams.EVENTS.name, Durables.workflowVersions, async (msg) => {
    let envelope: ReturnType<typeof decodeEnvelope>
    try {
      envelope = decodeEnvelope(msg.data)
    } catch (error) {
      throw badRequest('undecodable event envelope', { cause: String(error) })
    }
    if (envelope.streamType !== 'workflow') return
    const { event } = WorkflowEvent.decode(envelope.data)
    if (event === undefined) return
    const fact = { workflowId: envelope.streamId, customer: envelope.customer, event }
    await store.transaction(async (trx) => {
      await applyWorkflowEvent(trx, fact)
      await applyWorkflowTriggers(trx, { ...fact, streamVersion: Number(envelope.streamVersion) })
    })
  })
}
