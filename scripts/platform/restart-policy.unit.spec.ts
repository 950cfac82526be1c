import { describe, expect, it } from 'vitest'
import { afterExit, DEFAULT_RESTART_POLICY, type ExitDecision, type RunTimes } from './restart-policy.js'

const policy = DEFAULT_RESTART_POLICY

/** Feeds runs to the policy as a supervisor would, carrying the streak from one decision to the next. */
function decisions(runs: RunTimes[]): ExitDecision[] {
  let streak = 0
  return runs.map((run) => {
    const decision = afterExit(streak, run, policy)
    if (decision.kind === 'restart') streak = decision.restart
    return decision
  })
}

/** A run that was ready at `at` and exited `upMs` later. */
const up = (at: number, upMs: number): RunTimes => ({ readyAt: at, exitedAt: at + upMs })

describe('restart policy', () => {
  it('waits 0.5 s before the first restart and doubles the wait with each restart in a row', () => {
    const runs = [0, 1, 2, 3, 4].map((i) => up(i * 10_000, 1_000))
    expect(decisions(runs)).toEqual([
      { kind: 'restart', delayMs: 500, restart: 1 },
      { kind: 'restart', delayMs: 1_000, restart: 2 },
      { kind: 'restart', delayMs: 2_000, restart: 3 },
      { kind: 'restart', delayMs: 4_000, restart: 4 },
      { kind: 'restart', delayMs: 8_000, restart: 5 },
    ])
  })

  it('gives up at the exit after the fifth restart in a row', () => {
    const runs = [0, 1, 2, 3, 4, 5].map((i) => up(i * 10_000, 1_000))
    expect(decisions(runs).at(-1)).toEqual({ kind: 'give-up', exits: 6 })
  })

  it('counts a run that never got ready as unstable however long it took', () => {
    const runs: RunTimes[] = [0, 1, 2, 3, 4, 5].map((i) => ({ exitedAt: (i + 1) * 90_000 }))
    expect(decisions(runs).at(-1)).toEqual({ kind: 'give-up', exits: 6 })
  })

  it('starts over after a run that stayed up a minute', () => {
    const runs = [up(0, 1_000), up(10_000, 1_000), up(20_000, 1_000), up(30_000, 60_000), up(100_000, 1_000)]
    expect(decisions(runs).map((decision) => decision.kind === 'restart' && decision.delayMs)).toEqual([
      500, 1_000, 2_000, 500, 1_000,
    ])
  })

  it('never gives up on a process that fails now and then after running a while', () => {
    const runs = Array.from({ length: 50 }, (_, i) => up(i * 120_000, 60_000))
    expect(decisions(runs).every((decision) => decision.kind === 'restart' && decision.restart === 1)).toBe(
      true,
    )
  })

  it('caps the wait at 30 s', () => {
    const long = { ...policy, maxRestarts: 20 }
    let streak = 0
    const delays: number[] = []
    for (let i = 0; i < 10; i++) {
      const decision = afterExit(streak, up(i * 100_000, 1_000), long)
      if (decision.kind !== 'restart') throw new Error('gave up')
      streak = decision.restart
      delays.push(decision.delayMs)
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000])
  })
})
