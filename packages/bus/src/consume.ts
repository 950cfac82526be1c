import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream'
import type { MsgHdrs } from '@nats-io/transport-node'
import { Streams } from '@taskforge/protocol'
import {
  type Context,
  contextFromTrace,
  extractContext,
  type Logger,
  recordError,
  SpanKind,
  withSpan,
} from '@taskforge/telemetry'
import { decodeEnvelope } from './envelope.js'
import { headersToRecord, headerValue, natsHeader } from './message-headers.js'
import { nakDelayMs } from './nak-delay.js'
import { judgeFailure, type MessageQuarantine, type ReplayedMessage } from './poison.js'
import { type PublisherBudget, PublisherBudgets } from './publisher-budget.js'
import { RedeliverLater } from './redeliver-later.js'
import { retryTransient } from './retry-transient.js'

/** One JetStream message as a handler sees it. */
export interface BusMessage {
  subject: string
  data: Uint8Array
  headers: Record<string, string>
  /** `Nats-Msg-Id` of the publish, when it had one. */
  msgId?: string
  /** 1 on the first delivery. */
  deliveryCount: number
  streamSequence: number
  /** Tells the server the handler is still busy, postponing redelivery by one ack wait. */
  working(): void
}

/** Handles one message: resolve to ack, throw to have it redelivered (or terminated, see {@link Bus.consume}). */
export type MessageHandler = (msg: BusMessage) => Promise<void>

/** A running consumer. */
export interface Subscription {
  /** Stops pulling, hands back buffered messages, and resolves once every running handler settled. */
  stop(): Promise<void>
}

const RESUME_DELAY_MS = 1_000

/** The trace a message continues: its headers, or for domain events the envelope's stored trace. */
function parentContext(stream: string, headers: MsgHdrs | undefined, data: Uint8Array): Context {
  if (natsHeader(headers, 'traceparent') !== undefined)
    return extractContext((key) => natsHeader(headers, key))
  if (stream === Streams.EVENTS.name) {
    try {
      return contextFromTrace(decodeEnvelope(data).trace)
    } catch {
      return contextFromTrace(undefined)
    }
  }
  return contextFromTrace(undefined)
}

/** The organization a domain event belongs to, when its envelope decodes. */
function customerOf(stream: string, data: Uint8Array): string | undefined {
  if (stream !== Streams.EVENTS.name) return undefined
  try {
    return decodeEnvelope(data).customer || undefined
  } catch {
    return undefined
  }
}

/** The handler's view of a JetStream message; its header record is only built if a handler reads it. */
function toBusMessage(msg: JsMsg): BusMessage {
  const { deliveryCount, streamSequence } = msg.info
  const msgId = natsHeader(msg.headers, 'Nats-Msg-Id')
  let headers: Record<string, string> | undefined
  return {
    subject: msg.subject,
    data: msg.data,
    get headers() {
      headers ??= headersToRecord(msg.headers)
      return headers
    },
    ...(msgId === undefined ? {} : { msgId }),
    deliveryCount,
    streamSequence,
    working: () => msg.working(),
  }
}

/**
 * Acks given within one turn of the event loop, sent together once it ends: the connection writes
 * them to the socket at once instead of one write each. An ack is fire-and-forget either way (one
 * lost to a crash means a redelivery), so holding it back a turn changes no guarantee; under load
 * a turn handles many messages and the writes per message fall.
 */
class AckBatch {
  #pending: JsMsg[] = []
  readonly #onError: (error: unknown) => void

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError
  }

  add(msg: JsMsg): void {
    if (this.#pending.push(msg) === 1) setImmediate(() => this.flush())
  }

  /** Sends every ack held back. */
  flush(): void {
    const pending = this.#pending
    this.#pending = []
    for (const msg of pending) {
      try {
        msg.ack()
      } catch (error) {
        this.#onError(error)
      }
    }
  }
}

/**
 * Pull-consumes `durable` with explicit acks, at most `concurrency` handlers at a time (1 keeps the
 * stream's order). Up to `prefetch` messages are pulled ahead of the handlers (by default as many as
 * run at once, so none waits in a client buffer while its ack wait runs); a larger prefetch lets the
 * server deliver a burst per pull request, and the acks of a burst go out in one write.
 */
export async function startConsumer(
  js: JetStreamClient,
  args: {
    stream: string
    durable: string
    handler: MessageHandler
    concurrency: number
    /** Messages pulled ahead of the handlers (default: the concurrency). */
    prefetch?: number
    logger: Logger
    /** Where a message that cannot be handled goes; without one it is redelivered for ever. */
    quarantine: MessageQuarantine | undefined
    maxDeliveries: number
    maxWaits: number
    /** What one publisher's messages may cost, for a stream untrusted publishers write to. */
    publisherBudget?: PublisherBudget
  },
): Promise<Subscription> {
  const { stream, durable, handler, concurrency, logger, quarantine } = args
  const pipeline = `consumer:${stream}/${durable}`
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error('concurrency must be a positive integer')
  const prefetch = args.prefetch ?? concurrency
  if (!Number.isInteger(prefetch) || prefetch < concurrency)
    throw new Error('prefetch must be an integer of at least the concurrency')
  const consumer = await retryTransient(
    `consumer ${stream}/${durable}`,
    () => js.consumers.get(stream, durable),
    logger,
  )
  const inFlight = new Set<Promise<void>>()
  let stopped = false
  let messages: ConsumerMessages | undefined
  let wake: (() => void) | undefined
  const budgets =
    args.publisherBudget === undefined
      ? undefined
      : new PublisherBudgets(args.publisherBudget, logger, { stream, durable })
  const acks = new AckBatch((error) => logger.error({ err: error, stream, durable }, 'ack failed'))

  const handle = (msg: JsMsg): Promise<void> => {
    if (budgets !== undefined && !budgets.admit(msg.subject)) {
      // Past its publisher's budget: dropped unread (counted and logged by the budget).
      msg.term()
      return Promise.resolve()
    }
    const busMessage = toBusMessage(msg)
    return withSpan(
      `process ${stream}`,
      {
        kind: SpanKind.CONSUMER,
        parent: parentContext(stream, msg.headers, msg.data),
        attributes: {
          'messaging.system': 'nats',
          'messaging.operation.type': 'process',
          'messaging.destination.name': msg.subject,
          'messaging.consumer.group.name': durable,
          'messaging.message.id': busMessage.msgId ?? '',
          'messaging.nats.delivery_count': busMessage.deliveryCount,
        },
      },
      async (span) => {
        try {
          await handler(busMessage)
          acks.add(msg)
        } catch (error) {
          const where = { stream, durable, subject: msg.subject, seq: busMessage.streamSequence }
          const verdict = judgeFailure(error, busMessage.deliveryCount, args)
          if (verdict.action === 'wait' && error instanceof RedeliverLater) {
            logger.debug({ ...where, reason: error.message, delayMs: error.delayMs }, 'message put back')
            msg.nak(error.delayMs)
            return
          }
          recordError(span, error)
          if (verdict.action === 'reject' || verdict.action === 'set-aside') budgets?.failed(msg.subject)
          if (verdict.action === 'reject') {
            logger.warn({ ...where, err: error }, 'message rejected for good')
            // No reason text: servers before 2.10 do not recognise `+TERM <reason>` and leave the message pending.
            msg.term()
            return
          }
          if (verdict.action === 'set-aside' && quarantine !== undefined) {
            try {
              const customer = customerOf(stream, msg.data)
              await quarantine.setAsideMessage({
                pipeline,
                key: `${stream}:${busMessage.streamSequence}`,
                ...(customer === undefined ? {} : { customer }),
                subject: msg.subject,
                streamSequence: busMessage.streamSequence,
                data: msg.data,
                headers: busMessage.headers,
                error,
                attempts: busMessage.deliveryCount,
              })
              msg.term()
              return
            } catch (recordFailure) {
              logger.error(
                { ...where, err: recordFailure },
                'cannot set the message aside; it is redelivered',
              )
            }
          }
          const delayMs = nakDelayMs(busMessage.deliveryCount)
          logger.error(
            { ...where, err: error, deliveryCount: busMessage.deliveryCount, delayMs },
            'message failed',
          )
          msg.nak(delayMs)
        }
      },
    )
  }

  const watch = async (iter: ConsumerMessages): Promise<void> => {
    for await (const status of iter.status()) {
      if (status.type === 'heartbeat' || status.type === 'next' || status.type === 'discard') continue
      // Pull requests that expire empty (408) are routine on an idle consumer.
      if (status.type === 'debug') logger.debug({ stream, durable, status }, 'consumer status')
      else logger.warn({ stream, durable, status }, 'consumer status')
    }
  }

  const pump = async (): Promise<void> => {
    while (!stopped) {
      try {
        const iter = await consumer.consume({ max_messages: prefetch })
        messages = iter
        if (stopped) await iter.close()
        watch(iter).catch(() => {})
        for await (const msg of iter) {
          if (stopped) {
            // Pulled but not started: give it back now instead of after the ack wait.
            msg.nak()
            continue
          }
          const task = handle(msg)
            .catch((error: unknown) => logger.error({ err: error, stream, durable }, 'ack failed'))
            .finally(() => inFlight.delete(task))
          inFlight.add(task)
          if (inFlight.size >= concurrency) await Promise.race(inFlight)
        }
      } catch (error) {
        logger.error({ err: error, stream, durable }, 'consumer failed')
      }
      if (!stopped) {
        logger.warn({ stream, durable }, 'consumer ended unexpectedly; resuming')
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, RESUME_DELAY_MS)
        })
      }
    }
  }

  const unregister = quarantine?.registerReplayer(pipeline, async (item, stored) => {
    if (stored === undefined) throw new Error(`the quarantine holds no message for ${item.key}`)
    await handler(replayedMessage(stored))
  })
  const running = pump()
  let stopping: Promise<void> | undefined
  return {
    stop() {
      stopping ??= (async () => {
        stopped = true
        unregister?.()
        wake?.()
        await messages?.close()
        await running
        await Promise.allSettled([...inFlight])
        acks.flush()
      })()
      return stopping
    },
  }
}

/** A quarantined message handed to its handler again by an operator's replay. */
function replayedMessage(stored: ReplayedMessage): BusMessage {
  const msgId = headerValue(stored.headers, 'Nats-Msg-Id')
  return {
    subject: stored.subject,
    data: stored.data,
    headers: stored.headers,
    ...(msgId === undefined ? {} : { msgId }),
    deliveryCount: 1,
    streamSequence: stored.streamSequence,
    working: () => undefined,
  }
}
