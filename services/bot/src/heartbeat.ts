import type { NatsConnection } from '@nats-io/transport-node'
import { Heartbeat } from '@taskforge/proto/bots/v1/protocol'

export interface HeartbeatSource {
  botId: string
  customer: string
  concurrency: number
  version: string
  /** The jobs running now: each heartbeat renews their leases at the scheduler. */
  runningJobIds(): string[]
}

/**
 * Publishes a Heartbeat on core NATS every `intervalMs` (and once at start): presence is derived
 * from it, so it is neither persisted nor acknowledged.
 */
export function startHeartbeat(
  nc: NatsConnection,
  subject: string,
  source: HeartbeatSource,
  intervalMs = 5000,
): { stop(): void } {
  const beat = () => {
    if (nc.isClosed()) return
    const runningJobIds = source.runningJobIds()
    const message: Heartbeat = {
      botId: source.botId,
      customer: source.customer,
      sentAt: new Date(),
      runningJobs: runningJobIds.length,
      runningJobIds,
      concurrency: source.concurrency,
      version: source.version,
    }
    nc.publish(subject, Heartbeat.encode(message).finish())
  }
  beat()
  const timer = setInterval(beat, intervalMs)
  return { stop: () => clearInterval(timer) }
}
