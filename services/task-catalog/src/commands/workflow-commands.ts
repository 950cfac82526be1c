import { isId, newId, newSecret, notFound } from '@taskforge/core'
import { type EventStore, handleCommand, type Projector, type StoredEvent } from '@taskforge/event-store'
import type { WorkflowDefinition } from '@taskforge/proto/catalog/v1/model'
import { type WorkflowCommand, workflowDecider } from '../domain/workflow-decider.js'
import { type KnownTask, taskIdsOf } from '../domain/workflow-definition.js'
import type { CommandContext } from '../events/command-context.js'
import { decodeWorkflowEvent, encodeWorkflowEvent, WORKFLOW_STREAM } from '../events/workflow-codec.js'
import type { WorkflowReadModel } from '../projections/workflow-read-model.js'
import type { SecretSealer } from '../secrets/secret-sealer.js'

export interface WorkflowCommandsDeps {
  store: EventStore
  projector: Projector
  /** Which tasks a definition names exist (the read model of tasks). */
  readModel: WorkflowReadModel
  /** Seals the key of runs by secret. */
  sealer: SecretSealer
  /** How long a command waits for its events to reach the read model (default 10s). */
  readYourWritesTimeoutMs?: number
}

/**
 * The command side of workflow definitions: which of the tasks a definition names are live tasks of
 * the organization (I/O), then the pure decider, then a wait until the read model holds the new
 * version so that the caller's next query sees it.
 */
export class WorkflowCommands {
  readonly #store: EventStore
  readonly #projector: Projector
  readonly #readModel: WorkflowReadModel
  readonly #sealer: SecretSealer
  readonly #timeoutMs: number

  constructor(deps: WorkflowCommandsDeps) {
    this.#store = deps.store
    this.#projector = deps.projector
    this.#readModel = deps.readModel
    this.#sealer = deps.sealer
    this.#timeoutMs = deps.readYourWritesTimeoutMs ?? 10_000
  }

  async createWorkflow(
    ctx: CommandContext,
    definition: Partial<WorkflowDefinition>,
  ): Promise<{ workflowId: string }> {
    const workflowId = newId()
    const knownTasks = await this.#knownTasks(ctx.customer, definition)
    await this.#execute(ctx, workflowId, {
      type: 'createWorkflow',
      workflowId,
      customer: ctx.customer,
      definition,
      knownTasks,
      sealedSecret: this.#sealSecret(ctx.customer, workflowId, newSecret()),
    })
    return { workflowId }
  }

  /** Replaces the workflow's key of runs by secret and answers the new one. */
  async rotateWorkflowSecret(ctx: CommandContext, workflowId: string): Promise<{ secret: string }> {
    const secret = newSecret()
    await this.#execute(ctx, workflowId, {
      type: 'rotateWorkflowSecret',
      workflowId,
      customer: ctx.customer,
      sealedSecret: this.#sealSecret(ctx.customer, workflowId, secret),
    })
    return { secret }
  }

  #sealSecret(customer: string, workflowId: string, secret: string): Buffer {
    return this.#sealer.seal(secret, { purpose: 'workflow-secret', customer, workflowId })
  }

  /** Saves a new version when the changes change something; answers the API names of what changed. */
  async updateWorkflow(
    ctx: CommandContext,
    workflowId: string,
    changes: Partial<WorkflowDefinition>,
    expectedVersion = 0,
  ): Promise<{ changedFields: string[] }> {
    const events = await this.#execute(ctx, workflowId, {
      type: 'updateWorkflow',
      workflowId,
      customer: ctx.customer,
      changes,
      // Filled once the current definition is read: the tasks of the nodes a patch keeps count too.
      knownTasks: new Map(),
      expectedVersion,
    })
    const updated = events.find((event) => event.$case === 'updated')
    return { changedFields: updated?.$case === 'updated' ? updated.value.changedFields : [] }
  }

  async deleteWorkflow(ctx: CommandContext, workflowId: string): Promise<void> {
    await this.#execute(ctx, workflowId, { type: 'deleteWorkflow', workflowId, customer: ctx.customer })
  }

  #knownTasks(customer: string, definition: Partial<WorkflowDefinition>): Promise<Map<string, KnownTask>> {
    return this.#readModel.existingTasks(customer, taskIdsOf({ nodes: definition.nodes ?? [] }))
  }

  async #execute(ctx: CommandContext, workflowId: string, command: WorkflowCommand) {
    if (!isId(workflowId)) throw notFound('workflow', workflowId)
    const { appended, newEvents } = await handleCommand(this.#store, {
      streamType: WORKFLOW_STREAM,
      streamId: workflowId,
      // Each update carries the whole definition: earlier ones change nothing in the fold.
      latestOf: ['updated'],
      decider: workflowDecider,
      command,
      prepare: async (state, current) => {
        if (current.type !== 'updateWorkflow' || state.status !== 'active') return current
        const nodes = current.changes.nodes ?? state.definition.nodes
        return { ...current, knownTasks: await this.#knownTasks(ctx.customer, { nodes }) }
      },
      encode: (event) => encodeWorkflowEvent(event, ctx),
      decode: (stored) => {
        // An id of another kind of stream (a task id sent as a workflow id) names no workflow.
        if (stored.streamType !== WORKFLOW_STREAM) throw notFound('workflow', workflowId)
        return decodeWorkflowEvent(stored)
      },
    })
    await this.#readYourWrites(appended)
    return newEvents
  }

  async #readYourWrites(appended: StoredEvent[]): Promise<void> {
    await this.#projector.waitForAppended(appended, {
      timeoutMs: this.#timeoutMs,
      projections: ['workflows'],
    })
  }
}
