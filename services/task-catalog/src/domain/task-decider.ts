import { conflict, type Decider, notFound, validationFailed } from '@taskforge/core'
import type { TaskEvent } from '@taskforge/proto/catalog/v1/events'
import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { changedFields, validateTaskDefinition } from './task-definition.js'

/** One fact of a task stream: the ts-proto oneof case of `TaskEvent`. */
export type TaskDomainEvent = NonNullable<TaskEvent['event']>

export type TaskCommand =
  | {
      type: 'createTask'
      taskId: string
      customer: string
      definition: Partial<TaskDefinition>
      secret: string
    }
  | {
      type: 'updateTask'
      taskId: string
      customer: string
      /** Fields to change; absent fields keep their value (a full definition replaces everything). */
      changes: Partial<TaskDefinition>
    }
  | { type: 'deleteTask'; taskId: string; customer: string }
  | { type: 'rotateTaskSecret'; taskId: string; customer: string; secret: string }

export type TaskState =
  | { status: 'absent' }
  | {
      status: 'active' | 'deleted'
      taskId: string
      customer: string
      definition: TaskDefinition
      secret: string
    }

const SECRET = /^[0-9a-f]{64}$/

function checkSecret(secret: string): string {
  if (!SECRET.test(secret)) throw validationFailed('a task secret is 64 hex characters', { field: 'secret' })
  return secret
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
            definition: validateTaskDefinition(command.definition),
            secret: checkSecret(command.secret),
          },
        },
      ]
    }
    case 'updateTask': {
      const current = activeOf(state, command)
      const definition = validateTaskDefinition({
        ...current.definition,
        ...withoutUndefined(command.changes),
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
      const current = activeOf(state, command)
      const secret = checkSecret(command.secret)
      if (secret === current.secret)
        throw validationFailed('the new secret equals the current one', { field: 'secret' })
      return [{ $case: 'secretRotated', value: { secret } }]
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
        secret: event.value.secret,
      }
    case 'updated':
      return state.status === 'absent'
        ? state
        : { ...state, definition: validDefinition(event.value.definition) }
    case 'deleted':
      return state.status === 'absent' ? state : { ...state, status: 'deleted' }
    case 'secretRotated':
      return state.status === 'absent' ? state : { ...state, secret: event.value.secret }
  }
}

/** Stored events always carry a definition; an empty one stands in for a malformed record. */
function validDefinition(definition: TaskDefinition | undefined): TaskDefinition {
  return definition ?? TaskDefinition.create()
}

/**
 * The rules of one task. Every definition is validated and normalised before it becomes a fact;
 * updates record the whole new definition plus the API names of what changed, and changing
 * nothing records nothing. The secret is chosen by the caller (commands carry all randomness).
 */
export const taskDecider: Decider<TaskCommand, TaskState, TaskDomainEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
}
