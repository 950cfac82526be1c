export {
  CONSUMER_ACK_PENDING,
  CONSUMER_PENDING,
  type ConsumerInfoLike,
  type ConsumerInfoSource,
  trackConsumerLag,
  type WatchedConsumers,
} from './consumer-lag.js'
export { APPEND_DURATION, type AppendObservationLike, appendObserver } from './event-store-metrics.js'
export { HEARTBEATS_DROPPED, heartbeatMetrics } from './heartbeat-metrics.js'
export {
  BOT_QUEUE_DEPTH,
  BOT_QUEUE_OLDEST_WAIT,
  type BotQueue,
  DISPATCH_LATENCY,
  JOBS,
  type JobCount,
  type JobMetrics,
  type JobMetricsSource,
  jobMetrics,
  RUN_DURATION,
} from './job-metrics.js'
export { type Exposition, parsePrometheusText, type Sample } from './prometheus-text.js'
export { PUBLISHER_DROPPED, publisherDropMetrics } from './publisher-metrics.js'
export { QUARANTINE_ITEMS, QUARANTINED_TOTAL, quarantineMetrics } from './quarantine-metrics.js'
export {
  SCHEDULE_FIRE_LAG,
  SCHEDULE_FIRES,
  type ScheduleFireObservation,
  scheduleMetrics,
} from './schedule-metrics.js'
export {
  createServiceMetrics,
  METRIC_PREFIX,
  metricsRoute,
  type ServiceMetrics,
  type ServiceMetricsOptions,
} from './service-metrics.js'
export {
  WEBHOOK_ATTEMPT_DURATION,
  WEBHOOK_ATTEMPTS,
  type WebhookMetrics,
  type WebhookOutcome,
  webhookMetrics,
} from './webhook-metrics.js'
