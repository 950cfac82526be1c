import type { Bus } from '@taskforge/bus'
import type { Logger } from '@taskforge/telemetry'
import { sql } from 'kysely'
import type { JobCommandDeps } from '../app/job-command-handler.js'
import type { TaskCatalog } from '../grpc/scheduler-service.js'
import { HoldTimers } from './hold-timers.js'
import { createHoldTimersTable, holdTimersDb } from './hold-timers-table.js'
import { createTaskTriggersTables, triggersDb } from './task-triggers-table.js'
import { consumeTriggers } from './trigger-consumers.js'
import type { TriggerConfig } from './trigger-settings.js'
import type { TriggeredRunsDeps } from './triggered-runs.js'

export interface StartTriggersOptions extends JobCommandDeps {
  bus: Bus
  catalog: TaskCatalog
  logger: Logger
  config: TriggerConfig
  /** Starts a run of a workflow a trigger names; absent: workflows are not triggered. */
  startWorkflowRun?: TriggeredRunsDeps['startWorkflowRun']
}

/**
 * Triggers and grace time in the scheduler: the trigger tables (a copy of who triggers which task,
 * from the catalog's task events, and which workflow, from its workflow events), the consumers of finished jobs and webhook fires that start
 * triggered jobs, and the timers that release jobs on hold. Answers a stop for all of them.
 */
export async function startTriggers(options: StartTriggersOptions): Promise<{ stop(): Promise<void> }> {
  const { store, config, logger } = options
  // Replicas starting together would race on CREATE TABLE IF NOT EXISTS (a duplicate type error).
  await store.transaction(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('job-scheduler:trigger-tables'))`.execute(trx)
    await createTaskTriggersTables(triggersDb(trx))
    await createHoldTimersTable(holdTimersDb(trx))
  })
  const timers = new HoldTimers({ ...options, maxSleepMs: config.holdTimerMaxSleepMs })
  await timers.start()
  const consumers = await consumeTriggers({
    ...options,
    maxChainDepth: config.maxChainDepth,
    onHoldTimer: (dueAt) => timers.wake(dueAt),
  })
  logger.info({ maxChainDepth: config.maxChainDepth }, 'triggers and hold timers running')
  return {
    async stop() {
      await consumers.stop()
      await timers.stop()
    },
  }
}
