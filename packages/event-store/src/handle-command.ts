import type { Decider } from '@taskforge/core'
import type { EventStore } from './event-store.js'
import {
  type CommandMiddleware,
  type HandleCommandResult,
  handleCommands,
  type PendingCommand,
} from './handle-commands.js'
import type { NewEvent, StoredEvent, Trx } from './types.js'

export type { HandleCommandResult } from './handle-commands.js'

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
  /** The version the caller decided on; see {@link StreamCommand.expectedVersion}. */
  expectedVersion?: bigint
  /** The error of a stream not at `expectedVersion`; see {@link HandleCommandsArgs.staleVersion}. */
  staleVersion?(state: S, streamId: string, expected: bigint, actual: bigint): unknown
  middleware?: readonly CommandMiddleware[]
}

/**
 * {@link handleCommands} for one command: reads the stream, folds it, decides, and appends with the
 * version read, deciding again on the fresh stream (up to 3 times) when a concurrent writer won.
 * Throws what failed the command: a domain error from `decide`, or a version conflict.
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
  const { prepare } = args
  const [outcome] = await handleCommands(store, {
    streamType: args.streamType,
    decider: args.decider,
    decode: args.decode,
    commands: [
      {
        streamId: args.streamId,
        command: args.command,
        encode: (event) => args.encode(event),
        ...(args.expectedVersion === undefined ? {} : { expectedVersion: args.expectedVersion }),
      },
    ],
    ...(args.trx === undefined ? {} : { trx: args.trx }),
    ...(args.latestOf === undefined ? {} : { latestOf: args.latestOf }),
    ...(prepare === undefined
      ? {}
      : {
          prepare: (pending: readonly PendingCommand<C, S>[]) =>
            Promise.all(pending.map(({ state, command }) => prepare(state, command))),
        }),
    ...(args.staleVersion === undefined ? {} : { staleVersion: args.staleVersion }),
    ...(args.middleware === undefined ? {} : { middleware: args.middleware }),
  })
  if (!outcome!.ok) throw outcome!.error
  return outcome!.result
}
