import { type Decider, fold } from '@taskforge/core'
import type { EventStore } from './event-store.js'
import type { HandleCommandResult } from './handle-command.js'
import type { NewEvent, StoredEvent, Trx } from './types.js'
import { WrongExpectedVersionError } from './wrong-expected-version-error.js'

/** Retries of a command whose stream a concurrent writer moved, re-reading it each time. */
const RETRIES = 3

/** One command of a {@link handleCommands} batch, on a stream of its own. */
export interface StreamCommand<C, S, E> {
  streamId: string
  command: C
  /** Encodes a new event; `decidedOn` is the state the command was decided on. */
  encode(event: E, decidedOn: S): NewEvent
}

/** A command about to be decided: its stream's state, and the command as given. */
export interface PendingCommand<C, S> {
  streamId: string
  state: S
  command: C
}

export interface HandleCommandsArgs<C, S, E> {
  streamType: string
  decider: Decider<C, S, E>
  decode(stored: StoredEvent): E
  /** Commands on distinct streams. */
  commands: readonly StreamCommand<C, S, E>[]
  trx: Trx
  /**
   * Runs on every round after the streams were read and before deciding: takes the locks and
   * gathers the facts the decisions need beyond their streams, and answers the commands to decide,
   * in the order given.
   */
  prepare?(pending: readonly PendingCommand<C, S>[]): Promise<C[]>
}

/** What became of one command: its result, or why it failed (that command only). */
export type CommandOutcome<S, E> =
  | { ok: true; result: HandleCommandResult<S, E> }
  | { ok: false; error: unknown }

/**
 * {@link handleCommand} for many streams at once in the caller's transaction: one read of every
 * stream, the decisions, one append for all of them. A decision that throws fails its own command
 * only; a stream a concurrent writer moved is read again and its command decided again (up to 3
 * times), the others stay appended. Answers each command's outcome, in the order given. A database
 * error fails the whole call (the transaction is lost anyway).
 */
export async function handleCommands<C, S, E>(
  store: EventStore,
  args: HandleCommandsArgs<C, S, E>,
): Promise<CommandOutcome<S, E>[]> {
  const { decider, trx } = args
  const outcomes: (CommandOutcome<S, E> | undefined)[] = args.commands.map(() => undefined)
  let open = args.commands.map((_, index) => index)
  for (let attempt = 0; open.length > 0; attempt++) {
    const streams = await store.readStreams(
      open.map((index) => args.commands[index]!.streamId),
      { trx },
    )
    const read = open.map((index) => {
      const { streamId, command } = args.commands[index]!
      const stream = streams.get(streamId)!
      const state = fold(
        decider,
        stream.events.map((stored) => args.decode(stored)),
      )
      return { index, streamId, state, command, stream }
    })
    const commands =
      args.prepare === undefined ? read.map((pending) => pending.command) : await args.prepare(read)
    const deciding: { index: number; state: S; newEvents: E[]; history: StoredEvent[]; version: bigint }[] =
      []
    read.forEach(({ index, state, stream }, at) => {
      try {
        const newEvents = decider.decide(commands[at]!, state)
        deciding.push({ index, state, newEvents, history: stream.events, version: stream.version })
      } catch (error) {
        outcomes[index] = { ok: false, error }
      }
    })
    const appended = await store.appendToStreams(
      deciding.map(({ index, state, newEvents, version }) => {
        const command = args.commands[index]!
        return {
          streamType: args.streamType,
          streamId: command.streamId,
          events: newEvents.map((event) => command.encode(event, state)),
          expectedVersion: version,
        }
      }),
      { trx },
    )
    open = []
    const gaveUp: { index: number; version: bigint }[] = []
    deciding.forEach(({ index, state, newEvents, history, version }, at) => {
      const result = appended[at]
      if (result !== undefined) {
        outcomes[index] = {
          ok: true,
          result: {
            state: newEvents.reduce((current, event) => decider.evolve(current, event), state),
            newEvents,
            appended: result.events,
            nextExpectedVersion: result.nextExpectedVersion,
            history,
          },
        }
      } else if (attempt < RETRIES) {
        open.push(index)
      } else {
        gaveUp.push({ index, version })
      }
    })
    if (gaveUp.length > 0) {
      const now = await store.readStreams(
        gaveUp.map(({ index }) => args.commands[index]!.streamId),
        { trx },
      )
      for (const { index, version } of gaveUp) {
        const { streamId } = args.commands[index]!
        const actual = now.get(streamId)!.version
        outcomes[index] = {
          ok: false,
          error: new WrongExpectedVersionError(streamId, version, actual === 0n ? undefined : actual),
        }
      }
    }
  }
  return outcomes.map((outcome) => outcome!)
}
