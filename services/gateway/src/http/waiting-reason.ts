/** Why a job that has not started waits, for the console (issue 17): the first reason that holds. */
export interface WaitingReason {
  code: 'on_hold' | 'bot_offline' | 'task_busy' | 'queued'
  message: string
}

/** What decides a waiting reason, as the owners answered it. */
export interface WaitingFacts {
  lifecycle: string
  /** The bot the job waits for: undefined when it is not registered (any more). */
  bot: { name: string; online: boolean } | undefined
  /** The task runs one job at a time. */
  multitasking: boolean
  /** Another job of the task is assigned and not ended. */
  taskRunning: boolean
}

/** Undefined for a job that is not waiting: running on a bot that is online, or ended. */
export function waitingReason(facts: WaitingFacts): WaitingReason | undefined {
  if (facts.lifecycle === 'onhold')
    return { code: 'on_hold', message: 'on hold: a triggered run waits for its grace time, then runs' }
  if (facts.lifecycle !== 'ready' && facts.lifecycle !== 'assigned') return undefined
  // An assigned job waits in its bot's dispatch stream until the bot takes it.
  if (facts.bot === undefined) return { code: 'bot_offline', message: 'its bot is not registered' }
  if (!facts.bot.online) return { code: 'bot_offline', message: `its bot ${facts.bot.name} is offline` }
  if (facts.lifecycle === 'assigned') return undefined
  if (!facts.multitasking && facts.taskRunning)
    return { code: 'task_busy', message: 'the task runs one job at a time, and another is running' }
  return { code: 'queued', message: 'queued: its bot takes it next' }
}
