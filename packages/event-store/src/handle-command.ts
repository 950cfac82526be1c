import { type Decider, fold } from '@taskforge/core'
import type { EventStore } from './event-store.js'
import type { NewEvent, StoredEvent, Trx } from './types.js'
import { isWrongExpectedVersion } from './wrong-expected-version-error.js'

/** Retries after a concurrent writer won, re-reading the stream each time. */
const RETRIES = 3

export interface HandleCommandArgs<C, S, E> {
  streamType: string
  streamId: string
  decider: Decider<C, S, E>
  command: C
  encode(event: E): NewEvent
  decode(stored: StoredEvent): E
  trx?: Trx
  /** Event types of which only the last one is read (see EventStore.readStream). */
  latestOf?: readonly string[]
  /**
   * Runs on every attempt after the stream was read and before deciding: checks or gathers what the
   * decision needs beyond the stream, on the state it will decide on, and answers the command to
   * decide.
   */
  prepare?(state: S, command: C): Promise<C>
}

export interface HandleCommandResult<S, E> {
  /** The state after the new events. */
  state: S
  newEvents: E[]
  appended: StoredEvent[]
  nextExpectedVersion: bigint
  /** The stream as read for the decision (see `latestOf`), before the new events. */
  history: StoredEvent[]
}

/**
 * Reads a stream, folds it, decides, and appends with the version read. A concurrent append makes
 * that version stale: the whole cycle is retried (up to 3 times) against the fresh stream, so the
 * decision is always taken on the latest state. Domain errors thrown by `decide` pass through.
 *
 * @example
 * const { state, appended } = await handleCommand(store, {
 *   streamType: 'job', streamId: jobId, decider: jobDecider, command, encode, decode,
 * })
 */
export async function handleCommand<C, S, E>(
  store: EventStore,
  args: HandleCommandArgs<C, S, E>,
): Promise<HandleCommandResult<S, E>> {
  const { decider, streamType, streamId, trx } = args
  for (let attempt = 0; ; attempt++) {
    const { version, events } = await store.readStream(streamId, {
      ...(trx === undefined ? {} : { trx }),
      ...(args.latestOf === undefined ? {} : { latestOf: args.latestOf }),
    })
    const state = fold(
      decider,
      events.map((stored) => args.decode(stored)),
    )
    const command = args.prepare === undefined ? args.command : await args.prepare(state, args.command)
    const newEvents = decider.decide(command, state)
    if (newEvents.length === 0)
      return { state, newEvents, appended: [], nextExpectedVersion: version, history: events }
    try {
      const result = await store.appendToStream(
        streamType,
        streamId,
        newEvents.map((event) => args.encode(event)),
        {
          expectedVersion: version,
          ...(trx === undefined ? {} : { trx }),
        },
      )
      return {
        state: newEvents.reduce((current, event) => decider.evolve(current, event), state),
        newEvents,
        appended: result.events,
        nextExpectedVersion: result.nextExpectedVersion,
        history: events,
      }
    } catch (error) {
      if (!isWrongExpectedVersion(error) || attempt >= RETRIES) throw error
    }
  }
}
