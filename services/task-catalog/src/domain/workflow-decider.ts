import { AppError, conflict, type Decider, ErrorKinds, notFound } from '@taskforge/core'
import type { WorkflowEvent } from '@taskforge/proto/catalog/v1/events'
import { WorkflowDefinition } from '@taskforge/proto/catalog/v1/model'
import { changedWorkflowFields, type KnownTask, validateWorkflowDefinition } from './workflow-definition.js'

/** One fact of a workflow stream: the ts-proto oneof case of `WorkflowEvent`. */
export type WorkflowDomainEvent = NonNullable<WorkflowEvent['event']>

export type WorkflowCommand =
  | {
      type: 'createWorkflow'
      workflowId: string
      customer: string
      definition: Partial<WorkflowDefinition>
      /** Those of the tasks the definition names that are live tasks of the organization. */
      knownTasks: ReadonlyMap<string, KnownTask>
      /** The key of runs by secret, sealed. */
      sealedSecret: Buffer
    }
  | {
      type: 'updateWorkflow'
      workflowId: string
      customer: string
      /** Fields to change; absent fields keep their value (a full definition replaces everything). */
      changes: Partial<WorkflowDefinition>
      knownTasks: ReadonlyMap<string, KnownTask>
      /** The version the caller saw (If-Match); 0 or absent: no condition. */
      expectedVersion?: number | undefined
    }
  | { type: 'deleteWorkflow'; workflowId: string; customer: string }
  | { type: 'rotateWorkflowSecret'; workflowId: string; customer: string; sealedSecret: Buffer }

export type WorkflowState =
  | { status: 'absent' }
  | {
      status: 'active' | 'deleted'
      workflowId: string
      customer: string
      /** The version of the definition: 1 when created, one more for every save that changed it. */
      version: number
      definition: WorkflowDefinition
    }

function activeOf(state: WorkflowState, command: { workflowId: string; customer: string }) {
  // Another customer's workflow is reported exactly like a missing one, so ids leak nothing.
  if (state.status !== 'active' || state.customer !== command.customer) {
    throw notFound('workflow', command.workflowId)
  }
  return state
}

function withoutUndefined<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>
}

function decide(command: WorkflowCommand, state: WorkflowState): WorkflowDomainEvent[] {
  switch (command.type) {
    case 'createWorkflow': {
      if (state.status !== 'absent') throw conflict(`workflow ${command.workflowId} already exists`)
      return [
        {
          $case: 'created',
          value: {
            workflowId: command.workflowId,
            customer: command.customer,
            definition: validateWorkflowDefinition(command.definition, command.knownTasks),
            sealedSecret: command.sealedSecret,
          },
        },
      ]
    }
    case 'updateWorkflow': {
      const current = activeOf(state, command)
      const expected = command.expectedVersion ?? 0
      if (expected !== 0 && expected !== current.version) {
        throw new AppError(
          ErrorKinds.PRECONDITION_FAILED,
          `workflow ${command.workflowId} is at version ${current.version}, the request expected version ${expected}`,
          { details: { field: 'if-match', expected, actual: current.version } },
        )
      }
      const definition = validateWorkflowDefinition(
        { ...current.definition, ...withoutUndefined(command.changes) },
        command.knownTasks,
      )
      const changedFields = changedWorkflowFields(current.definition, definition)
      if (changedFields.length === 0) return []
      return [{ $case: 'updated', value: { version: current.version + 1, definition, changedFields } }]
    }
    case 'deleteWorkflow': {
      activeOf(state, command)
      return [{ $case: 'deleted', value: {} }]
    }
    case 'rotateWorkflowSecret': {
      activeOf(state, command)
      return [{ $case: 'secretRotated', value: { sealedSecret: command.sealedSecret } }]
    }
  }
}

function evolve(state: WorkflowState, event: WorkflowDomainEvent): WorkflowState {
  switch (event.$case) {
    case 'created':
      return {
        status: 'active',
        workflowId: event.value.workflowId,
        customer: event.value.customer,
        version: 1,
        definition: event.value.definition ?? WorkflowDefinition.create(),
      }
    case 'updated':
      return state.status === 'absent'
        ? state
        : {
            ...state,
            version: event.value.version,
            definition: event.value.definition ?? WorkflowDefinition.create(),
          }
    case 'deleted':
      return state.status === 'absent' ? state : { ...state, status: 'deleted' }
    case 'secretRotated':
      return state
  }
}

/**
 * The rules of one workflow definition. Every save is validated whole (graph, tasks, limits) and,
 * when it changes something, recorded as a new immutable version carrying the whole definition and
 * its number; a save that changes nothing records nothing. If-Match compares the definition's
 * version, so a later event of another kind (a secret rotation) cannot make a caller's version stale.
 */
export const workflowDecider: Decider<WorkflowCommand, WorkflowState, WorkflowDomainEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
}
