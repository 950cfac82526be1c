import { type Decider, fold } from '@taskforge/core'
import type { EventStore } from './event-store.js'
import type { AppendResult, NewEvent, StoredEvent, StreamAppend, Trx } from './types.js'
import { WrongExpectedVersionError } from './wrong-expected-version-error.js'

/** Retries of a command whose stream a concurrent writer moved, re-reading it each time. */
const RETRIES = 3

/** One command of a {@link handleCommands} batch, on a stream of its own. */
export interface StreamCommand<C, S, E> {
  streamId: string
  command: C
  /** Encodes a new event; `decidedOn` is the state the command was decided on. */
  encode(event: E, decidedOn: S): NewEvent
  /**
   * The version the caller decided on (HTTP If-Match). A stream at another version fails the command
   * before it is decided (see {@link HandleCommandsArgs.staleVersion}), and a writer slipping in
   * between read and append fails it too: it is never decided again on a state the caller did not see.
   */
  expectedVersion?: bigint
}

/** A command about to be decided: its stream's state, and the command as given. */
export interface PendingCommand<C, S> {
  streamId: string
  state: S
  command: C
}

/** What a {@link CommandMiddleware} is told of the batch it wraps. */
export interface CommandBatch {
  readonly streamType: string
  readonly streamIds: readonly string[]
}

/**
 * Wraps the handling of one batch (tracing, metrics, logging): calls `next` once and answers what it
 * answered. Outcomes are typed loosely here; a middleware passes them on unchanged.
 */
export type CommandMiddleware = (
  batch: CommandBatch,
  next: () => Promise<readonly CommandOutcome<unknown, unknown>[]>,
) => Promise<readonly CommandOutcome<unknown, unknown>[]>

export interface HandleCommandsArgs<C, S, E> {
  streamType: string
  decider: Decider<C, S, E>
  decode(stored: StoredEvent): E
  /** Commands on distinct streams. */
  commands: readonly StreamCommand<C, S, E>[]
  /**
   * The caller's transaction: reads and the append join it. Without one the streams are read as
   * they stand and the append commits on its own.
   */
  trx?: Trx
  /** Event types of which only each stream's last one is read (see EventStore.readStream). */
  latestOf?: readonly string[]
  /**
   * Runs on every round after the streams were read and before deciding: takes the locks and
   * gathers the facts the decisions need beyond their streams, and answers the commands to decide,
   * in the order given.
   */
  prepare?(pending: readonly PendingCommand<C, S>[]): Promise<C[]>
  /**
   * The error of a command whose stream is not at its `expectedVersion`, given the state read
   * (e.g. NOT_FOUND for an object the caller may not see, so versions leak nothing). Default:
   * {@link WrongExpectedVersionError}.
   */
  staleVersion?(state: S, streamId: string, expected: bigint, actual: bigint): unknown
  /** Wrap the batch, outermost first. */
  middleware?: readonly CommandMiddleware[]
}

/** What became of one command: its result, or why it failed (that command only). */
export type CommandOutcome<S, E> =
  | { ok: true; result: HandleCommandResult<S, E> }
  | { ok: false; error: unknown }

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
 * The command loop: reads every stream of the batch in one query, folds each, decides, and appends
 * all of them in one statement, each with the version read. A decision that throws fails its own
 * command only; a stream a concurrent writer moved is read again and its command decided again (up
 * to 3 times; never for a command with an `expectedVersion`), the others stay appended. Answers each
 * command's outcome, in the order given. A database error fails the whole call. A single command is
 * a batch of one: see {@link handleCommand}.
 *
 * @example
 * const [outcome] = await handleCommands(store, {
 *   streamType: 'job', decider: jobDecider, decode, trx,
 *   commands: [{ streamId: jobId, command, encode }],
 * })
 */
export function handleCommands<C, S, E>(
  store: EventStore,
  args: HandleCommandsArgs<C, S, E>,
): Promise<CommandOutcome<S, E>[]> {
  const run = () => loop(store, args)
  const middleware = args.middleware ?? []
  if (middleware.length === 0) return run()
  const batch: CommandBatch = {
    streamType: args.streamType,
    streamIds: args.commands.map((command) => command.streamId),
  }
  const wrapped = middleware.reduceRight<() => Promise<readonly CommandOutcome<unknown, unknown>[]>>(
    (next, layer) => () => layer(batch, next),
    run,
  )
  return wrapped() as Promise<CommandOutcome<S, E>[]>
}

async function loop<C, S, E>(
  store: EventStore,
  args: HandleCommandsArgs<C, S, E>,
): Promise<CommandOutcome<S, E>[]> {
  const { decider, trx } = args
  const outcomes: (CommandOutcome<S, E> | undefined)[] = args.commands.map(() => undefined)
  let open = args.commands.map((_, index) => index)
  for (let attempt = 0; open.length > 0; attempt++) {
    const streams = await store.readStreams(
      open.map((index) => args.commands[index]!.streamId),
      {
        ...(trx === undefined ? {} : { trx }),
        ...(args.latestOf === undefined ? {} : { latestOf: args.latestOf }),
      },
    )
    const read: (PendingCommand<C, S> & { index: number; history: StoredEvent[]; version: bigint })[] = []
    for (const index of open) {
      const { streamId, command, expectedVersion } = args.commands[index]!
      const stream = streams.get(streamId)!
      try {
        const state = fold(
          decider,
          stream.events.map((stored) => args.decode(stored)),
        )
        if (expectedVersion !== undefined && stream.version !== expectedVersion) {
          outcomes[index] = {
            ok: false,
            error:
              args.staleVersion?.(state, streamId, expectedVersion, stream.version) ??
              new WrongExpectedVersionError(streamId, expectedVersion, versionOrUndefined(stream.version)),
          }
          continue
        }
        read.push({ index, streamId, state, command, history: stream.events, version: stream.version })
      } catch (error) {
        outcomes[index] = { ok: false, error }
      }
    }
    const commands =
      args.prepare === undefined || read.length === 0
        ? read.map((pending) => pending.command)
        : await args.prepare(read)
    const deciding: { index: number; state: S; newEvents: E[]; history: StoredEvent[]; version: bigint }[] =
      []
    read.forEach(({ index, state, history, version }, at) => {
      try {
        deciding.push({ index, state, newEvents: decider.decide(commands[at]!, state), history, version })
      } catch (error) {
        outcomes[index] = { ok: false, error }
      }
    })
    const appends: StreamAppend[] = deciding.map(({ index, state, newEvents, version }) => {
      const command = args.commands[index]!
      return {
        streamType: args.streamType,
        streamId: command.streamId,
        events: newEvents.map((event) => command.encode(event, state)),
        expectedVersion: version,
      }
    })
    const appended: (AppendResult | undefined)[] =
      trx !== undefined
        ? await store.appendToStreams(appends, { trx })
        : appends.every((append) => append.events.length === 0)
          ? appends.map((append) => ({ events: [], nextExpectedVersion: append.expectedVersion }))
          : await store.transaction((own) => store.appendToStreams(appends, { trx: own }))
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
      } else if (attempt < RETRIES && args.commands[index]!.expectedVersion === undefined) {
        open.push(index)
      } else {
        gaveUp.push({ index, version })
      }
    })
    if (gaveUp.length > 0) {
      const now = await store.readStreams(
        gaveUp.map(({ index }) => args.commands[index]!.streamId),
        trx === undefined ? {} : { trx },
      )
      for (const { index, version } of gaveUp) {
        const { streamId } = args.commands[index]!
        outcomes[index] = {
          ok: false,
          error: new WrongExpectedVersionError(
            streamId,
            version,
            versionOrUndefined(now.get(streamId)!.version),
          ),
        }
      }
    }
  }
  return outcomes.map((outcome) => outcome!)
}

const versionOrUndefined = (version: bigint): bigint | undefined => (version === 0n ? undefined : version)
