/**
 * The fields of a schedule's spec as the API names them. A change (`PATCH /:customer/schedule/:id`)
 * names those it sets, and job-scheduler applies exactly those: the gateway and the scheduler read
 * the names from here.
 */
export const SCHEDULE_SPEC_FIELDS = [
  'cron',
  'timezone',
  'task_arguments',
  'start_at',
  'end_at',
  'max_runs',
  'jitter',
  'overlap',
  'catchup_window',
  'enabled',
  'note',
] as const

export type ScheduleSpecField = (typeof SCHEDULE_SPEC_FIELDS)[number]
