import {
  AppError,
  conflict,
  ErrorKinds,
  fold,
  isId,
  newId,
  newSecret,
  notFound,
  validationFailed,
} from '@taskforge/core'
import {
  type EventStore,
  type HandleCommandArgs,
  handleCommand,
  type Projector,
  type StoredEvent,
} from '@taskforge/event-store'
import type { Recipe } from '@taskforge/proto/catalog/v1/catalog_service'
import type { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { definitionFromRecipe } from '../domain/recipe.js'
import { type ScriptState, scriptDecider, validateFilename } from '../domain/script-decider.js'
import {
  type TaskCommand,
  type TaskDomainEvent,
  type TaskState,
  taskDecider,
} from '../domain/task-decider.js'
import { validateTaskDefinition } from '../domain/task-definition.js'
import type { CommandContext } from '../events/command-context.js'
import { decodeScriptEvent, encodeScriptEvent, SCRIPT_STREAM } from '../events/script-codec.js'
import { decodeTaskEvent, encodeTaskEvent, TASK_STREAM } from '../events/task-codec.js'
import { type ClearSecretEnvChange, sealSecretEnv } from '../secrets/secret-env.js'
import type { SecretSealer } from '../secrets/secret-sealer.js'
import type { BotDirectory } from './bot-directory.js'

/** The projection each stream type's events are read back from. */
const READ_MODEL_OF: Readonly<Record<string, string>> = { [SCRIPT_STREAM]: 'scripts', [TASK_STREAM]: 'tasks' }

export interface CatalogCommandsDeps {
  store: EventStore
  projector: Projector
  bots: BotDirectory
  /** Seals task secret keys and secret variables before anything is recorded (decision 18). */
  sealer: SecretSealer
  /** How long a command waits for its events to reach the read model (default 10s). */
  readYourWritesTimeoutMs?: number
  /**
   * Called once the read model shows a change of an organization's tasks or scripts, before the
   * command answers: the gateways and schedulers forget what they kept of it (decision 33).
   */
  catalogChanged?: (customer: string) => Promise<void>
  /** Live workflows whose latest version runs a task: a task they use cannot be deleted. */
  workflowsUsingTask?: (customer: string, taskId: string) => Promise<readonly { id: string; name: string }[]>
}

export interface ScriptInput {
  filename: string
  description: string
  content: Uint8Array
}

export interface ScriptChanges {
  filename?: string | undefined
  description?: string | undefined
  content?: Uint8Array | undefined
}

/** Optimistic concurrency asked for by the caller (HTTP If-Match). */
export interface WriteOptions {
  /** The version the caller last saw; the write applies only if the object is still at it. */
  expectedVersion?: number | undefined
}

/** Aggregates whose state says whether they are live and whose they are. */
type OwnedState = { status: 'absent' } | { status: 'active' | 'deleted'; customer: string }

/** A command on one script or task stream, named for the errors it may answer. */
type StreamCommand<C, S extends OwnedState, E> = HandleCommandArgs<C, S, E> & { what: 'script' | 'task' }

/** Task events that carry the whole part of the state they set. */
const TASK_SUPERSEDING_EVENTS = [
  'updated',
  'secretRotated',
] as const satisfies readonly TaskDomainEvent['$case'][]

function staleVersion(what: string, id: string, expected: number, actual: bigint): AppError {
  return new AppError(
    ErrorKinds.PRECONDITION_FAILED,
    `${what} ${id} is at version ${actual}, the request expected version ${expected}`,
    { details: { field: 'if-match', expected, actual: Number(actual) } },
  )
}

/**
 * The catalog's command side: referential checks that need I/O, then the pure deciders, then a wait
 * until the projections hold the new events so that the caller's next query sees them.
 */
export class CatalogCommands {
  readonly #store: EventStore
  readonly #projector: Projector
  readonly #bots: BotDirectory
  readonly #sealer: SecretSealer
  readonly #timeoutMs: number
  readonly #workflowsUsingTask: NonNullable<CatalogCommandsDeps['workflowsUsingTask']>
  readonly #catalogChanged: NonNullable<CatalogCommandsDeps['catalogChanged']>

  constructor(deps: CatalogCommandsDeps) {
    this.#store = deps.store
    this.#projector = deps.projector
    this.#bots = deps.bots
    this.#sealer = deps.sealer
    this.#timeoutMs = deps.readYourWritesTimeoutMs ?? 10_000
    this.#workflowsUsingTask = deps.workflowsUsingTask ?? (async () => [])
    this.#catalogChanged = deps.catalogChanged ?? (async () => undefined)
  }

  async createScript(ctx: CommandContext, input: ScriptInput): Promise<{ scriptId: string }> {
    const scriptId = newId()
    await this.#script(ctx, scriptId, { type: 'createScript', scriptId, customer: ctx.customer, ...input })
    return { scriptId }
  }

  async updateScript(
    ctx: CommandContext,
    scriptId: string,
    changes: ScriptChanges,
    options: WriteOptions = {},
  ): Promise<void> {
    await this.#script(
      ctx,
      scriptId,
      { type: 'updateScript', scriptId, customer: ctx.customer, ...changes },
      options,
    )
  }

  async deleteScript(ctx: CommandContext, scriptId: string): Promise<void> {
    await this.#script(ctx, scriptId, { type: 'deleteScript', scriptId, customer: ctx.customer })
  }

  async createTask(
    ctx: CommandContext,
    definition: Partial<TaskDefinition>,
    secretEnv: ReadonlyMap<string, ClearSecretEnvChange> = new Map(),
  ): Promise<{ taskId: string }> {
    const valid = validateTaskDefinition({ ...definition, secretEnv: {} })
    await this.#assertReferences(ctx.customer, valid, undefined)
    const taskId = newId()
    const target = { customer: ctx.customer, taskId }
    await this.#task(ctx, taskId, {
      type: 'createTask',
      taskId,
      customer: ctx.customer,
      definition: valid,
      secretEnv: sealSecretEnv(this.#sealer, target, secretEnv),
      sealedSecret: this.#sealer.seal(newSecret(), { purpose: 'task-secret', ...target }),
    })
    return { taskId }
  }

  /**
   * Changes the given definition fields; a full definition replaces the task's. Answers the API names
   * of the fields that changed (none: nothing was recorded).
   */
  async updateTask(
    ctx: CommandContext,
    taskId: string,
    changes: Partial<TaskDefinition>,
    options: WriteOptions = {},
    secretEnv: ReadonlyMap<string, ClearSecretEnvChange> = new Map(),
  ): Promise<{ changedFields: string[] }> {
    this.#assertStreamId(taskId, 'task')
    const sealed = sealSecretEnv(this.#sealer, { customer: ctx.customer, taskId }, secretEnv)
    const events = await this.#task(
      ctx,
      taskId,
      { type: 'updateTask', taskId, customer: ctx.customer, changes, secretEnv: sealed },
      options,
      async (current, command) => {
        if (current.status === 'active' && current.customer === ctx.customer) {
          await this.#assertReferences(
            ctx.customer,
            { ...current.definition, ...changes },
            current.definition,
          )
        }
        return command
      },
    )
    const updated = events.find((event) => event.$case === 'updated')
    return { changedFields: updated?.$case === 'updated' ? updated.value.changedFields : [] }
  }

  /**
   * Creates a script and a task running it on `hostId` from a recipe. Everything that can be checked is
   * checked before anything is written, so a bad recipe leaves no orphan script behind.
   */
  async importRecipe(
    ctx: CommandContext,
    recipe: Recipe,
    hostId: string,
    secretEnv: ReadonlyMap<string, ClearSecretEnvChange> = new Map(),
  ): Promise<{ taskId: string; scriptId: string }> {
    validateFilename(recipe.scriptFilename)
    const pending = validateTaskDefinition(definitionFromRecipe(recipe, hostId, newId()))
    await this.#bots.assertBotOf(ctx.customer, pending.hostId)
    const { scriptId } = await this.createScript(ctx, {
      filename: recipe.scriptFilename,
      description: recipe.scriptDescription,
      content: recipe.scriptContent,
    })
    try {
      const { taskId } = await this.createTask(
        ctx,
        definitionFromRecipe(recipe, pending.hostId, scriptId),
        secretEnv,
      )
      return { taskId, scriptId }
    } catch (error) {
      await this.deleteScript(ctx, scriptId).catch(() => undefined)
      throw error
    }
  }

  /**
   * Deletes a task no workflow runs: one that the latest version of a live workflow names is a
   * CONFLICT naming those workflows (decision 29). Read from the workflows' read model, which every
   * workflow save waits for; a save racing with the deletion may still name the task, and its runs
   * then fail that node (the scheduler finds no task).
   */
  async deleteTask(ctx: CommandContext, taskId: string): Promise<void> {
    this.#assertStreamId(taskId, 'task')
    await this.#task(
      ctx,
      taskId,
      { type: 'deleteTask', taskId, customer: ctx.customer },
      {},
      async (state, command) => {
        if (state.status !== 'active' || state.customer !== ctx.customer) return command
        const users = await this.#workflowsUsingTask(ctx.customer, taskId)
        if (users.length > 0) {
          const names = users.slice(0, 10).map((workflow) => `${workflow.name} (${workflow.id})`)
          throw conflict(
            `task ${taskId} is used by ${users.length === 1 ? 'workflow' : `${users.length} workflows`} ${names.join(', ')}${users.length > 10 ? ', ...' : ''}: change or delete ${users.length === 1 ? 'it' : 'them'} first`,
            { field: 'id', workflows: users.slice(0, 50).map(({ id, name }) => ({ id, name })) },
          )
        }
        return command
      },
    )
  }

  /** Replaces the task's secret key and answers the new one. */
  async rotateTaskSecret(ctx: CommandContext, taskId: string): Promise<{ secret: string }> {
    this.#assertStreamId(taskId, 'task')
    const secret = newSecret()
    const sealedSecret = this.#sealer.seal(secret, { purpose: 'task-secret', customer: ctx.customer, taskId })
    await this.#task(ctx, taskId, { type: 'rotateTaskSecret', taskId, customer: ctx.customer, sealedSecret })
    return { secret }
  }

  /** Only references that change are checked, so an update of a task whose bot is gone still works. */
  async #assertReferences(
    customer: string,
    next: Partial<TaskDefinition>,
    previous: TaskDefinition | undefined,
  ): Promise<void> {
    const scriptId = next.scriptId ?? ''
    const hostId = next.hostId ?? ''
    if (scriptId !== '' && scriptId !== previous?.scriptId) await this.#assertScriptOf(customer, scriptId)
    if (hostId !== '' && hostId !== previous?.hostId) await this.#bots.assertBotOf(customer, hostId)
  }

  async #assertScriptOf(customer: string, scriptId: string): Promise<void> {
    const missing = validationFailed(`script_id ${scriptId} is not a script of this organization`, {
      field: 'script_id',
    })
    if (!isId(scriptId)) throw missing
    const { events } = await this.#store.readStream(scriptId)
    if (events[0]?.streamType !== SCRIPT_STREAM) throw missing
    const state: ScriptState = fold(scriptDecider, events.map(decodeScriptEvent))
    if (state.status !== 'active' || state.customer !== customer) throw missing
  }

  async #script(
    ctx: CommandContext,
    scriptId: string,
    command: Parameters<typeof scriptDecider.decide>[0],
    options: WriteOptions = {},
  ) {
    this.#assertStreamId(scriptId, 'script')
    return this.#execute(
      ctx,
      {
        what: 'script',
        streamType: SCRIPT_STREAM,
        streamId: scriptId,
        decider: scriptDecider,
        command,
        encode: (event) => encodeScriptEvent(event, ctx),
        decode: decodeScriptEvent,
      },
      options,
    )
  }

  async #task(
    ctx: CommandContext,
    taskId: string,
    command: TaskCommand,
    options: WriteOptions = {},
    prepare?: (state: TaskState, command: TaskCommand) => Promise<TaskCommand>,
  ) {
    this.#assertStreamId(taskId, 'task')
    return this.#execute(
      ctx,
      {
        what: 'task',
        streamType: TASK_STREAM,
        // Each update carries the whole definition, each rotation the whole secret: earlier ones
        // change nothing in the fold, and a task updated often would otherwise read ever more.
        latestOf: TASK_SUPERSEDING_EVENTS,
        streamId: taskId,
        decider: taskDecider,
        command,
        encode: (event) => encodeTaskEvent(event, ctx),
        decode: decodeTaskEvent,
        ...(prepare === undefined ? {} : { prepare }),
      },
      options,
    )
  }

  /**
   * Without an expected version, a concurrent writer just means deciding again on the fresh stream.
   * With one, the caller decided on what it saw: a stale version is PRECONDITION_FAILED before
   * anything is decided, and a writer slipping in between read and append is WRONG_EXPECTED_VERSION,
   * never retried. A missing or foreign object is NOT_FOUND first, so versions leak nothing.
   */
  async #execute<C, S extends OwnedState, E>(
    ctx: CommandContext,
    command: StreamCommand<C, S, E>,
    options: WriteOptions,
  ): Promise<E[]> {
    const { what, streamId } = command
    const expected = options.expectedVersion ?? 0
    const { appended, newEvents } = await handleCommand(this.#store, {
      ...command,
      // An id of another kind of stream (a task id sent as a script id) must not be decoded as this kind.
      decode: (stored) => {
        if (stored.streamType !== command.streamType) throw notFound(what, streamId)
        return command.decode(stored)
      },
      ...(expected === 0 ? {} : { expectedVersion: BigInt(expected) }),
      staleVersion: (state, _, wanted, actual) =>
        state.status !== 'active' || state.customer !== ctx.customer
          ? notFound(what, streamId)
          : staleVersion(what, streamId, Number(wanted), actual),
    })
    await this.#readYourWrites(appended)
    // Every write of a task or a script (create, update, delete, secret rotation: each changes what
    // a read or a run answers, its version at least) passes here. One that recorded nothing is told
    // too: the gateway that made it waits to hear of it before answering (decision 33).
    await this.#catalogChanged(ctx.customer)
    return newEvents
  }

  /** Ids are uuids; anything else cannot name a stream, and is reported like a missing object. */
  #assertStreamId(id: string, what: 'script' | 'task'): void {
    if (!isId(id)) throw notFound(what, id)
  }

  /** Waits for the read model the answer is read from: a script's for script events, a task's for task events. */
  async #readYourWrites(appended: StoredEvent[]): Promise<void> {
    const projections = [...new Set(appended.map((event) => READ_MODEL_OF[event.streamType] ?? 'tasks'))]
    await this.#projector.waitForAppended(appended, { timeoutMs: this.#timeoutMs, projections })
  }
}
