/**
 * A decider holds an aggregate's rules as pure functions: no I/O, no clock, no randomness.
 * `now` and new ids travel inside the command.
 *
 * @example
 * const state = events.reduce(decider.evolve, decider.initialState())
 * const newEvents = decider.decide(command, state)
 */
export interface Decider<Command, State, Event> {
  decide(command: Command, state: State): Event[]
  evolve(state: State, event: Event): State
  initialState(): State
}

/** Folds events into state with a decider's `evolve`. */
export function fold<State, Event>(
  decider: Pick<Decider<never, State, Event>, 'evolve' | 'initialState'>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState()
  for (const event of events) state = decider.evolve(state, event)
  return state
}
