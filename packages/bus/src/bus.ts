import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type StreamConfig,
} from '@nats-io/jetstream'
import { connect, type NatsConnection, headers as natsHeaders, type Status } from '@nats-io/transport-node'
import { type Context, context } from '@opentelemetry/api'
import { Transport } from '@taskforge/core'
import { type StreamSpec, subjects } from '@taskforge/protocol'
import {
  contextFromTrace,
  createLogger,
  injectHeaders,
  type Logger,
  SpanKind,
  withSpan,
} from '@taskforge/telemetry'
import { type MessageHandler, type Subscription, startConsumer } from './consume.js'
import { type ConsumerSpec, consumerConfig, ensureConsumer, ensureStream, streamConfig } from './declare.js'
import { encodeEnvelope, type StoredEventLike } from './envelope.js'
import { type NatsAuth, natsAuthenticator, natsAuthFromEnv } from './nats-auth.js'
import { DEFAULT_MAX_DELIVERIES, DEFAULT_MAX_WAITS, type MessageQuarantine } from './poison.js'
import type { PublisherBudget } from './publisher-budget.js'
import { retryTransient } from './retry-transient.js'

export interface BusConnectOptions {
  servers: string | string[]
  /** Connection name shown by the server (the service name). */
  name: string
  /**
   * How to authenticate. Default: `user`/`pass` or `token` when given, else the environment
   * ({@link natsAuthFromEnv}: `NATS_CREDS`, `NATS_USER_JWT` + `NATS_USER_SEED`, ...), else none.
   */
  auth?: NatsAuth
  user?: string
  pass?: string
  token?: string
  /** Subject prefix of the connection's reply inboxes, for users allowed to receive only some (`_INBOX.<id>`). */
  inboxPrefix?: string
  logger?: Logger
  /** Keep trying when no server answers the first connect, instead of failing (default false). */
  waitOnFirstConnect?: boolean
}

export interface PublishOptions {
  /** `Nats-Msg-Id`: the server drops a second message with the same id within the duplicate window. */
  msgId: string
  /** Extra headers; a `traceparent` here wins over the active span's. */
  headers?: Record<string, string>
}

export interface ConsumeOptions {
  /** Handlers running at once (default 1: strictly in stream order). */
  concurrency?: number
  /**
   * Messages pulled ahead of the handlers (default: the concurrency). A larger prefetch costs fewer
   * pull requests and writes per message under load; each prefetched message waits its turn within
   * its ack wait, so prefetch × the handling time of one message must stay well below it.
   */
  prefetch?: number
  /** Deliveries of a failing message before it is set aside (default 5; see {@link judgeFailure}). */
  maxDeliveries?: number
  /** Deliveries of a message waiting for another (RedeliverLater) before it is set aside (default 300). */
  maxWaits?: number
  /** What one publisher's messages may cost (a stream untrusted publishers write to; see {@link PublisherBudget}). */
  publisherBudget?: PublisherBudget
}

function describeStatus(status: Status): { level: 'info' | 'warn' | 'error' | 'debug'; fields: object } {
  switch (status.type) {
    case 'disconnect':
    case 'ldm':
      return { level: 'warn', fields: { status: status.type, server: status.server } }
    case 'reconnect':
      return { level: 'info', fields: { status: status.type, server: status.server } }
    case 'reconnecting':
    case 'staleConnection':
    case 'forceReconnect':
      return { level: 'warn', fields: { status: status.type } }
    case 'slowConsumer':
      return {
        level: 'warn',
        fields: { status: status.type, subject: status.sub.getSubject(), pending: status.pending },
      }
    case 'error':
      return { level: 'error', fields: { status: status.type, err: status.error } }
    case 'close':
      return { level: 'info', fields: { status: status.type } }
    default:
      return { level: 'debug', fields: { status: status.type } }
  }
}

function connectionAuth(options: BusConnectOptions): NatsAuth {
  if (options.auth !== undefined) return options.auth
  if (options.user !== undefined)
    return { type: 'user-password', user: options.user, pass: options.pass ?? '' }
  if (options.token !== undefined) return { type: 'token', token: options.token }
  return natsAuthFromEnv(process.env)
}

/**
 * The platform's JetStream bus: declares streams and durable consumers, publishes with dedup ids and
 * W3C trace headers, and consumes with explicit acks.
 *
 * @example
 * const bus = await Bus.connect({ servers: config.natsUrl, name: 'bot-dispatch' })
 * await bus.ensureStream(Streams.EVENTS)
 * await bus.ensureConsumer('EVENTS', { durable: 'bot-dispatch-assignments', filterSubjects: ['events.job.assigned'] })
 * const sub = await bus.consume('EVENTS', 'bot-dispatch-assignments', async (msg) => {
 *   const envelope = decodeEnvelope(msg.data)
 * })
 */
export class Bus {
  readonly nc: NatsConnection
  readonly js: JetStreamClient
  readonly jsm: JetStreamManager
  readonly #logger: Logger
  readonly #subscriptions = new Set<Subscription>()
  #quarantine: MessageQuarantine | undefined
  #connected = true
  readonly #connectionListeners = new Set<(connected: boolean) => void>()

  private constructor(nc: NatsConnection, jsm: JetStreamManager, logger: Logger) {
    this.nc = nc
    this.jsm = jsm
    this.js = jetstream(nc)
    this.#logger = logger
    this.#watchStatus().catch((error: unknown) => logger.error({ err: error }, 'status watch failed'))
  }

  /** Connects and reconnects forever (every status change is logged). */
  static async connect(options: BusConnectOptions): Promise<Bus> {
    const logger = options.logger ?? createLogger('bus', { connection: options.name })
    const authenticator = natsAuthenticator(connectionAuth(options))
    const nc = await connect({
      servers: options.servers,
      name: options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      pingInterval: 20_000,
      waitOnFirstConnect: options.waitOnFirstConnect ?? false,
      // An async stack trace captured per request costs every publish and pull; errors keep their own stack.
      noAsyncTraces: true,
      ...(authenticator === undefined ? {} : { authenticator }),
      ...(options.inboxPrefix === undefined ? {} : { inboxPrefix: options.inboxPrefix }),
    })
    try {
      const jsm = await jetstreamManager(nc)
      logger.info({ server: nc.getServer() }, 'connected to NATS')
      const maxPayload = nc.info?.max_payload ?? Transport.natsMaxPayload
      if (maxPayload < Transport.natsMaxPayload) {
        // The input limits are sized so that every event fits this much (docs/limits.md).
        logger.error(
          { maxPayload, needed: Transport.natsMaxPayload },
          'nats-server max_payload is below what the input limits need: large accepted inputs will not travel',
        )
      }
      return new Bus(nc, jsm, logger)
    } catch (error) {
      await nc.close()
      throw error
    }
  }

  /**
   * Resolves when JetStream answers a request now (the account's info): tells a failure of one
   * message (too large, refused) from a broker that does not answer at all.
   */
  async probe(): Promise<void> {
    await this.jsm.getAccountInfo()
  }

  /** Whether the connection is up now (false while reconnecting); a readiness check. */
  get connected(): boolean {
    return this.#connected && !this.nc.isClosed()
  }

  /**
   * Calls `listener` with false when the connection is lost and with true once it is back (core
   * subscriptions are then in place again: what was published in between was missed). Answers the
   * function that stops the calls.
   */
  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.#connectionListeners.add(listener)
    return () => this.#connectionListeners.delete(listener)
  }

  /**
   * Creates the stream or updates it to the platform's settings (file storage, 2 min duplicate window,
   * 7 days of messages, `NATS_STREAM_REPLICAS` replicas); safe from every replica on every start.
   */
  async ensureStream(stream: StreamSpec, overrides?: Partial<StreamConfig>): Promise<void> {
    await retryTransient(
      `stream ${stream.name}`,
      () => ensureStream(this.jsm, streamConfig(stream, overrides), this.#logger),
      this.#logger,
    )
  }

  /** Creates or updates a durable pull consumer (explicit ack, ack wait 30s, unlimited deliveries, from the start). */
  async ensureConsumer(stream: string, consumer: ConsumerSpec): Promise<void> {
    await retryTransient(
      `consumer ${stream}/${consumer.durable}`,
      () =>
        ensureConsumer(
          this.jsm,
          stream,
          { ...consumerConfig(consumer), durable_name: consumer.durable },
          this.#logger,
        ),
      this.#logger,
    )
  }

  /** JetStream publish with `Nats-Msg-Id` = msgId and the W3C headers of the active span; resolves on the ack. */
  publish(subject: string, data: Uint8Array, options: PublishOptions): Promise<void> {
    return this.#send(subject, data, options, context.active())
  }

  /**
   * The outbox relay's publish: each stored event as an events.v1.Envelope on
   * `events.<streamType>.<type>` with msgId = eventId, continuing the trace stored with the event. All
   * publishes run at once; resolves when every ack arrived, rejects if any failed (a retry is safe:
   * the server drops duplicates).
   */
  async publishEvents(events: StoredEventLike[]): Promise<void> {
    const results = await Promise.allSettled(
      events.map((event) => {
        const { traceparent, tracestate } = event.metadata
        const parent = contextFromTrace(
          traceparent === undefined ? undefined : { traceparent, tracestate: tracestate ?? '' },
        )
        const subject = subjects.event(event.streamType, event.type)
        return this.#send(subject, encodeEnvelope(event), { msgId: event.eventId }, parent)
      }),
    )
    const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected')
    if (failures.length > 0) {
      throw new Error(`${failures.length} of ${events.length} events were not published`, {
        cause: failures[0]?.reason,
      })
    }
  }

  /**
   * Sets where this bus's consumers (those started after) set aside a message they cannot handle:
   * the service's quarantine. Without one, such a message is redelivered for ever.
   */
  useQuarantine(quarantine: MessageQuarantine): void {
    this.#quarantine = quarantine
  }

  /**
   * Pull-consumes a durable with explicit ack. The handler resolving acks the message. A failure
   * naks it with a delay of min(1s * 2^(deliveries-1), 30s), but for: `RedeliverLater`, naked
   * with its own delay; a failure of the infrastructure, retried without end; a malformed message
   * (BAD_REQUEST and the like), set aside in the quarantine at once; another non-retryable AppError,
   * terminated; any other failure, set aside after `maxDeliveries` (see {@link judgeFailure}). Each handler runs in a consumer span continuing the
   * message's trace (headers, or the envelope's trace on EVENTS).
   */
  async consume(
    stream: string,
    durable: string,
    handler: MessageHandler,
    options: ConsumeOptions = {},
  ): Promise<Subscription> {
    const subscription = await startConsumer(this.js, {
      stream,
      durable,
      handler,
      concurrency: options.concurrency ?? 1,
      ...(options.prefetch === undefined ? {} : { prefetch: options.prefetch }),
      logger: this.#logger,
      quarantine: this.#quarantine,
      maxDeliveries: options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES,
      maxWaits: options.maxWaits ?? DEFAULT_MAX_WAITS,
      ...(options.publisherBudget === undefined ? {} : { publisherBudget: options.publisherBudget }),
    })
    this.#subscriptions.add(subscription)
    return {
      stop: async () => {
        this.#subscriptions.delete(subscription)
        await subscription.stop()
      },
    }
  }

  /** Stops every consumer (waiting for running handlers), then drains and closes the connection. */
  async close(): Promise<void> {
    const subscriptions = [...this.#subscriptions]
    this.#subscriptions.clear()
    await Promise.allSettled(subscriptions.map((subscription) => subscription.stop()))
    if (this.nc.isClosed()) return
    try {
      await this.nc.drain()
    } catch {
      await this.nc.close()
    }
  }

  /** Publishes under a producer span started in `parent`, whose context the headers carry. */
  async #send(subject: string, data: Uint8Array, options: PublishOptions, parent: Context): Promise<void> {
    await withSpan(
      `publish ${subject.split('.')[0] ?? subject}`,
      {
        kind: SpanKind.PRODUCER,
        parent,
        attributes: {
          'messaging.system': 'nats',
          'messaging.operation.type': 'send',
          'messaging.destination.name': subject,
          'messaging.message.id': options.msgId,
        },
      },
      async () => {
        const headers = natsHeaders()
        for (const [key, value] of Object.entries(options.headers ?? {})) headers.set(key, value)
        if (options.headers?.traceparent === undefined) injectHeaders((key, value) => headers.set(key, value))
        await this.js.publish(subject, data, { msgID: options.msgId, headers })
      },
    )
  }

  async #watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') {
        this.#connected = status.type === 'reconnect'
        for (const listener of this.#connectionListeners) listener(this.#connected)
      }
      const { level, fields } = describeStatus(status)
      this.#logger[level](fields, 'NATS connection status')
    }
  }
}
