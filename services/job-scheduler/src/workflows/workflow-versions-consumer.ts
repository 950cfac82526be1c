import { type Bus, decodeEnvelope, Streams, type Subscription } from '@taskforge/bus'
import { badRequest } from '@taskforge/core'
import type { Db } from '@taskforge/event-store'
import { WorkflowEvent } from '@taskforge/proto/catalog/v1/events'
import { Durables } from '@taskforge/protocol'
import { applyWorkflowEvent } from './workflow-versions.js'

/**
 * Follows the catalog's workflow events (`events.workflow.>`) into the scheduler's table of workflow
 * versions. Writing a version is idempotent, so a redelivery or an event older than one seen is harmless.
 */
export async function consumeWorkflowVersions(deps: { bus: Bus; db: Db }): Promise<Subscription> {
  const { bus, db } = deps
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
    await applyWorkflowEvent(db, { workflowId: envelope.streamId, customer: envelope.customer, event })
  })
}
