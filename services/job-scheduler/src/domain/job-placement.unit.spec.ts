import { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { describe, expect, it } from 'vitest'
import { placeJob } from './job-placement.js'

const spec = (fields: Partial<JobSpec>) => JobSpec.fromPartial({ taskId: 't', hostId: 'bot-1', ...fields })

describe('placeJob', () => {
  it('assigns the job to the task host', () => {
    expect(placeJob(spec({ multitasking: true }), { runningJobsOfTask: 3 })).toEqual({
      kind: 'assign',
      botId: 'bot-1',
    })
    expect(placeJob(spec({ multitasking: false }))).toEqual({ kind: 'assign', botId: 'bot-1' })
  })
  it('holds a job of a task without a host', () => {
    expect(placeJob(spec({ hostId: '' }))).toMatchObject({ kind: 'hold' })
  })
  it('holds a job of a task without multitasking while another runs or waits before it', () => {
    const single = spec({ multitasking: false })
    expect(placeJob(single, { runningJobsOfTask: 1 })).toMatchObject({ kind: 'hold' })
    expect(placeJob(single, { runningJobsOfTask: 0, waitingJobsOfTask: 2 })).toMatchObject({ kind: 'hold' })
    expect(placeJob(single, { runningJobsOfTask: 0, waitingJobsOfTask: 0 })).toMatchObject({ kind: 'assign' })
  })
})
