import {
  type Bus,
  type BusMessage,
  decodeEnvelope,
  Streams,
  type Subscription,
  subjects,
} from '@taskforge/bus'
import { badRequest } from '@taskforge/core'
import { BotControl } from '@taskforge/proto/bots/v1/protocol'
import { Durables } from '@taskforge/protocol'
import type { BotOwners } from '../domain/bot-owners.js'
import { cancelFromEnvelope } from './control-message.js'

export const CANCELS_SUBJECT = subjects.event('job', 'cancelRequested')

/**
 * Carries one cancel decision to its bot's control subject, once (dedup id = the order's id). A
 * cancel for a bot that does not exist or belongs to another customer is terminated and logged.
 */
export async function carryCancel(deps: { bus: Bus; owners: BotOwners }, msg: BusMessage): Promise<void> {
  let control: BotControl | undefined
  try {
    control = cancelFromEnvelope(decodeEnvelope(msg.data))
  } catch (error) {
    throw badRequest('undecodable job event', { cause: String(error) })
  }
  if (control === undefined) return
  if ((await deps.owners.ownerOf(control.botId)) !== control.customer) {
    throw badRequest(`cancel for unknown bot ${control.botId}`, { controlId: control.controlId })
  }
  await deps.bus.publish(subjects.control(control.botId), BotControl.encode(control).finish(), {
    msgId: control.controlId,
  })
}

/** Starts carrying cancel decisions, a few at once (each is independent and deduplicated). */
export function carryCancels(deps: { bus: Bus; owners: BotOwners }, concurrency = 4): Promise<Subscription> {
  return deps.bus.consume(Streams.EVENTS.name, Durables.cancels, (msg) => carryCancel(deps, msg), {
    concurrency,
  })
}
