import {
  type Bus,
  type BusMessage,
  decodeEnvelope,
  Streams,
  type Subscription,
  subjects,
} from '@taskforge/bus'
import { badRequest } from '@taskforge/core'
import { DispatchJob } from '@taskforge/proto/bots/v1/protocol'
import { Durables } from '@taskforge/protocol'
import { currentTraceContext } from '@taskforge/telemetry'
import type { BotOwners } from '../domain/bot-owners.js'
import { dispatchFromEnvelope, dispatchMsgId } from './dispatch-message.js'

export const ASSIGNMENTS_SUBJECT = subjects.event('job', 'assigned')

export interface CarrierDeps {
  bus: Bus
  owners: BotOwners
}

/**
 * Carries one assignment to its bot's dispatch subject. The publish uses `<jobId>.<attempt>` as its
 * dedup id, so an event delivered twice (or published twice by the relay) reaches the bot once; the
 * message is acked only after JetStream acked the publish. An assignment to a bot that does not exist
 * (or belongs to another customer) throws a non-retryable error: the bus terminates it and logs why;
 * the scheduler owns leases and timeouts of such a job.
 */
export async function carryAssignment(deps: CarrierDeps, msg: BusMessage): Promise<void> {
  const { bus, owners } = deps
  let dispatch: DispatchJob | undefined
  try {
    dispatch = dispatchFromEnvelope(decodeEnvelope(msg.data))
  } catch (error) {
    throw badRequest('undecodable job event', { cause: String(error) })
  }
  if (dispatch === undefined) return
  if ((await owners.ownerOf(dispatch.botId)) !== dispatch.customer) {
    throw badRequest(`job ${dispatch.jobId} is assigned to unknown bot ${dispatch.botId}`, {
      jobId: dispatch.jobId,
      botId: dispatch.botId,
    })
  }
  // The bot continues this consumer's span, not the appender's: its run then hangs under the carry.
  dispatch.trace = currentTraceContext() ?? dispatch.trace
  await bus.publish(subjects.dispatch(dispatch.botId), DispatchJob.encode(dispatch).finish(), {
    msgId: dispatchMsgId(dispatch),
  })
}

/**
 * Starts carrying assignments, a few at once (each is independent; the dedup id keeps them
 * exactly-once), with a burst pulled per request: a carry is one publish, so a prefetched
 * assignment waits milliseconds.
 */
export function carryAssignments(deps: CarrierDeps, concurrency = 8): Promise<Subscription> {
  return deps.bus.consume(Streams.EVENTS.name, Durables.assignments, (msg) => carryAssignment(deps, msg), {
    concurrency,
    prefetch: concurrency * 4,
  })
}
