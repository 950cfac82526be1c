import { backoffDelay } from '@taskforge/core'

/** How long the server waits before redelivering a failed message: 1s, 2s, 4s ... capped at 30s. */
export function nakDelayMs(deliveryCount: number): number {
  return backoffDelay({ initialMs: 1_000, maxMs: 30_000 }, deliveryCount - 1)
}
