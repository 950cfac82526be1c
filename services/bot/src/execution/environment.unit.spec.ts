import { describe, expect, it } from 'vitest'
import { jobEnvironment } from './environment.js'

describe('jobEnvironment', () => {
  const input = {
    botEnv: { PATH: '/bin', LANG: 'en_US.UTF-8', NATS_PASSWORD: 'secret', SECRET_KEY: 'k' },
    taskEnv: { GREETING: 'hi', PATH: '/opt/bin:/bin', TASKFORGE_JOB_ID: 'forged' },
    jobId: 'job-1',
    taskId: 'task-1',
    customer: 'demo',
    jobDir: '/work-dir/jobs/job-1',
  }

  it('holds the base, the task variables and the job metadata, nothing else of the bot', () => {
    const env = jobEnvironment(input)
    expect(Object.keys(env).sort()).toEqual(
      [
        'GREETING',
        'HOME',
        'LANG',
        'PATH',
        'TASKFORGE_CUSTOMER',
        'TASKFORGE_JOB_DIR',
        'TASKFORGE_JOB_ID',
        'TASKFORGE_TASK_ID',
        'TMPDIR',
      ].sort(),
    )
    expect(env).toMatchObject({
      GREETING: 'hi',
      PATH: '/opt/bin:/bin',
      LANG: 'en_US.UTF-8',
      TMPDIR: input.jobDir,
    })
  })

  it('never lets a task override the job metadata', () => {
    expect(jobEnvironment(input).TASKFORGE_JOB_ID).toBe('job-1')
  })

  it('has a usable PATH and LANG when the bot has none', () => {
    const env = jobEnvironment({ ...input, botEnv: {}, taskEnv: {} })
    expect(env.PATH).toContain('/usr/bin')
    expect(env.LANG).toBe('C.UTF-8')
  })
})
