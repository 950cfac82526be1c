/** Bots send a heartbeat this often. */
export const HEARTBEAT_INTERVAL_MS = 5_000
/** A bot is online while its last heartbeat is younger than three intervals (one or two may be lost). */
export const ONLINE_WINDOW_MS = 3 * HEARTBEAT_INTERVAL_MS
/** At most one presence write per bot in this time, whatever the heartbeat rate. */
export const PRESENCE_WRITE_INTERVAL_MS = HEARTBEAT_INTERVAL_MS

/** Whether a bot last seen at `lastSeen` counts as online at `now`. */
export function isOnline(lastSeen: Date | undefined, now: Date, windowMs = ONLINE_WINDOW_MS): boolean {
  return lastSeen !== undefined && now.getTime() - lastSeen.getTime() <= windowMs
}

/**
 * Decides which heartbeats are written: the first of each bot, then one per interval, and at once when
 * the bot's count of running jobs changed (the listing shows it).
 */
export class PresenceThrottle {
  readonly #intervalMs: number
  readonly #written = new Map<string, { atMs: number; runningJobs: number }>()

  constructor(intervalMs = PRESENCE_WRITE_INTERVAL_MS) {
    this.#intervalMs = intervalMs
  }

  /** Whether to write this heartbeat; when the answer is true it counts as written. */
  shouldWrite(botId: string, nowMs: number, runningJobs: number): boolean {
    const last = this.#written.get(botId)
    if (last !== undefined && nowMs - last.atMs < this.#intervalMs && last.runningJobs === runningJobs)
      return false
    this.#written.set(botId, { atMs: nowMs, runningJobs })
    return true
  }

  /** Forgets a bot, so that its next heartbeat is written (after a failed write). */
  forget(botId: string): void {
    this.#written.delete(botId)
  }
}
