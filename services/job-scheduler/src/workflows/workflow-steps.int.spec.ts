import { newId } from '@taskforge/core'
import { createDb, type Db, EventStore } from '@taskforge/event-store'
import { JobSpec, type WorkflowStep } from '@taskforge/proto/jobs/v1/model'
import type { StepVoter } from '@taskforge/proto/jobs/v1/workflow_runs'
import { testDatabase } from '@taskforge/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { executeJobCommand, executeJobCommands } from '../app/job-command-handler.js'
import { createJobScheduleTable } from '../schedule/job-schedule-table.js'
import { listInbox } from './workflow-steps-table.js'
import { createWorkflowTables } from './workflow-tables.js'

// The inbox of waiting steps against a real Postgres (decision 32): rows written in the transaction
// of the step jobs' events, read for one caller of one organization, a page at a time.
describe('workflow steps inbox', () => {
  let db: Db
  let store: EventStore
  const deps = () => ({ store, leaseMs: 60_000 })

  beforeEach(async () => {
    db = createDb(await testDatabase())
    store = new EventStore(db)
    await store.migrate()
    await createJobScheduleTable(db)
    await createWorkflowTables(db)
  })

  afterEach(async () => {
    await db?.destroy()
  })

  const step = (customer: string, approvers: string[], node = 'approve'): WorkflowStep => ({
    kind: 'approval',
    approvers,
    required: 2,
    expiresAt: new Date(Date.now() + 3_600_000),
    form: [],
    starterId: 'tk-starter',
    starterName: 'starter',
    workflowId: `wf-${customer}`,
    workflowName: 'release',
    runId: newId(),
    node,
  })

  /** Queues `count` waiting steps of `customer` through the job command path, a batch at a time. */
  async function queueSteps(customer: string, count: number, approvers: string[]): Promise<string[]> {
    const ids: string[] = []
    for (let start = 0; start < count; start += 500) {
      const batch = Array.from({ length: Math.min(500, count - start) }, () => {
        const jobId = newId()
        ids.push(jobId)
        const waiting = step(customer, approvers)
        return {
          jobId,
          author: 'scheduler',
          command: {
            type: 'QueueJob' as const,
            jobId,
            customer,
            spec: JobSpec.fromPartial({ taskName: 'release / approve', multitasking: true }),
            argumentsValues: [],
            origin: 'workflow',
            now: new Date(),
            workflow: { runId: waiting.runId, node: waiting.node },
            step: waiting,
          },
        }
      })
      const outcomes = await executeJobCommands(deps(), batch)
      expect(outcomes.every((outcome) => outcome.ok)).toBe(true)
    }
    return ids
  }

  const voter = (name: string, role = 'user', tags: string[] = []): StepVoter => ({
    id: `tk-${name}`,
    name,
    role,
    tags,
  })

  it('lists only what the caller may decide: not the starter, not a voter again, not an ended step', async () => {
    const [first, second] = await queueSteps('acme', 2, ['alice', 'team:ops'])
    const inbox = (who: StepVoter) =>
      listInbox(db, { customer: 'acme', voter: who, workflowIds: undefined, limit: 10, after: undefined })

    expect((await inbox(voter('alice'))).steps.map((s) => s.jobId).sort()).toEqual([first, second].sort())
    expect((await inbox(voter('bob', 'viewer', ['team:ops']))).steps).toHaveLength(2)
    expect((await inbox(voter('mallory'))).steps).toHaveLength(0)
    expect((await inbox(voter('starter', 'admin', ['team:ops']))).steps).toHaveLength(0)
    expect((await inbox(voter('root', 'admin'))).steps).toHaveLength(2)
    expect(
      (
        await listInbox(db, {
          customer: 'acme',
          voter: voter('alice'),
          workflowIds: [],
          limit: 10,
          after: undefined,
        })
      ).steps,
    ).toHaveLength(0)

    const vote = (jobId: string, who: StepVoter, kind: 'approve' | 'reject') =>
      executeJobCommand(
        deps(),
        jobId,
        {
          type: 'DecideStep',
          customer: 'acme',
          voter: who,
          vote: kind,
          comment: '',
          answers: {},
          now: new Date(),
        },
        { author: who.name },
      )
    await vote(first!, voter('alice'), 'approve')
    expect((await inbox(voter('alice'))).steps.map((s) => s.jobId)).toEqual([second])
    expect(
      (await inbox(voter('bob', 'viewer', ['team:ops']))).steps.find((s) => s.jobId === first),
    ).toMatchObject({
      approvals: 1,
      required: 2,
    })
    await vote(second!, voter('bob', 'viewer', ['team:ops']), 'reject')
    expect((await inbox(voter('root', 'admin'))).steps.map((s) => s.jobId)).toEqual([first])
  })

  it("keeps to pages with thousands waiting in one organization, and another organization's inbox alone", async () => {
    const many = await queueSteps('big', 2_000, ['user'])
    const own = await queueSteps('small', 3, ['user'])
    const small = await listInbox(db, {
      customer: 'small',
      voter: voter('alice'),
      workflowIds: undefined,
      limit: 100,
      after: undefined,
    })
    expect(small.steps.map((s) => s.jobId).sort()).toEqual([...own].sort())
    expect(small.more).toBe(false)

    const seen = new Set<string>()
    let after: { createdAt: Date; jobId: string } | undefined
    let pages = 0
    for (;;) {
      const page = await listInbox(db, {
        customer: 'big',
        voter: voter('alice'),
        workflowIds: undefined,
        limit: 500,
        after,
      })
      pages += 1
      expect(page.steps.length).toBeLessThanOrEqual(500)
      for (const s of page.steps) seen.add(s.jobId)
      const last = page.steps.at(-1)
      if (!page.more || last === undefined) break
      after = { createdAt: last.createdAt!, jobId: last.jobId }
    }
    expect(pages).toBe(4)
    expect(seen.size).toBe(many.length)
  }, 120_000)
})
