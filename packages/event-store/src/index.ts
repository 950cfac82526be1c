export { APPENDED_CHANNEL, type AppendListener } from './append-notifications.js'
export { createDb } from './create-db.js'
export { databaseReachable } from './database-reachable.js'
export { type AppendObservation, EventStore, type EventStoreOptions } from './event-store.js'
export { comparePositions, positionOf, START } from './global-position.js'
export { type HandleCommandArgs, handleCommand } from './handle-command.js'
export {
  type CommandBatch,
  type CommandMiddleware,
  type CommandOutcome,
  type HandleCommandResult,
  type HandleCommandsArgs,
  handleCommands,
  type PendingCommand,
  type StreamCommand,
} from './handle-commands.js'
export { OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js'
export type { Projection } from './projection.js'
export {
  Projector,
  type ProjectorOptions,
  type RebuildResult,
  type RebuildStep,
  type RebuildStepResult,
  type StepStatus,
  type WaitForOptions,
} from './projector.js'
export {
  type ListQuarantineOptions,
  type PoisonItem,
  Quarantine,
  type QuarantinedItem,
  type QuarantinedMessage,
  type QuarantineKind,
  type QuarantineOptions,
  type QuarantineStatus,
  type Replayer,
} from './quarantine.js'
export type { ReadAllOptions } from './read-all.js'
export { withSchemaLock } from './schema-lock.js'
export type {
  AppendResult,
  Db,
  EventMetadata,
  ExpectedVersion,
  GlobalPosition,
  NewEvent,
  StoredEvent,
  StreamAppend,
  Trx,
} from './types.js'
export { isWrongExpectedVersion, WrongExpectedVersionError } from './wrong-expected-version-error.js'
