/**
 * Durable consumer names: a consumer's name is its position in a stream, so the service that
 * creates it, the one that reads it and the bot must agree on it exactly.
 */
export const Durables = {
  /** A bot's work on DISPATCH, created by bot-dispatch at registration. */
  botDispatch: (botId: string): string => `bot-${botId}`,
  /** A bot's orders on CONTROL, created by bot-dispatch at registration. */
  botControl: (botId: string): string => `bot-${botId}-control`,
  /** bot-dispatch carrying job assignments from EVENTS to DISPATCH. */
  assignments: 'bot-dispatch-assignments',
  /** bot-dispatch carrying cancel requests from EVENTS to CONTROL. */
  cancels: 'bot-dispatch-cancels',
  /** job-scheduler applying bots' reports. */
  reports: 'job-scheduler-reports',
  /** job-scheduler ending the jobs of deleted bots. */
  botDeletions: 'job-scheduler-bot-deletions',
  /** job-scheduler following task definitions for triggers. */
  taskTriggers: 'job-scheduler-task-triggers',
  /** job-scheduler keeping every version of workflow definitions, which runs are pinned to. */
  workflowVersions: 'job-scheduler-workflow-versions',
  /** job-scheduler starting tasks triggered by another task's outcome. */
  jobTriggers: 'job-scheduler-job-triggers',
  /** job-scheduler starting tasks triggered by incoming webhooks. */
  webhookTriggers: 'job-scheduler-webhook-triggers',
  /** webhook-relay turning every domain event into deliveries. */
  webhookEvents: 'webhook-relay-events',
} as const
