const BASE_MS = 1_000
const MAX_MS = 30_000

/** How long the server waits before redelivering a failed message: 1s, 2s, 4s ... capped at 30s. */
export function nakDelayMs(deliveryCount: number): number {
  const exponent = Math.max(0, deliveryCount - 1)
  return exponent >= 15 ? MAX_MS : Math.min(BASE_MS * 2 ** exponent, MAX_MS)
}
