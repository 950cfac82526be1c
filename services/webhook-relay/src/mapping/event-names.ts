import { checkCount, Limits, validationFailed } from '@taskforge/core'

/** Every public event name a subscription may ask for (contract §6, plus scripts and bot registration). */
export const PUBLIC_EVENT_NAMES = [
  'task.create',
  'task.update',
  'task.delete',
  'job.create',
  'job.update',
  'job.finish',
  'job.awaiting_approval',
  'bot.create',
  'bot.online',
  'bot.offline',
  'script.create',
  'script.update',
  'script.delete',
  'webhook.trigger',
  'schedule.create',
  'schedule.update',
  'schedule.delete',
  'schedule.fire',
  'schedule.error',
  'workflow.start',
  'workflow.node',
  'workflow.finish',
] as const
export type PublicEventName = (typeof PUBLIC_EVENT_NAMES)[number]

/** Sent once to a new subscription, whatever its filter. */
export const PING_EVENT = 'ping'

const OBJECT_KINDS = new Set(PUBLIC_EVENT_NAMES.map((name) => name.split('.')[0]))

/**
 * Checks a subscription's event filter: known names, `*`, or `<object>.*` (`task.*`). Empty means
 * every event. Answers it without duplicates, in the order given.
 */
export function validateEventFilter(events: readonly string[]): string[] {
  checkCount(Limits.subscriptionEventCount, 'events', events.length)
  for (const [index, name] of events.entries()) {
    const known =
      name === '*' ||
      (PUBLIC_EVENT_NAMES as readonly string[]).includes(name) ||
      (name.endsWith('.*') && OBJECT_KINDS.has(name.slice(0, -2)))
    if (!known) {
      throw validationFailed(
        `events[${index}] ${JSON.stringify(name)} is not an event; use one of ${PUBLIC_EVENT_NAMES.join(', ')}, <object>.* or *`,
        { field: 'events', index },
      )
    }
  }
  return [...new Set(events)]
}

/** Whether a subscription with this filter receives `name`. */
export function filterMatches(events: readonly string[], name: string): boolean {
  if (events.length === 0) return true
  const kind = name.split('.')[0]
  return events.some((entry) => entry === '*' || entry === name || entry === `${kind}.*`)
}
