import { ConfigError, type ConfigOf, duration, int, loadConfig } from '@taskforge/core'

/** The deepest chain an operator may allow. */
export const MAX_CHAIN_DEPTH = 100

/** The environment variables of triggers and grace-time timers. */
export const triggerSettings = {
  maxChainDepth: int(
    'TRIGGER_MAX_CHAIN_DEPTH',
    'How many triggers deep a chain of triggered jobs may go, at most 100; the job one step further is refused (canceled with the reason)',
    10,
  ),
  holdTimerMaxSleepMs: duration(
    'HOLD_TIMER_MAX_SLEEP',
    'Longest pause between two looks for jobs on hold whose grace time ran out (catches timers another replica set)',
    '10s',
  ),
}
export type TriggerConfig = ConfigOf<typeof triggerSettings>

/** The trigger settings from the environment. */
export function loadTriggerConfig(env: NodeJS.ProcessEnv = process.env): TriggerConfig {
  const config = loadConfig(triggerSettings, env)
  if (config.maxChainDepth < 1) throw new ConfigError('TRIGGER_MAX_CHAIN_DEPTH must be at least 1')
  // A job's events carry its chain (a task id per step): the bound keeps them within the bus's limits.
  if (config.maxChainDepth > MAX_CHAIN_DEPTH)
    throw new ConfigError(`TRIGGER_MAX_CHAIN_DEPTH may be at most ${MAX_CHAIN_DEPTH}`)
  return config
}
