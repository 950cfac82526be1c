import { homedir } from 'node:os'

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export interface JobEnvironmentInput {
  /** The bot's own environment: only PATH and LANG are taken from it. */
  botEnv: NodeJS.ProcessEnv
  taskEnv: Record<string, string>
  jobId: string
  taskId: string
  customer: string
  /** The job's own directory: also its TMPDIR, so that what the script leaves goes with it. */
  jobDir: string
}

/**
 * A job's environment: a minimal base, the task's variables, then the job's metadata (which a task
 * cannot override). Nothing else of the bot's environment reaches a script: the bot's credentials
 * and its configuration stay with the bot.
 */
export function jobEnvironment(input: JobEnvironmentInput): Record<string, string> {
  return {
    PATH: input.botEnv.PATH || DEFAULT_PATH,
    HOME: homedir(),
    LANG: input.botEnv.LANG || 'C.UTF-8',
    TMPDIR: input.jobDir,
    ...input.taskEnv,
    TASKFORGE_JOB_ID: input.jobId,
    TASKFORGE_TASK_ID: input.taskId,
    TASKFORGE_CUSTOMER: input.customer,
    TASKFORGE_JOB_DIR: input.jobDir,
  }
}
