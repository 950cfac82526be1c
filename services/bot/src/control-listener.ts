import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream'
import { backoffDelay } from '@taskforge/core'
import { BotControl, type CancelJobControl } from '@taskforge/proto/bots/v1/protocol'
import { CONTROL_STREAM, Durables } from '@taskforge/protocol'
import type { Logger } from '@taskforge/telemetry'
import { pause, RECONNECT_BACKOFF } from './report-publisher.js'

export interface ControlListenerOptions {
  js: JetStreamClient
  botId: string
  logger: Logger
  /** Carries out a cancel; the order is acknowledged once this resolves. */
  onCancel(order: CancelJobControl): Promise<void>
  /** How long one pull waits for orders. */
  pullExpiresMs?: number
}

/**
 * Reads the bot's control consumer (orders such as "cancel this job") on its own pull loop, apart
 * from the dispatch loop, so that an order reaches a bot busy up to its concurrency. An order is
 * acknowledged after it was carried out; one that cannot be read is dropped. A missing consumer or
 * a refused pull is retried with backoff and never stops the bot from running its jobs.
 */
export class ControlListener {
  private stopping = false
  private readonly stopSignal = new AbortController()
  private batch: ConsumerMessages | undefined
  private loop: Promise<void> = Promise.resolve()

  constructor(private readonly options: ControlListenerOptions) {}

  /**
   * Reads the orders already waiting (bounded in time), then keeps listening. Dispatches are pulled
   * only after this answers, so a job canceled while the bot was away is known before it arrives.
   */
  async start(drainTimeoutMs = 3_000): Promise<void> {
    const consumer = await this.consumer().catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'control channel unavailable for now; will retry')
      return undefined
    })
    if (consumer !== undefined) {
      await Promise.race([this.drain(consumer), pause(drainTimeoutMs, this.stopSignal.signal)]).catch(
        (error: unknown) => this.options.logger.warn({ err: error }, 'waiting control orders not read'),
      )
    }
    this.loop = this.pullLoop(consumer)
  }

  async stop(): Promise<void> {
    this.stopping = true
    this.stopSignal.abort()
    await this.batch?.close().catch(() => {})
    await this.loop
  }

  private consumer(): Promise<Consumer> {
    return this.options.js.consumers.get(CONTROL_STREAM.name, Durables.botControl(this.options.botId))
  }

  private async drain(consumer: Consumer): Promise<void> {
    for (;;) {
      const info = await consumer.info()
      if (info.num_pending === 0 || this.stopping) return
      const batch = await consumer.fetch({ max_messages: 100, expires: 1_000 })
      for await (const msg of batch) await this.handle(msg)
    }
  }

  private async pullLoop(initial: Consumer | undefined): Promise<void> {
    let consumer = initial
    let failures = 0
    while (!this.stopping) {
      try {
        consumer ??= await this.consumer()
        this.batch = await consumer.fetch({ max_messages: 10, expires: this.options.pullExpiresMs ?? 10_000 })
        for await (const msg of this.batch) await this.handle(msg)
        failures = 0
      } catch (error) {
        if (this.stopping) break
        consumer = undefined
        const delay = backoffDelay(RECONNECT_BACKOFF, failures)
        failures += 1
        const log =
          failures === 1 || failures % 20 === 0 ? this.options.logger.warn : this.options.logger.debug
        log.call(this.options.logger, { err: error, retryInMs: delay }, 'cannot read control orders')
        await pause(delay, this.stopSignal.signal)
      } finally {
        this.batch = undefined
      }
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    let control: BotControl
    try {
      control = BotControl.decode(msg.data)
    } catch (error) {
      this.options.logger.error({ err: error, seq: msg.seq }, 'undecodable control order dropped')
      msg.term()
      return
    }
    if (control.botId !== this.options.botId || control.control === undefined) {
      this.options.logger.error({ controlId: control.controlId }, 'control order not for this bot dropped')
      msg.term()
      return
    }
    try {
      switch (control.control.$case) {
        case 'cancelJob':
          await this.options.onCancel(control.control.value)
          break
      }
      msg.ack()
    } catch (error) {
      this.options.logger.error({ err: error, controlId: control.controlId }, 'control order failed')
      msg.nak(1_000)
    }
  }
}
