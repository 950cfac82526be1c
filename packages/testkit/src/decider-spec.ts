import { type Decider, fold, isAppError } from '@taskforge/core'
import { expect } from 'vitest'

/**
 * Decider specs in the given(events) / when(command) / then(events | error) form.
 *
 * @example
 * deciderSpec(jobDecider)([queued]).when(cancel).then([canceled])
 */
export function deciderSpec<C, S, E>(decider: Decider<C, S, E>) {
  return (given: E[]) => ({
    when: (command: C) => {
      const run = () => decider.decide(command, fold(decider, given))
      return {
        // biome-ignore lint/suspicious/noThenProperty: given/when/then is the spec's vocabulary; never awaited
        then(expected: E[]): void {
          expect(run()).toEqual(expected)
        },
        thenFails(code: string, details?: Record<string, unknown>): void {
          let caught: unknown
          try {
            run()
          } catch (error) {
            caught = error
          }
          if (!isAppError(caught)) throw new Error(`expected an AppError ${code}, got ${String(caught)}`)
          expect(caught.code).toBe(code)
          if (details !== undefined) expect(caught.details).toMatchObject(details)
        },
      }
    },
  })
}
