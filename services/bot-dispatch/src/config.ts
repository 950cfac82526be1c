import { type ConfigOf, duration, int, loadConfig, str } from '@taskforge/core'
import { grpcAuthSetting, grpcHostSetting } from '@taskforge/rpc'
import { healthHostSetting } from '@taskforge/runtime'

/** Every environment variable bot-dispatch reads. */
export const dispatchSettings = {
  databaseUrl: str('DATABASE_URL', "Postgres URL of bot-dispatch's own database (bot streams, read model)"),
  natsUrl: str('NATS_URL', 'NATS server URL(s), comma separated', 'nats://127.0.0.1:4222'),
  publicNatsUrl: str('PUBLIC_NATS_URL', 'NATS address written in bot credentials (default NATS_URL)', ''),
  grpcPort: int('GRPC_PORT', 'Port of the BotDispatchService gRPC server (0 picks a free one)', 50053),
  grpcHost: grpcHostSetting,
  healthPort: int('HEALTH_PORT', 'Port of /healthz and /readyz (0 picks a free one)', 9104),
  healthHost: healthHostSetting,
  offlineAfterMs: duration('BOT_OFFLINE_AFTER', 'A bot without heartbeats for this long goes offline', '15s'),
  presenceSweepIntervalMs: duration(
    'BOT_PRESENCE_SWEEP_INTERVAL',
    'How often silent bots are looked for (and marked offline)',
    '1s',
  ),
  grpcAuthFile: grpcAuthSetting,
}
export type DispatchConfig = ConfigOf<typeof dispatchSettings>

/** bot-dispatch's configuration from the environment. */
export function loadDispatchConfig(env: NodeJS.ProcessEnv = process.env): DispatchConfig {
  return loadConfig(dispatchSettings, env)
}
