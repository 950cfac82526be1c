import { conflict, type Decider, notFound, validationFailed } from '@taskforge/core'
import type { TaskEvent } from '@taskforge/proto/catalog/v1/events'
import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { changedFields, validateTaskDefinition } from './task-definition.js'

/** One fact of a task stream: the ts-proto oneof case of `TaskEvent`. */
export type TaskDomainEvent = NonNullable<TaskEvent['event']>

/**
 * What a write does to one secret variable: set it to a value (sealed by the caller: commands carry
 * every value they record), keep the stored one, or remove it.
 */
export type SecretEnvChange = { kind: 'set'; sealed: Buffer } | { kind: 'keep' } | { kind: 'remove' }

export type TaskCommand =
  | {
      type: 'createTask'
      taskId: string
      customer: string
      /** Its `secretEnv` is ignored: secret variables come as `secretEnv` changes. */
      definition: Partial<TaskDefinition>
      secretEnv: ReadonlyMap<string, SecretEnvChange>
      /** The secret key, sealed. */
      sealedSecret: Buffer
    }
  | {
      type: 'updateTask'
      taskId: string
      customer: string
      /** Fields to change; absent fields keep their value (a full definition replaces everything). */
      changes: Partial<TaskDefinition>
      /** Secret variables not named keep their value, whether the update replaces or patches. */
      secretEnv: ReadonlyMap<string, SecretEnvChange>
    }
  | { type: 'deleteTask'; taskId: string; customer: string }
  | { type: 'rotateTaskSecret'; taskId: string; customer: string; sealedSecret: Buffer }

export type TaskState =
  | { status: 'absent' }
  | {
      status: 'active' | 'deleted'
      taskId: string
      customer: string
      definition: TaskDefinition
    }

function checkSealedSecret(sealed: Buffer): Buffer {
  if (sealed.length === 0) throw validationFailed('a task needs a secret key', { field: 'secret' })
  return sealed
}

/** The secret variables after `changes`: sets replace, removals drop, a keep needs a stored value. */
function applySecretEnv(
  current: Readonly<Record<string, Buffer>>,
  changes: ReadonlyMap<string, SecretEnvChange>,
): Record<string, Buffer> {
  const next = new Map(Object.entries(current))
  for (const [name, change] of changes) {
    if (change.kind === 'set') next.set(name, change.sealed)
    else if (change.kind === 'remove') next.delete(name)
    else if (!next.has(name)) {
      throw validationFailed(`secret_env ${name} has no stored value to keep: give its value`, {
        field: 'secret_env',
      })
    }
  }
  return Object.fromEntries(next)
}

function activeOf(state: TaskState, command: { taskId: string; customer: string }) {
  // Another customer's task is reported exactly like a missing one, so ids leak nothing.
  if (state.status !== 'active' || state.customer !== command.customer) throw notFound('task', command.taskId)
  return state
}

function withoutUndefined(changes: Partial<TaskDefinition>): Partial<TaskDefinition> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined))
}

function decide(command: TaskCommand, state: TaskState): TaskDomainEvent[] {
  switch (command.type) {
    case 'createTask': {
      if (state.status !== 'absent') throw conflict(`task ${command.taskId} already exists`)
      return [
        {
          $case: 'created',
          value: {
            taskId: command.taskId,
            customer: command.customer,
            definition: validateTaskDefinition({
              ...command.definition,
              secretEnv: applySecretEnv({}, command.secretEnv),
            }),
            secret: '',
            sealedSecret: checkSealedSecret(command.sealedSecret),
          },
        },
      ]
    }
    case 'updateTask': {
      const current = activeOf(state, command)
      const definition = validateTaskDefinition({
        ...current.definition,
        ...withoutUndefined(command.changes),
        secretEnv: applySecretEnv(current.definition.secretEnv, command.secretEnv),
      })
      const fields = changedFields(current.definition, definition)
      if (fields.length === 0) return []
      return [{ $case: 'updated', value: { definition, changedFields: fields } }]
    }
    case 'deleteTask': {
      activeOf(state, command)
      return [{ $case: 'deleted', value: {} }]
    }
    case 'rotateTaskSecret': {
      activeOf(state, command)
      return [
        {
          $case: 'secretRotated',
          value: { secret: '', sealedSecret: checkSealedSecret(command.sealedSecret) },
        },
      ]
    }
  }
}

function evolve(state: TaskState, event: TaskDomainEvent): TaskState {
  switch (event.$case) {
    case 'created':
      return {
        status: 'active',
        taskId: event.value.taskId,
        customer: event.value.customer,
        definition: validDefinition(event.value.definition),
      }
    case 'updated':
      return state.status === 'absent'
        ? state
        : { ...state, definition: validDefinition(event.value.definition) }
    case 'deleted':
      return state.status === 'absent' ? state : { ...state, status: 'deleted' }
    case 'secretRotated':
      return state
  }
}

/** Stored events always carry a definition; an empty one stands in for a malformed record. */
function validDefinition(definition: TaskDefinition | undefined): TaskDefinition {
  return definition ?? TaskDefinition.create()
}

/**
 * The rules of one task. Every definition is validated and normalised before it becomes a fact;
 * updates record the whole new definition plus the API names of what changed, and changing
 * nothing records nothing. The secret key and secret variables come sealed by the caller (commands
 * carry all randomness); a value set again counts as a change, as sealed values cannot be compared.
 */
export const taskDecider: Decider<TaskCommand, TaskState, TaskDomainEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
}
