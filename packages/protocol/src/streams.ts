/** A JetStream stream the platform declares: its name and the subjects it captures. */
export interface StreamSpec {
  readonly name: string
  readonly subjects: readonly string[]
}

/** The platform's streams. */
export const Streams = {
  /** Domain events published by every outbox relay. */
  EVENTS: { name: 'EVENTS', subjects: ['events.>'] },
  /** `dispatch.<botId>`: work for one bot (DispatchJob). */
  DISPATCH: { name: 'DISPATCH', subjects: ['dispatch.>'] },
  /** `reports.<botId>`: BotReport from one bot. */
  REPORTS: { name: 'REPORTS', subjects: ['reports.>'] },
} as const satisfies Record<string, StreamSpec>

/**
 * `control.<botId>`: orders about work a bot received or will receive (cancel). A stream of its own
 * (bot-dispatch declares it with a maximum age), read by each bot on its own durable.
 */
export const CONTROL_STREAM = { name: 'CONTROL', subjects: ['control.>'] } as const satisfies StreamSpec

/** Subject names, built in one place so producers and consumers agree. */
export const subjects = {
  /** A domain event, e.g. `events.job.assigned`. */
  event: (streamType: string, type: string): string => `events.${streamType}.${type}`,
  /** Work for one bot. */
  dispatch: (botId: string): string => `dispatch.${botId}`,
  /** Reports from one bot. */
  report: (botId: string): string => `reports.${botId}`,
  /** Orders for one bot (CONTROL). */
  control: (botId: string): string => `control.${botId}`,
  /** Presence of one bot (core NATS, not persisted). */
  heartbeat: (botId: string): string => `heartbeats.${botId}`,
  /** Every bot's heartbeats, for their listeners. */
  everyHeartbeat: 'heartbeats.>',
  /** One bot's requests for script content by hash (core NATS request/reply, answered by task-catalog). */
  scriptContent: (botId: string): string => `scripts.${botId}`,
  /** One bot's requests to open a job's secret variables (core NATS request/reply, answered by task-catalog). */
  secretEnv: (botId: string): string => `secrets.${botId}`,
  /**
   * An organization's tasks or scripts changed (core NATS, not persisted): task-catalog says so once
   * its read model shows the change, before it answers the write; every gateway and job-scheduler
   * replica forgets what it kept of the organization (decision 33). The organization is the payload
   * (UTF-8), since its name may hold dots.
   */
  catalogChanged: 'cache.catalog',
}

/**
 * Requests of one bot on its `scripts.<bot>` subject that task-catalog answers at once: the bot sends
 * no more; more are answered UNAVAILABLE (try again), so that one bot cannot take the catalog.
 */
export const SCRIPT_REQUESTS_PER_BOT = 4

/**
 * Heartbeats of one bot a listener takes (decision 19), for a listener whose window (presence
 * window, job lease) is `windowMs`: ten per window and at least one a second, five at once. A bot
 * needs about three per window (one every 5 s against 15 s by default), plus one when its running
 * jobs change; more are dropped before any work, keyed by the subject's bot (which the server
 * vouches for), so that one bot's flood costs other bots nothing.
 */
export function heartbeatsPerBot(windowMs: number): { perSecond: number; burst: number } {
  return { perSecond: Math.max(1, 10_000 / windowMs), burst: 5 }
}

/** The bot a heartbeat subject names (`heartbeats.<bot>`), or undefined. */
export function botOfHeartbeatSubject(subject: string): string | undefined {
  const [prefix, botId, ...rest] = subject.split('.')
  return prefix === 'heartbeats' && botId !== undefined && botId !== '' && rest.length === 0
    ? botId
    : undefined
}
