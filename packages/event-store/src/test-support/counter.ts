import { type Decider, invalidState } from '@taskforge/core'
import type { StoredEvent } from '../types.js'

/** A counter stream for the command-handling tests: adds until closed. */
export type CounterCommand = { kind: 'add'; amount: number } | { kind: 'close' }
export type CounterEvent = { kind: 'added'; amount: number } | { kind: 'closed' }
export interface CounterState {
  total: number
  closed: boolean
}

export const counter: Decider<CounterCommand, CounterState, CounterEvent> = {
  initialState: () => ({ total: 0, closed: false }),
  evolve: (state, event) =>
    event.kind === 'added' ? { ...state, total: state.total + event.amount } : { ...state, closed: true },
  decide(command, state) {
    if (state.closed) throw invalidState('the counter is closed')
    if (command.kind === 'close') return [{ kind: 'closed' }]
    return command.amount === 0 ? [] : [{ kind: 'added', amount: command.amount }]
  },
}

export const decodeCounterEvent = (stored: StoredEvent): CounterEvent =>
  JSON.parse(new TextDecoder().decode(stored.data)) as CounterEvent
