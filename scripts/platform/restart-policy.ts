import { backoffDelay } from '@taskforge/core'

/**
 * When a supervised process that exited on its own is started again, and when the supervisor gives
 * up. Pure: the caller passes the times, so the rules are tested without a clock.
 *
 * A run is *stable* when it became ready and then stayed up `stableAfterMs`. Restarts after runs that
 * were not stable form a streak: the delay before each one doubles from `initialDelayMs` up to
 * `maxDelayMs`, and once the streak would exceed `maxRestarts` the process is in a crash loop and is
 * not started again. A stable run ends the streak, so a process that dies once a day is restarted
 * after `initialDelayMs` every time. Measuring from readiness, not from the start, counts a process
 * that never gets ready (its readiness wait times out) as the crash loop it is.
 */
export interface RestartPolicy {
  /** Delay before the first restart of a streak. */
  readonly initialDelayMs: number
  /** The doubling stops here. */
  readonly maxDelayMs: number
  /** A run that stayed up this long after it was ready ends the streak. */
  readonly stableAfterMs: number
  /** Restarts in one streak; the exit after the last of them ends supervision. */
  readonly maxRestarts: number
}

/** 0.5 s doubling to 30 s; 5 restarts in a row of runs that did not stay up one minute is a crash loop. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
  maxRestarts: 5,
}

/** One run of a process, as far as the policy cares. */
export interface RunTimes {
  /** When it became ready; absent when it exited (or was ended) before. */
  readonly readyAt?: number
  readonly exitedAt: number
}

export type ExitDecision =
  /** Start it again after `delayMs`; `restart` numbers the restart within its streak, from 1. */
  | { readonly kind: 'restart'; readonly delayMs: number; readonly restart: number }
  /** Crash loop: `exits` runs in a row ended without being stable. */
  | { readonly kind: 'give-up'; readonly exits: number }

/** True when the run stayed up long enough to end a streak of restarts. */
export function wasStable(run: RunTimes, policy: RestartPolicy): boolean {
  return run.readyAt !== undefined && run.exitedAt - run.readyAt >= policy.stableAfterMs
}

/**
 * What to do after a run ended on its own, given the restarts of the current streak so far.
 *
 * @example
 * afterExit(0, { readyAt: 0, exitedAt: 1_000 }, DEFAULT_RESTART_POLICY)
 * // { kind: 'restart', delayMs: 500, restart: 1 }
 */
export function afterExit(streak: number, run: RunTimes, policy: RestartPolicy): ExitDecision {
  const restart = wasStable(run, policy) ? 1 : streak + 1
  if (restart > policy.maxRestarts) return { kind: 'give-up', exits: restart }
  const delayMs = backoffDelay({ initialMs: policy.initialDelayMs, maxMs: policy.maxDelayMs }, restart - 1)
  return { kind: 'restart', delayMs, restart }
}
