import { WorkflowDefinition } from '@taskforge/proto/catalog/v1/model'
import { deciderSpec } from '@taskforge/testkit/decider-spec'
import { describe, it } from 'vitest'
import { type WorkflowDomainEvent, workflowDecider } from './workflow-decider.js'
import { validateWorkflowDefinition } from './workflow-definition.js'

const spec = deciderSpec(workflowDecider)
const workflowId = '01900000-0000-7000-8000-0000000000ab'
const customer = 'acme'
const known = new Map([['task-1', { arguments: [] }]])

const draft: Partial<WorkflowDefinition> = {
  name: 'release',
  nodes: [
    {
      key: 'build',
      step: { $case: 'taskId', value: 'task-1' },
      arguments: [],
      timeout: 0,
      retry: undefined,
      join: '',
    },
  ],
  edges: [],
  start: 'build',
}
const definition = validateWorkflowDefinition(draft, known)
const sealedSecret = Buffer.from('sealed')
const created: WorkflowDomainEvent = {
  $case: 'created',
  value: { workflowId, customer, definition, sealedSecret },
}
const described = WorkflowDefinition.fromPartial({ ...definition, description: 'v2' })
const updated: WorkflowDomainEvent = {
  $case: 'updated',
  value: { version: 2, definition: described, changedFields: ['description'] },
}
const update = (changes: Partial<WorkflowDefinition>, expectedVersion = 0) => ({
  type: 'updateWorkflow' as const,
  workflowId,
  customer,
  changes,
  knownTasks: known,
  expectedVersion,
})

describe('workflow decider', () => {
  it('creates version 1 with the definition normalised', () => {
    spec([])
      .when({
        type: 'createWorkflow',
        workflowId,
        customer,
        definition: draft,
        knownTasks: known,
        sealedSecret,
      })
      .then([created])
  })

  it('refuses to create twice, and an invalid definition', () => {
    spec([created])
      .when({
        type: 'createWorkflow',
        workflowId,
        customer,
        definition: draft,
        knownTasks: known,
        sealedSecret,
      })
      .thenFails('CONFLICT')
    spec([])
      .when({
        type: 'createWorkflow',
        workflowId,
        customer,
        definition: draft,
        knownTasks: new Map(),
        sealedSecret,
      })
      .thenFails('VALIDATION_FAILED', { field: 'nodes[0].task', node: 'build' })
  })

  it('records each save that changes something as the next version, and nothing for one that does not', () => {
    spec([created])
      .when(update({ description: 'v2' }))
      .then([updated])
    spec([created, updated])
      .when(update({ description: 'v3' }))
      .then([
        {
          $case: 'updated',
          value: {
            version: 3,
            definition: WorkflowDefinition.fromPartial({ ...definition, description: 'v3' }),
            changedFields: ['description'],
          },
        },
      ])
    spec([created, updated])
      .when(update({ description: 'v2' }))
      .then([])
  })

  it('applies a save only to the version If-Match names', () => {
    spec([created, updated])
      .when(update({ description: 'v3' }, 2))
      .then([
        {
          $case: 'updated',
          value: {
            version: 3,
            definition: WorkflowDefinition.fromPartial({ ...definition, description: 'v3' }),
            changedFields: ['description'],
          },
        },
      ])
    spec([created, updated])
      .when(update({ description: 'v3' }, 1))
      .thenFails('PRECONDITION_FAILED', { expected: 1, actual: 2 })
  })

  it('validates the whole definition a patch leaves', () => {
    spec([created])
      .when(update({ start: 'elsewhere' }))
      .thenFails('VALIDATION_FAILED', { field: 'start' })
  })

  it("deletes once; a deleted or another organization's workflow is not found", () => {
    spec([created])
      .when({ type: 'deleteWorkflow', workflowId, customer })
      .then([{ $case: 'deleted', value: {} }])
    spec([created, { $case: 'deleted', value: {} }])
      .when({ type: 'deleteWorkflow', workflowId, customer })
      .thenFails('NOT_FOUND')
    spec([created])
      .when({ ...update({ description: 'x' }), customer: 'globex' })
      .thenFails('NOT_FOUND')
  })

  it('rotates the key of runs by secret of a live workflow, leaving the version alone', () => {
    const rotated = Buffer.from('rotated')
    spec([created])
      .when({ type: 'rotateWorkflowSecret', workflowId, customer, sealedSecret: rotated })
      .then([{ $case: 'secretRotated', value: { sealedSecret: rotated } }])
    spec([created, { $case: 'secretRotated', value: { sealedSecret: rotated } }])
      .when(update({ description: 'v2' }, 1))
      .then([updated])
    spec([created])
      .when({ type: 'rotateWorkflowSecret', workflowId, customer: 'other', sealedSecret: rotated })
      .thenFails('NOT_FOUND')
    spec([created, { $case: 'deleted', value: {} }])
      .when({ type: 'rotateWorkflowSecret', workflowId, customer, sealedSecret: rotated })
      .thenFails('NOT_FOUND')
  })
})
