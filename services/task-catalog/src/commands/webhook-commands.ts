import { isId, newId, newSecret, notFound } from '@taskforge/core'
import { type EventStore, handleCommand, type Projector, type StoredEvent } from '@taskforge/event-store'
import { type WebhookCommand, webhookDecider } from '../domain/webhook-decider.js'
import type { CommandContext } from '../events/command-context.js'
import { decodeWebhookEvent, encodeWebhookEvent, WEBHOOK_STREAM } from '../events/webhook-codec.js'
import type { SecretSealer } from '../secrets/secret-sealer.js'

export interface WebhookCommandsDeps {
  store: EventStore
  projector: Projector
  /** Seals each new webhook's secret: stored and published only sealed. */
  sealer: SecretSealer
  /** How long a command waits for its events to reach the read model (default 10s). */
  readYourWritesTimeoutMs?: number
}

/** A recorded fire. */
export interface WebhookFire {
  fireId: string
  payloadJson: string
  firedAt: Date
}

/**
 * The command side of incoming webhooks: create (with a fresh secret), delete, and record a fire
 * with its payload. Every command waits until the read model holds its events.
 */
export class WebhookCommands {
  readonly #store: EventStore
  readonly #projector: Projector
  readonly #sealer: SecretSealer
  readonly #timeoutMs: number

  constructor(deps: WebhookCommandsDeps) {
    this.#store = deps.store
    this.#projector = deps.projector
    this.#sealer = deps.sealer
    this.#timeoutMs = deps.readYourWritesTimeoutMs ?? 10_000
  }

  async createWebhook(ctx: CommandContext, name: string): Promise<{ webhookId: string }> {
    const webhookId = newId()
    await this.#execute(ctx, webhookId, {
      type: 'createWebhook',
      webhookId,
      customer: ctx.customer,
      name,
      sealedSecret: this.#sealer.seal(newSecret(), {
        purpose: 'webhook-secret',
        customer: ctx.customer,
        webhookId,
      }),
    })
    return { webhookId }
  }

  async deleteWebhook(ctx: CommandContext, webhookId: string): Promise<void> {
    await this.#execute(ctx, webhookId, { type: 'deleteWebhook', webhookId, customer: ctx.customer })
  }

  /**
   * Records a fire of `webhook` (as the read model holds it; the caller checked the secret). A fire
   * depends on nothing but the webhook being live, so it is appended without reading the stream,
   * whose length grows with every fire, and without a version check: fires never conflict with each
   * other. A fire racing with the webhook's deletion may still be recorded.
   */
  async fireWebhook(
    ctx: CommandContext,
    webhook: { id: string; customer: string; name: string },
    payloadJson: string,
  ): Promise<WebhookFire> {
    const command: WebhookCommand = {
      type: 'fireWebhook',
      webhookId: webhook.id,
      customer: ctx.customer,
      fireId: newId(),
      payloadJson,
      firedAt: new Date(),
    }
    const [fired] = webhookDecider.decide(command, { status: 'active', webhookId: webhook.id, ...webhook })
    if (fired?.$case !== 'fired') throw notFound('webhook', webhook.id)
    const { events } = await this.#store.appendToStream(
      WEBHOOK_STREAM,
      webhook.id,
      [encodeWebhookEvent(fired, ctx)],
      { expectedVersion: 'stream_exists' },
    )
    await this.#readYourWrites(events)
    return {
      fireId: fired.value.fireId,
      payloadJson: fired.value.payloadJson,
      firedAt: fired.value.firedAt ?? command.firedAt,
    }
  }

  async #execute(ctx: CommandContext, webhookId: string, command: WebhookCommand) {
    if (!isId(webhookId)) throw notFound('webhook', webhookId)
    const { appended, newEvents } = await handleCommand(this.#store, {
      streamType: WEBHOOK_STREAM,
      streamId: webhookId,
      decider: webhookDecider,
      command,
      encode: (event) => encodeWebhookEvent(event, ctx),
      decode: (stored) => {
        // An id of another kind of stream (a task id sent as a webhook id) names no webhook.
        if (stored.streamType !== WEBHOOK_STREAM) throw notFound('webhook', webhookId)
        return decodeWebhookEvent(stored)
      },
    })
    await this.#readYourWrites(appended)
    return newEvents
  }

  async #readYourWrites(appended: StoredEvent[]): Promise<void> {
    await this.#projector.waitForAppended(appended, { timeoutMs: this.#timeoutMs, projections: ['webhooks'] })
  }
}
