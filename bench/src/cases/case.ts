import type { CaseResult } from '../results/model.js'

/** What every case is given: how many repetitions, and where to say what it is doing. */
export interface CaseContext {
  repetitions: number
  /** Shorter passes (for trying the harness out); figures from such a run are not comparable. */
  quick: boolean
  log(message: string): void
}

export function skippedCase(
  id: string,
  title: string,
  group: CaseResult['group'],
  reason: string,
): CaseResult {
  return { id, title, group, settings: {}, metrics: [], skipped: reason }
}

/** Fails a repetition whose calls failed: figures with silent failures in them would flatter us. */
export function assertNoFailures(what: string, outcome: { failures: number; errors: string[] }): void {
  if (outcome.failures > 0) {
    throw new Error(`${what}: ${outcome.failures} calls failed, e.g. ${outcome.errors.join(' | ')}`)
  }
}
