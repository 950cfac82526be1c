import { type PublicJob, type PublicTask, VIEW_LOG_BYTES } from '@taskforge/model'
import { BotEvent } from '@taskforge/proto/bots/v1/events'
import { ScriptEvent, TaskEvent } from '@taskforge/proto/catalog/v1/events'
import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { JobResult, JobSpec, JobState } from '@taskforge/proto/jobs/v1/model'
import { SubscriptionEvent } from '@taskforge/proto/webhooks/v1/events'
import { describe, expect, it } from 'vitest'
import { at, mappedSteps, sourceEvent } from '../test-support/mapped-steps.js'
import { filterMatches, validateEventFilter } from './event-names.js'
import { mapEvent } from './public-events.js'

const task = (version: number, event: NonNullable<TaskEvent['event']>) =>
  sourceEvent('task', 't1', version, event.$case, TaskEvent.encode({ event }).finish())
const job = (version: number, event: NonNullable<JobEvent['event']>) =>
  sourceEvent('job', 'j1', version, event.$case, JobEvent.encode({ event }).finish())
const bot = (version: number, event: NonNullable<BotEvent['event']>) =>
  sourceEvent('bot', 'b1', version, event.$case, BotEvent.encode({ event }).finish())
const script = (version: number, event: NonNullable<ScriptEvent['event']>) =>
  sourceEvent('script', 's1', version, event.$case, ScriptEvent.encode({ event }).finish())

const definition = TaskDefinition.fromPartial({
  name: 'backup',
  hostId: 'b1',
  scriptId: 's1',
  tags: ['nightly'],
  timeout: 600,
  multitasking: true,
  env: { TARGET: '/srv/very-private-path' },
  secretEnv: { DB_PASSWORD: Buffer.from('sealed bytes') },
})

describe('task events', () => {
  const [created, updated, rotated, deleted] = mappedSteps([
    task(1, {
      $case: 'created',
      value: {
        taskId: 't1',
        customer: 'acme',
        definition,
        secret: 'f'.repeat(64),
        sealedSecret: Buffer.alloc(0),
      },
    }),
    task(2, {
      $case: 'updated',
      value: {
        definition: { ...definition, description: 'New description', timeout: 60 },
        changedFields: ['description', 'timeout'],
      },
    }),
    task(3, { $case: 'secretRotated', value: { secret: 'e'.repeat(64), sealedSecret: Buffer.alloc(0) } }),
    task(4, { $case: 'deleted', value: {} }),
  ])

  it('tells task.create with the task as the API shows it, without its secret', () => {
    expect(created?.publicEvent?.name).toBe('task.create')
    const data = created?.publicEvent?.data as { task_id: string; task: Record<string, unknown> }
    expect(data.task_id).toBe('t1')
    expect(data.task).toMatchObject({
      id: 't1',
      customer: 'acme',
      name: 'backup',
      host_id: 'b1',
      script_id: 's1',
      tags: ['nightly'],
      timeout: 600,
      env: { TARGET: '****' },
      secret_env: { DB_PASSWORD: '****' },
      version: 1,
      creation_date: at(1).toISOString(),
    })
    expect(JSON.stringify(data)).not.toContain('f'.repeat(64))
    expect(JSON.stringify(data)).not.toContain('very-private-path')
    expect(data.task).not.toHaveProperty('secret')
  })

  it('never carries env values, even of a task kept from before they were masked', () => {
    const kept = { ...(created?.object as PublicTask), env: { TARGET: '/srv/very-private-path' } }
    const changed = mapEvent(
      task(2, {
        $case: 'updated',
        value: { definition: { ...definition, env: { TARGET: '/elsewhere' } }, changedFields: ['env'] },
      }),
      kept,
    )
    expect(changed.publicEvent?.data).toMatchObject({ changes: { env: { TARGET: '****' } } })
    const gone = mapEvent(task(2, { $case: 'deleted', value: {} }), kept)
    expect(JSON.stringify(gone.publicEvent?.data)).not.toContain('very-private-path')
    expect(JSON.stringify(gone.object)).not.toContain('very-private-path')
  })

  it('tells task.update with the changed fields and their new values', () => {
    expect(updated?.publicEvent?.name).toBe('task.update')
    expect(updated?.publicEvent?.data).toMatchObject({
      task_id: 't1',
      task: { description: 'New description', timeout: 60, version: 2, creation_date: at(1).toISOString() },
      changes: { description: 'New description', timeout: 60 },
    })
  })

  it('keeps secret rotations to itself, and tells task.delete with the last task', () => {
    expect(rotated?.publicEvent).toBeUndefined()
    expect(JSON.stringify(rotated?.object)).not.toContain('e'.repeat(64))
    expect(deleted?.publicEvent?.name).toBe('task.delete')
    expect(deleted?.deleted).toBe(true)
    expect(deleted?.publicEvent?.data).toMatchObject({ task_id: 't1', task: { name: 'backup', version: 4 } })
  })
})

describe('job events', () => {
  const spec = JobSpec.fromPartial({ taskId: 't1', taskName: 'backup', hostId: 'b1', timeout: 60 })
  const steps = mappedSteps([
    job(1, {
      $case: 'queued',
      value: {
        jobId: 'j1',
        customer: 'acme',
        spec,
        taskArgumentsValues: ['x'],
        origin: 'api',
        holdUntil: undefined,
      },
    }),
    job(2, { $case: 'assigned', value: { botId: 'b1', attempt: 1, spec, taskArgumentsValues: ['x'] } }),
    job(3, { $case: 'started', value: { botId: 'b1', pid: 42, startedAt: at(3) } }),
    // Emoji take 4 bytes (2 UTF-16 units): the cut keeps whole ones.
    job(4, {
      $case: 'outputAppended',
      value: { seq: 0, stream: 'stdout', text: '🚀'.repeat(VIEW_LOG_BYTES / 4) },
    }),
    job(5, { $case: 'outputAppended', value: { seq: 1, stream: 'stdout', text: 'tail\n' } }),
    job(6, {
      $case: 'finished',
      value: {
        lifecycle: 'finished',
        state: 'success',
        outcome: JobState.JOB_STATE_SUCCESS,
        output: ['hello'],
        result: {
          code: 0,
          signal: '',
          killed: false,
          log: 'tail\n',
          lastline: 'tail',
          truncatedBytes: 0n,
          reason: '',
          abridged: true,
        },
      },
    }),
  ])
  const names = steps.map((step) => step.publicEvent?.name)

  it('maps queued, assigned, started, finished to job.create, job.update, job.finish', () => {
    expect(names).toEqual(['job.create', 'job.update', 'job.update', undefined, undefined, 'job.finish'])
  })

  it('carries the job per the contract fields', () => {
    const job = (steps[0]?.publicEvent?.data as { job: Record<string, unknown> } | undefined)?.job ?? {}
    expect(Object.keys(job).sort()).toEqual(
      [
        'id',
        'task_id',
        'name',
        'customer',
        'host_id',
        'lifecycle',
        'state',
        'task_arguments_values',
        'output',
        'result',
        'origin',
        'creation_date',
        'last_update',
      ].sort(),
    )
    expect(job).toMatchObject({ lifecycle: 'ready', state: 'in_progress', task_arguments_values: ['x'] })
  })

  it('says what an update did and what changed', () => {
    expect(steps[1]?.publicEvent?.data).toMatchObject({
      job_id: 'j1',
      task_id: 't1',
      action: 'assigned',
      changes: { lifecycle: 'assigned' },
    })
    expect(steps[2]?.publicEvent?.data).toMatchObject({ action: 'started', changes: {} })
  })

  it('ends with the result, its log the end of what the output chunks made, as the API shows it', () => {
    const data = steps[5]?.publicEvent?.data as {
      job: { result: { log: string; code: number; abridged?: boolean; lastline: string } }
    }
    expect(data.job).toMatchObject({ lifecycle: 'finished', state: 'success', output: ['hello'] })
    expect(data.job.result).toMatchObject({ code: 0, lastline: 'tail', abridged: true })
    expect(Buffer.byteLength(data.job.result.log)).toBeLessThanOrEqual(VIEW_LOG_BYTES)
    expect(data.job.result.log).toBe(`${'🚀'.repeat(VIEW_LOG_BYTES / 4 - 2)}tail\n`)
  })

  it('tells a cancel as job.update and a lost bot as job.finish', () => {
    const canceled = mapEvent(job(2, { $case: 'canceled', value: { reason: 'asked' } }), steps[0]?.object)
    expect(canceled.publicEvent).toMatchObject({
      name: 'job.update',
      data: { action: 'canceled', changes: { lifecycle: 'canceled', state: 'canceled' } },
    })
    const lost = mapEvent(
      job(4, {
        $case: 'leaseExpired',
        value: { botId: 'b1', attempt: 1, reason: 'no heartbeat', expiredAt: at(4) },
      }),
      steps[2]?.object,
    )
    expect(lost.publicEvent?.name).toBe('job.finish')
    expect(lost.publicEvent?.data).toMatchObject({
      job: { lifecycle: 'terminated', state: 'error', result: { reason: 'no heartbeat' } },
    })
  })

  it('tells job.awaiting_approval when a workflow step begins to wait, with what it waits for', () => {
    const [queued, waiting, voted] = mappedSteps([
      job(1, {
        $case: 'queued',
        value: {
          jobId: 'j1',
          customer: 'acme',
          spec: JobSpec.fromPartial({ taskName: 'release / approve', multitasking: true }),
          taskArgumentsValues: [],
          origin: 'workflow',
          holdUntil: undefined,
          workflowRunId: 'r1',
          workflowNode: 'approve',
        },
      }),
      job(2, {
        $case: 'awaitingApproval',
        value: {
          step: {
            kind: 'approval',
            approvers: ['ops'],
            required: 2,
            expiresAt: at(100),
            form: [],
            starterId: 'tk1',
            starterName: 'alice',
            workflowId: 'w1',
            workflowName: 'release',
            runId: 'r1',
            node: 'approve',
          },
        },
      }),
      job(3, {
        $case: 'stepVoted',
        value: { voterId: 'tk2', voterName: 'bob', vote: 'approve', comment: '', answers: {} },
      }),
    ])
    expect(queued?.publicEvent?.name).toBe('job.create')
    expect(waiting?.publicEvent).toMatchObject({
      name: 'job.awaiting_approval',
      data: {
        job_id: 'j1',
        job: { lifecycle: 'waiting', state: 'in_progress', origin: 'workflow', workflow_run_id: 'r1' },
        step: {
          run_id: 'r1',
          workflow_id: 'w1',
          workflow_name: 'release',
          node: 'approve',
          kind: 'approval',
          approvers: ['ops'],
          required: 2,
          expires_at: at(100).toISOString(),
        },
      },
    })
    expect(JSON.stringify(waiting?.publicEvent?.data)).not.toContain('alice')
    expect(voted?.publicEvent).toBeUndefined()
  })

  it('tells the end of a job it began following after the job was queued', () => {
    const lost = mapEvent(
      job(4, { $case: 'leaseExpired', value: { botId: 'b1', attempt: 1, reason: '', expiredAt: at(4) } }),
      undefined,
    )
    expect(lost.publicEvent).toMatchObject({
      name: 'job.finish',
      data: {
        job_id: 'j1',
        job: {
          id: 'j1',
          customer: 'acme',
          lifecycle: 'terminated',
          state: 'error',
          result: { reason: 'the bot stopped answering' },
          last_update: at(4).toISOString(),
        },
      },
    })
  })

  it('goes on from a job kept as its public JSON, as the relay kept jobs before it kept their view', () => {
    const told = steps[2]?.publicEvent?.data as { job: PublicJob }
    const finished = mapEvent(
      job(4, {
        $case: 'finished',
        value: {
          lifecycle: 'finished',
          state: 'failure',
          outcome: JobState.JOB_STATE_FAILURE,
          output: [],
          result: JobResult.fromPartial({ code: 3, log: 'boom\n' }),
        },
      }),
      told.job,
    )
    expect(finished.publicEvent?.data).toMatchObject({
      job: {
        ...told.job,
        lifecycle: 'finished',
        state: 'failure',
        result: { code: 3, log: 'boom\n', lastline: 'boom' },
        last_update: at(4).toISOString(),
      },
    })
  })
})

describe('bot events', () => {
  it('maps registration and presence to bot.create, bot.online, bot.offline', () => {
    const steps = mappedSteps([
      bot(1, {
        $case: 'registered',
        value: { botId: 'b1', customer: 'acme', name: 'local', secretHash: 'hash', natsUser: '' },
      }),
      bot(2, { $case: 'cameOnline', value: { botId: 'b1' } }),
      bot(3, { $case: 'wentOffline', value: { botId: 'b1', reason: 'no heartbeat', lastSeen: at(2) } }),
    ])
    expect(steps.map((step) => step.publicEvent?.name)).toEqual(['bot.create', 'bot.online', 'bot.offline'])
    expect(JSON.stringify(steps)).not.toContain('hash')
    expect(steps[1]?.publicEvent?.data).toMatchObject({ bot_id: 'b1', bot: { name: 'local', online: true } })
    expect(steps[2]?.publicEvent?.data).toMatchObject({
      bot: { online: false, last_seen: at(2).toISOString() },
      reason: 'no heartbeat',
    })
  })

  it('tells presence of a bot whose registration it never saw', () => {
    const mapped = mapEvent(bot(5, { $case: 'cameOnline', value: { botId: 'b1' } }), undefined)
    expect(mapped.publicEvent?.data).toMatchObject({
      bot_id: 'b1',
      bot: { id: 'b1', customer: 'acme', online: true },
    })
  })
})

describe('script events', () => {
  it('tells scripts without their content', () => {
    const steps = mappedSteps([
      script(1, {
        $case: 'created',
        value: {
          scriptId: 's1',
          customer: 'acme',
          filename: 'a.sh',
          description: '',
          content: Buffer.from('SECRET'),
        },
      }),
      script(2, { $case: 'updated', value: { description: 'new', content: Buffer.from('SECRET2') } }),
    ])
    expect(steps.map((step) => step.publicEvent?.name)).toEqual(['script.create', 'script.update'])
    expect(steps[1]?.publicEvent?.data).toMatchObject({
      script: { filename: 'a.sh', description: 'new' },
      changes: { description: 'new', content_changed: true },
    })
    expect(JSON.stringify(steps)).not.toContain('SECRET')
  })
})

describe('other streams', () => {
  it('tells nothing of subscriptions, organizations or tokens', () => {
    const data = SubscriptionEvent.encode({ event: { $case: 'deleted', value: {} } }).finish()
    for (const streamType of ['subscription', 'customer', 'token']) {
      expect(mapEvent(sourceEvent(streamType, 'x', 1, 'deleted', data), undefined)).toEqual({
        object: undefined,
        deleted: false,
        publicEvent: undefined,
      })
    }
  })
})

describe('event filters', () => {
  it('matches everything when empty, names, wildcards', () => {
    expect(filterMatches([], 'job.finish')).toBe(true)
    expect(filterMatches(['*'], 'bot.online')).toBe(true)
    expect(filterMatches(['task.*'], 'task.update')).toBe(true)
    expect(filterMatches(['task.*'], 'job.update')).toBe(false)
    expect(filterMatches(['job.finish', 'bot.offline'], 'bot.offline')).toBe(true)
    expect(filterMatches(['job.finish'], 'job.update')).toBe(false)
  })

  it('accepts known names only, without duplicates', () => {
    expect(validateEventFilter(['task.create', 'job.*', '*', 'task.create'])).toEqual([
      'task.create',
      'job.*',
      '*',
    ])
    expect(() => validateEventFilter(['task.created'])).toThrow(/is not an event/)
    expect(() => validateEventFilter(['nope.*'])).toThrow(/is not an event/)
  })
})
