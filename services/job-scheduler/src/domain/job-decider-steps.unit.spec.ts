import { stateCode } from '@taskforge/model'
import { JobSpec, type WorkflowStep } from '@taskforge/proto/jobs/v1/model'
import { deciderSpec } from '@taskforge/testkit/decider-spec'
import { describe, expect, it } from 'vitest'
import {
  type DecideStep,
  type JobDomainEvent,
  jobDecider,
  type QueueJob,
  type StepVoter,
} from './job-decider.js'

// Approval and input steps of workflow runs (decision 32): jobs no bot runs, decided by votes.

const spec = deciderSpec(jobDecider)
const jobId = '01900000-0000-7000-8000-0000000000s1'
const customer = 'acme'
const now = new Date('2026-01-01T00:00:00Z')
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000)
const jobSpec = JobSpec.fromPartial({ taskName: 'release / approve', multitasking: true })

const approvalStep: WorkflowStep = {
  kind: 'approval',
  approvers: ['alice', 'role-less', 'team:ops', 'user'],
  required: 2,
  expiresAt: later(3600),
  form: [],
  starterId: 'tk-starter',
  starterName: 'starter',
  workflowId: 'wf-1',
  workflowName: 'release',
  runId: 'run-1',
  node: 'approve',
}
const inputStep: WorkflowStep = {
  ...approvalStep,
  kind: 'input',
  approvers: [],
  required: 1,
  form: [
    { order: 1, type: 'select', label: 'region', value: 'eu', required: false, options: ['eu', 'us'] },
    { order: 0, type: 'input', label: 'version', value: '', required: true, options: [] },
  ],
}

const queueStep = (step: WorkflowStep): QueueJob => ({
  type: 'QueueJob',
  jobId,
  customer,
  spec: jobSpec,
  argumentsValues: [],
  origin: 'workflow',
  now,
  workflow: { runId: 'run-1', node: step.node },
  step,
})
const queued: JobDomainEvent = {
  $case: 'queued',
  value: {
    jobId,
    customer,
    spec: jobSpec,
    taskArgumentsValues: [],
    origin: 'workflow',
    holdUntil: undefined,
    workflowRunId: 'run-1',
    workflowNode: 'approve',
  },
}
const waiting = (step: WorkflowStep): JobDomainEvent => ({ $case: 'awaitingApproval', value: { step } })

const voter = (name: string, role = 'user', tags: string[] = []): StepVoter => ({
  id: `tk-${name}`,
  name,
  role,
  tags,
})
const vote = (who: StepVoter, kind: DecideStep['vote'], extra: Partial<DecideStep> = {}): DecideStep => ({
  type: 'DecideStep',
  customer,
  voter: who,
  vote: kind,
  comment: '',
  answers: {},
  now: later(10),
  ...extra,
})
const voted = (
  who: StepVoter,
  kind: string,
  comment = '',
  answers: Record<string, string> = {},
): JobDomainEvent => ({
  $case: 'stepVoted',
  value: { voterId: who.id, voterName: who.name, vote: kind, comment, answers },
})
const ended = (
  state: 'success' | 'failure' | 'timeout',
  reason: string,
  output: string[] = [],
): JobDomainEvent => ({
  $case: 'finished',
  value: {
    lifecycle: state === 'timeout' ? 'terminated' : 'finished',
    state,
    outcome: stateCode(state),
    result: {
      signal: '',
      killed: false,
      log: output.join('\n'),
      lastline: output.at(-1) ?? '',
      truncatedBytes: 0n,
      reason,
      abridged: false,
    },
    output,
  },
})

const alice = voter('alice')
const bob = voter('bob', 'viewer', ['team:ops'])
const carol = voter('carol', 'user')

describe('jobDecider: workflow steps', () => {
  it('queues a step waiting for people, with no assignment to any bot', () => {
    spec([])
      .when(queueStep(approvalStep))
      .then([queued, waiting(approvalStep)])
  })

  it('counts approvals: below `required` the step goes on waiting; at it, it ends success naming the approvers', () => {
    spec([queued, waiting(approvalStep)])
      .when(vote(alice, 'approve'))
      .then([voted(alice, 'approve')])
    spec([queued, waiting(approvalStep), voted(alice, 'approve')])
      .when(vote(bob, 'approve', { comment: 'ok' }))
      .then([voted(bob, 'approve', 'ok'), ended('success', 'approved by alice, bob')])
  })

  it('ends failure at the first rejection, whatever the approvals so far', () => {
    spec([queued, waiting(approvalStep), voted(alice, 'approve')])
      .when(vote(carol, 'reject', { comment: 'not today' }))
      .then([voted(carol, 'reject', 'not today'), ended('failure', 'rejected by carol: not today')])
  })

  it('refuses a second vote of the same token (409), and of another token of its name', () => {
    const given = [queued, waiting(approvalStep), voted(alice, 'approve')]
    spec(given).when(vote(alice, 'approve')).thenFails('INVALID_STATE')
    spec(given)
      .when(vote({ ...alice, id: 'tk-other' }, 'reject'))
      .thenFails('INVALID_STATE')
  })

  it('refuses the token that started the run (403), through any path that makes it an approver', () => {
    const given = [queued, waiting(approvalStep)]
    // Its role `user` is among the approvers, and so would be a tag: still refused.
    spec(given)
      .when(vote(voter('starter', 'admin', ['team:ops']), 'approve'))
      .thenFails('FORBIDDEN')
    spec(given)
      .when(vote({ id: 'tk-starter', name: 'renamed', role: 'user', tags: [] }, 'approve'))
      .thenFails('FORBIDDEN')
  })

  it('refuses a caller the approvers do not name (403): name, tag or role at least', () => {
    const given = [queued, waiting({ ...approvalStep, approvers: ['alice', 'team:ops'] })]
    spec(given)
      .when(vote(voter('mallory', 'user'), 'approve'))
      .thenFails('FORBIDDEN')
    spec(given)
      .when(vote(voter('dave', 'viewer', ['team:ops']), 'approve'))
      .then([voted(voter('dave', 'viewer', ['team:ops']), 'approve')])
    // Admins decide any step they see, as they see every task.
    spec(given)
      .when(vote(voter('root-ish', 'admin'), 'approve'))
      .then([voted(voter('root-ish', 'admin'), 'approve')])
  })

  it('an empty approver list is whoever may run the workflow: the user role at least', () => {
    const given = [queued, waiting({ ...approvalStep, approvers: [], required: 1 })]
    spec(given)
      .when(vote(voter('v', 'viewer'), 'approve'))
      .thenFails('FORBIDDEN')
    spec(given)
      .when(vote(carol, 'approve'))
      .then([voted(carol, 'approve'), ended('success', 'approved by carol')])
  })

  it('refuses a vote once the step was decided, canceled or expired (409)', () => {
    const decided = [
      queued,
      waiting(approvalStep),
      voted(carol, 'reject'),
      ended('failure', 'rejected by carol'),
    ]
    spec(decided).when(vote(alice, 'approve')).thenFails('INVALID_STATE')
    spec([queued, waiting(approvalStep), { $case: 'canceled', value: { reason: 'run canceled' } }])
      .when(vote(alice, 'approve'))
      .thenFails('INVALID_STATE')
    spec([queued, waiting(approvalStep)])
      .when(vote(alice, 'approve', { now: later(3600) }))
      .thenFails('INVALID_STATE')
  })

  it('refuses a vote on a job that is no step (409), and a vote of the wrong kind (422)', () => {
    spec([queued]).when(vote(alice, 'approve')).thenFails('INVALID_STATE')
    spec([queued, waiting(approvalStep)])
      .when(vote(alice, 'input'))
      .thenFails('VALIDATION_FAILED')
    spec([queued, waiting(inputStep)])
      .when(vote(alice, 'approve'))
      .thenFails('VALIDATION_FAILED')
  })

  it("answers an input step: its answers, checked against its form, in the form's order, end it success", () => {
    spec([queued, waiting(inputStep)])
      .when(vote(carol, 'input', { answers: { version: '1.2.3' } }))
      .then([
        voted(carol, 'input', '', { version: '1.2.3', region: 'eu' }),
        ended('success', 'answered by carol', ['1.2.3', 'eu']),
      ])
  })

  it('refuses answers the form does not take (422): an unknown label, a required field left out, an option it lacks', () => {
    const given = [queued, waiting(inputStep)]
    spec(given)
      .when(vote(carol, 'input', { answers: { version: '1', extra: 'x' } }))
      .thenFails('VALIDATION_FAILED', {
        label: 'extra',
      })
    spec(given)
      .when(vote(carol, 'input', { answers: { region: 'us' } }))
      .thenFails('VALIDATION_FAILED', {
        field: 'answers.version',
      })
    spec(given)
      .when(vote(carol, 'input', { answers: { version: '1', region: 'mars' } }))
      .thenFails('VALIDATION_FAILED', { field: 'answers.region' })
  })

  it('refuses an answer past the argument limits (422)', () => {
    spec([queued, waiting(inputStep)])
      .when(vote(carol, 'input', { answers: { version: 'x'.repeat(70_000) } }))
      .thenFails('LIMIT_EXCEEDED')
  })

  it('expires a step still waiting at its time (timeout), and leaves alone one decided or not due', () => {
    const expire = { type: 'ExpireStep' as const, now: later(3600) }
    spec([queued, waiting(approvalStep), voted(alice, 'approve')])
      .when(expire)
      .then([ended('timeout', 'step approve expired: nobody decided it in time')])
    spec([queued, waiting(approvalStep)])
      .when({ ...expire, now: later(3599) })
      .then([])
    spec([queued, waiting(approvalStep), voted(carol, 'reject'), ended('failure', 'rejected by carol')])
      .when(expire)
      .then([])
    spec([queued]).when(expire).then([])
  })

  it('shows the step waiting, then as it ended', () => {
    const state = [queued, waiting(approvalStep), voted(alice, 'approve')].reduce(
      jobDecider.evolve,
      jobDecider.initialState(),
    )
    expect(state).toMatchObject({ lifecycle: 'waiting', state: 'in_progress', workflowRunId: 'run-1' })
    expect(state.votes).toEqual([{ voterId: 'tk-alice', voterName: 'alice', vote: 'approve' }])
  })
})
