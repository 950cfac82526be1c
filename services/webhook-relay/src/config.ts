import {
  ConfigError,
  type ConfigOf,
  duration,
  int,
  list,
  loadConfig,
  Quotas,
  quotaSetting,
  str,
} from '@taskforge/core'
import { grpcAuthSetting, grpcHostSetting } from '@taskforge/rpc'
import { healthHostSetting } from '@taskforge/runtime'
import { parseSchedule, STANDARD_SCHEDULE } from './delivery/retry-policy.js'
import { AddressPolicy } from './ssrf/address-policy.js'

/** Every environment variable webhook-relay reads. */
export const webhookRelaySettings = {
  databaseUrl: str(
    'DATABASE_URL',
    "Postgres URL of webhook-relay's own database (subscriptions, deliveries, attempts)",
  ),
  natsUrl: str('NATS_URL', 'NATS server URL(s), comma separated', 'nats://127.0.0.1:4222'),
  grpcPort: int('GRPC_PORT', 'Port of the WebhookRelayService gRPC server (0 picks a free one)', 50054),
  grpcHost: grpcHostSetting,
  healthPort: int('HEALTH_PORT', 'Port of /healthz and /readyz', 9105),
  healthHost: healthHostSetting,
  timeoutMs: duration('WEBHOOK_TIMEOUT', 'Deadline of one delivery attempt, DNS to last byte', '10s'),
  allowNetworks: list(
    'WEBHOOK_ALLOW_NETWORKS',
    'Networks (CIDR, comma separated) webhooks may reach although they are not public, e.g. 10.20.0.0/16',
    [],
  ),
  retrySchedule: list(
    'WEBHOOK_RETRY_SCHEDULE',
    'Wait before each attempt (comma separated durations; the number of entries is the number of attempts)',
    [...STANDARD_SCHEDULE],
  ),
  concurrency: int('WEBHOOK_CONCURRENCY', 'Attempts running at once in one replica', 64),
  perOrganizationConcurrency: int(
    'WEBHOOK_ORGANIZATION_CONCURRENCY',
    "Attempts running at once for one organization's subscriptions in one replica (its share of WEBHOOK_CONCURRENCY)",
    16,
  ),
  perSubscriptionConcurrency: int(
    'WEBHOOK_SUBSCRIPTION_CONCURRENCY',
    'Attempts running at once for one subscription in one replica',
    4,
  ),
  perHostConcurrency: int(
    'WEBHOOK_HOST_CONCURRENCY',
    'Attempts running at once to one receiving host in one replica',
    16,
  ),
  maxResponseBytes: int('WEBHOOK_RESPONSE_MAX_BYTES', "Bytes of a receiver's answer read at most", 65_536),
  pollIntervalMs: duration('WEBHOOK_POLL_INTERVAL', 'How often due deliveries are looked for', '1s'),
  secretOverlapMs: duration(
    'WEBHOOK_SECRET_OVERLAP',
    'How long a rotated-out signing secret keeps signing beside the new one',
    '24h',
  ),
  maxSubscriptions: quotaSetting(Quotas.subscriptionsPerOrganization),
  grpcAuthFile: grpcAuthSetting,
}
export type WebhookRelayConfig = ConfigOf<typeof webhookRelaySettings>

/** Reads and checks the configuration (networks, schedule, limits) so a mistake stops the start. */
export function loadWebhookRelayConfig(env: NodeJS.ProcessEnv = process.env): WebhookRelayConfig {
  const config = loadConfig(webhookRelaySettings, env)
  checkWebhookRelayConfig(config)
  return config
}

export function checkWebhookRelayConfig(config: WebhookRelayConfig): void {
  try {
    new AddressPolicy(config.allowNetworks)
    parseSchedule(config.retrySchedule)
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${(error as Error).message}`)
  }
  for (const [name, value] of Object.entries({
    WEBHOOK_CONCURRENCY: config.concurrency,
    WEBHOOK_ORGANIZATION_CONCURRENCY: config.perOrganizationConcurrency,
    WEBHOOK_SUBSCRIPTION_CONCURRENCY: config.perSubscriptionConcurrency,
    WEBHOOK_HOST_CONCURRENCY: config.perHostConcurrency,
    WEBHOOK_RESPONSE_MAX_BYTES: config.maxResponseBytes,
    WEBHOOK_TIMEOUT: config.timeoutMs,
    WEBHOOK_MAX_SUBSCRIPTIONS: config.maxSubscriptions,
  })) {
    if (value < 1) throw new ConfigError(`invalid configuration: ${name} must be at least 1`)
  }
}
