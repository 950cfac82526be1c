/**
 * Why a job that has not started waits, in words: the gateway's `waiting_reason` when it gives
 * one, else what the console can tell from the job, its bot and its task.
 */
export interface WaitFacts {
  lifecycle: string
  waiting_reason?: unknown
  bot?: { name: string; online: boolean; last_seen?: string | null } | undefined
  /** The task runs one job at a time and another of its jobs is running. */
  busy?: boolean
}

export function waitingReason(facts: WaitFacts): string | undefined {
  if (!['onhold', 'ready', 'assigned'].includes(facts.lifecycle)) return undefined
  const given = facts.waiting_reason
  if (typeof given === 'string' && given) return given
  if (typeof given === 'object' && given !== null) {
    const reason = given as { message?: unknown; code?: unknown; until?: unknown }
    if (typeof reason.message === 'string') return reason.message
    if (typeof reason.code === 'string')
      return `${reason.code.replaceAll('_', ' ')}${typeof reason.until === 'string' ? ` until ${reason.until}` : ''}`
  }
  if (facts.lifecycle === 'onhold') return 'on hold until its grace time has passed'
  // An assigned job whose bot is offline waits for the bot to connect and take it.
  if (facts.lifecycle === 'assigned')
    return facts.bot && !facts.bot.online
      ? `bot ${facts.bot.name} is offline: the job starts when it connects`
      : undefined
  if (facts.bot && !facts.bot.online)
    return `bot ${facts.bot.name} is offline${facts.bot.last_seen ? ` (last seen ${facts.bot.last_seen})` : ''}`
  if (facts.busy) return 'the task is not multitasking and another of its jobs is running'
  return 'queued for its bot'
}
