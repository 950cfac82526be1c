/**
 * What a task field means when it is not given, wherever it is read: on creation (gateway), in the
 * catalog, in the public views (gateway, webhook-relay), when a run is placed (job-scheduler) and
 * when the bot runs it.
 */
export const TaskDefaults = {
  /** Seconds a run may take before the bot stops it (the Tasks API's documented default). */
  timeoutSeconds: 600,
  /**
   * Whether runs of the task may run side by side. The Tasks API gives no default; the product has
   * always created tasks with it on (the gateway's create, the public views and the OpenAPI example
   * all said `true`), so a task that never said otherwise keeps running its jobs in parallel.
   */
  multitasking: true,
} as const
