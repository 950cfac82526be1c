import { describe, expect, it } from 'vitest'
import { nextChainStep } from './trigger-chain.js'

describe('nextChainStep', () => {
  it('begins a chain at depth 1 with a run that no trigger started', () => {
    expect(nextChainStep({ kind: 'job', jobId: 'job-a', taskId: 'A', chain: undefined }, 'B', 10)).toEqual({
      chain: { id: 'job-a', depth: 1, taskIds: ['A', 'B'] },
    })
  })

  it('begins a chain at depth 1 with a webhook fire', () => {
    expect(nextChainStep({ kind: 'webhook', fireId: 'fire-1' }, 'C', 10)).toEqual({
      chain: { id: 'fire-1', depth: 1, taskIds: ['C'] },
    })
  })

  it('carries the chain on, one step deeper', () => {
    const chain = { id: 'job-a', depth: 1, taskIds: ['A', 'B'] }
    expect(nextChainStep({ kind: 'job', jobId: 'job-b', taskId: 'B', chain }, 'C', 10)).toEqual({
      chain: { id: 'job-a', depth: 2, taskIds: ['A', 'B', 'C'] },
    })
  })

  it('stops a cycle: a task that already ran in the chain', () => {
    const chain = { id: 'job-a', depth: 1, taskIds: ['A', 'B'] }
    const step = nextChainStep({ kind: 'job', jobId: 'job-b', taskId: 'B', chain }, 'A', 10)
    expect(step.refusal).toBe(
      'trigger cycle stopped: task A already ran in this chain of triggers (A → B → A)',
    )
    expect(step.chain.depth).toBe(2)
  })

  it('stops a task triggering itself', () => {
    const step = nextChainStep({ kind: 'job', jobId: 'job-a', taskId: 'A', chain: undefined }, 'A', 10)
    expect(step.refusal).toMatch(/^trigger cycle stopped: task A/)
  })

  it('stops a chain going deeper than the limit', () => {
    const chain = { id: 'job-1', depth: 3, taskIds: ['T0', 'T1', 'T2', 'T3'] }
    const step = nextChainStep({ kind: 'job', jobId: 'job-4', taskId: 'T3', chain }, 'T4', 3)
    expect(step.refusal).toBe(
      'trigger chain stopped: this job would be 4 triggers deep, at most 3 are allowed (TRIGGER_MAX_CHAIN_DEPTH)',
    )
    expect(
      nextChainStep({ kind: 'job', jobId: 'job-4', taskId: 'T3', chain }, 'T4', 4).refusal,
    ).toBeUndefined()
  })
})
