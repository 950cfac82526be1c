import { type Decider, fold, isAppError } from '@taskforge/core'
import { expect } from 'vitest'

/**
 * Decider specs in the given(events) / when(command) / thenEvents(events) | thenFails(code) form.
 *
 * @example
 * spec([created]).when(deleteCommand).thenEvents([{ $case: 'deleted', value: {} }])
 */
export function deciderSpec<C, S, E>(decider: Decider<C, S, E>) {
  return (given: E[]) => ({
    when: (command: C) => {
      const run = () => decider.decide(command, fold(decider, given))
      return {
        thenEvents(expected: E[]): void {
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
