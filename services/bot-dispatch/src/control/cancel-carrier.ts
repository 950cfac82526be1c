import {
  type Bus,
  type BusMessage,
  decodeEnvelope,
  Streams,
  type Subscription,
  subjects,
} from '@taskforge/bus'
import { badRequest, fold, isId } from '@taskforge/core'
import type { EventStore } from '@taskforge/event-store'
import { BotControl } from '@taskforge/proto/bots/v1/protocol'
import { botDecider } from '../domain/bot-decider.js'
import { decodeBotEvent } from '../domain/bot-events.js'
import { controlSubject } from './control-channel.js'
import { cancelFromEnvelope } from './control-message.js'

/** bot-dispatch's durable on EVENTS, filtered to the scheduler's cancel decisions. */
export const CANCELS_DURABLE = 'bot-dispatch-cancels'
export const CANCELS_SUBJECT = subjects.event('job', 'cancelRequested')

/**
 * Carries one cancel decision to its bot's control subject, once (dedup id = the order's id). A
 * cancel for a bot that does not exist or belongs to another customer is terminated and logged.
 */
export async function carryCancel(deps: { bus: Bus; store: EventStore }, msg: BusMessage): Promise<void> {
  let control: BotControl | undefined
  try {
    control = cancelFromEnvelope(decodeEnvelope(msg.data))
  } catch (error) {
    throw badRequest('undecodable job event', { cause: String(error) })
  }
  if (control === undefined) return
  const bot = isId(control.botId)
    ? fold(botDecider, (await deps.store.readStream(control.botId)).events.map(decodeBotEvent))
    : botDecider.initialState()
  if (bot.botId === undefined || bot.customer !== control.customer) {
    throw badRequest(`cancel for unknown bot ${control.botId}`, { controlId: control.controlId })
  }
  await deps.bus.publish(controlSubject(control.botId), BotControl.encode(control).finish(), {
    msgId: control.controlId,
  })
}

/** Starts carrying cancel decisions, a few at once (each is independent and deduplicated). */
export function carryCancels(deps: { bus: Bus; store: EventStore }, concurrency = 4): Promise<Subscription> {
  return deps.bus.consume(Streams.EVENTS.name, CANCELS_DURABLE, (msg) => carryCancel(deps, msg), {
    concurrency,
  })
}
