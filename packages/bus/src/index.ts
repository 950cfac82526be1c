export type { Envelope } from '@taskforge/proto/events/v1/envelope'
export {
  botOfHeartbeatSubject,
  heartbeatsPerBot,
  SCRIPT_REQUESTS_PER_BOT,
  type StreamSpec,
  Streams,
  subjects,
} from '@taskforge/protocol'
export { type BudgetedSubscriptionOptions, subscribeWithBudget } from './budgeted-subscription.js'
export { Bus, type BusConnectOptions, type ConsumeOptions, type PublishOptions } from './bus.js'
export { busSettings } from './bus-settings.js'
export { type ForgetsOrganizations, followCatalogChanges } from './catalog-changes.js'
export type { BusMessage, MessageHandler, Subscription } from './consume.js'
export {
  type ConsumerSpec,
  consumerConfig,
  type DeclareOutcome,
  STREAM_LIMIT_DEFAULTS,
  streamConfig,
  streamLimits,
} from './declare.js'
export {
  decodeEnvelope,
  type EventMetadataLike,
  encodeEnvelope,
  type StoredEventLike,
  toEnvelope,
} from './envelope.js'
export { nakDelayMs } from './nak-delay.js'
export {
  NATS_AUTH_ENV,
  type NatsAuth,
  NatsAuthError,
  natsAuthenticator,
  natsAuthFromEnv,
} from './nats-auth.js'
export {
  DEFAULT_MAX_DELIVERIES,
  DEFAULT_MAX_WAITS,
  type FailureVerdict,
  judgeFailure,
  type MessageQuarantine,
  type PoisonMessage,
  type ReplayedMessage,
} from './poison.js'
export { type PublisherBudget, PublisherBudgets, type PublisherDropReason } from './publisher-budget.js'
export { RedeliverLater } from './redeliver-later.js'
