/**
 * Why a job that has not started waits (issue 17): the first reason that holds. The gateway is the
 * one place that says it; the console shows `message` as it is.
 */
export interface WaitingReason {
  code: 'on_hold' | 'bot_offline' | 'task_busy' | 'queued'
  message: string
  /** For `on_hold`: when the grace time ends and the run is released (ISO 8601). */
  until?: string
}

/** What decides a waiting reason, as the owners answered it. */
export interface WaitingFacts {
  lifecycle: string
  /** When the hold of a job on hold ends, as the scheduler set its timer. */
  holdUntil?: Date | undefined
  /** The bot the job waits for: undefined when it is not registered (any more). */
  bot: { name: string; online: boolean } | undefined
  /** The task runs one job at a time. */
  multitasking: boolean
  /** Another job of the task is assigned and not ended. */
  taskRunning: boolean
}

/** Undefined for a job that is not waiting: running on a bot that is online, or ended. */
export function waitingReason(facts: WaitingFacts): WaitingReason | undefined {
  if (facts.lifecycle === 'onhold') {
    if (facts.holdUntil === undefined)
      return { code: 'on_hold', message: 'on hold: a triggered run waits for its grace time, then runs' }
    const until = facts.holdUntil.toISOString()
    return {
      code: 'on_hold',
      message: `on hold until ${until}: a triggered run waits for its grace time, then runs`,
      until,
    }
  }
  if (facts.lifecycle !== 'ready' && facts.lifecycle !== 'assigned') return undefined
  // An assigned job waits in its bot's dispatch stream until the bot takes it.
  if (facts.bot === undefined) return { code: 'bot_offline', message: 'its bot is not registered' }
  if (!facts.bot.online) return { code: 'bot_offline', message: `its bot ${facts.bot.name} is offline` }
  if (facts.lifecycle === 'assigned') return undefined
  if (!facts.multitasking && facts.taskRunning)
    return { code: 'task_busy', message: 'the task runs one job at a time, and another is running' }
  return { code: 'queued', message: 'queued: its bot takes it next' }
}
