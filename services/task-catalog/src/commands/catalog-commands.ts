import { fold, isId, newId, newSecret, notFound, validationFailed } from '@taskforge/core'
import { type EventStore, handleCommand, type Projector, type StoredEvent } from '@taskforge/event-store'
import type { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { type ScriptState, scriptDecider } from '../domain/script-decider.js'
import { type TaskState, taskDecider } from '../domain/task-decider.js'
import { validateTaskDefinition } from '../domain/task-definition.js'
import type { CommandContext } from '../events/command-context.js'
import { decodeScriptEvent, encodeScriptEvent, SCRIPT_STREAM } from '../events/script-codec.js'
import { decodeTaskEvent, encodeTaskEvent, TASK_STREAM } from '../events/task-codec.js'
import type { BotDirectory } from './bot-directory.js'

export interface CatalogCommandsDeps {
  store: EventStore
  projector: Projector
  bots: BotDirectory
  /** How long a command waits for its events to reach the read model (default 10s). */
  readYourWritesTimeoutMs?: number
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

/**
 * The catalog's command side: referential checks that need I/O, then the pure deciders, then a wait
 * until the projections hold the new events so that the caller's next query sees them.
 */
export class CatalogCommands {
  readonly #store: EventStore
  readonly #projector: Projector
  readonly #bots: BotDirectory
  readonly #timeoutMs: number

  constructor(deps: CatalogCommandsDeps) {
    this.#store = deps.store
    this.#projector = deps.projector
    this.#bots = deps.bots
    this.#timeoutMs = deps.readYourWritesTimeoutMs ?? 10_000
  }

  async createScript(ctx: CommandContext, input: ScriptInput): Promise<{ scriptId: string }> {
    const scriptId = newId()
    await this.#script(ctx, scriptId, { type: 'createScript', scriptId, customer: ctx.customer, ...input })
    return { scriptId }
  }

  async updateScript(ctx: CommandContext, scriptId: string, changes: ScriptChanges): Promise<void> {
    await this.#script(ctx, scriptId, { type: 'updateScript', scriptId, customer: ctx.customer, ...changes })
  }

  async deleteScript(ctx: CommandContext, scriptId: string): Promise<void> {
    await this.#script(ctx, scriptId, { type: 'deleteScript', scriptId, customer: ctx.customer })
  }

  async createTask(ctx: CommandContext, definition: Partial<TaskDefinition>): Promise<{ taskId: string }> {
    const valid = validateTaskDefinition(definition)
    await this.#assertReferences(ctx.customer, valid, undefined)
    const taskId = newId()
    await this.#task(ctx, taskId, {
      type: 'createTask',
      taskId,
      customer: ctx.customer,
      definition: valid,
      secret: newSecret(),
    })
    return { taskId }
  }

  /** Changes the given definition fields; a full definition replaces the task's. */
  async updateTask(ctx: CommandContext, taskId: string, changes: Partial<TaskDefinition>): Promise<void> {
    const current = await this.#taskState(taskId)
    if (current.status === 'active' && current.customer === ctx.customer) {
      await this.#assertReferences(ctx.customer, { ...current.definition, ...changes }, current.definition)
    }
    await this.#task(ctx, taskId, { type: 'updateTask', taskId, customer: ctx.customer, changes })
  }

  async deleteTask(ctx: CommandContext, taskId: string): Promise<void> {
    await this.#task(ctx, taskId, { type: 'deleteTask', taskId, customer: ctx.customer })
  }

  /** Replaces the task's secret key and answers the new one. */
  async rotateTaskSecret(ctx: CommandContext, taskId: string): Promise<{ secret: string }> {
    const secret = newSecret()
    await this.#task(ctx, taskId, { type: 'rotateTaskSecret', taskId, customer: ctx.customer, secret })
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

  async #taskState(taskId: string): Promise<TaskState> {
    if (!isId(taskId)) return taskDecider.initialState()
    const { events } = await this.#store.readStream(taskId)
    if (events[0]?.streamType !== TASK_STREAM) return taskDecider.initialState()
    return fold(taskDecider, events.map(decodeTaskEvent))
  }

  async #script(ctx: CommandContext, scriptId: string, command: Parameters<typeof scriptDecider.decide>[0]) {
    this.#assertStreamId(scriptId, 'script')
    const { appended } = await handleCommand(this.#store, {
      streamType: SCRIPT_STREAM,
      streamId: scriptId,
      decider: scriptDecider,
      command,
      encode: (event) => encodeScriptEvent(event, ctx),
      decode: decodeScriptEvent,
    })
    await this.#readYourWrites(appended)
  }

  async #task(ctx: CommandContext, taskId: string, command: Parameters<typeof taskDecider.decide>[0]) {
    this.#assertStreamId(taskId, 'task')
    const { appended } = await handleCommand(this.#store, {
      streamType: TASK_STREAM,
      streamId: taskId,
      decider: taskDecider,
      command,
      encode: (event) => encodeTaskEvent(event, ctx),
      decode: decodeTaskEvent,
    })
    await this.#readYourWrites(appended)
  }

  /** Ids are uuids; anything else cannot name a stream, and is reported like a missing object. */
  #assertStreamId(id: string, what: 'script' | 'task'): void {
    if (!isId(id)) throw notFound(what, id)
  }

  async #readYourWrites(appended: StoredEvent[]): Promise<void> {
    const last = appended.at(-1)
    if (last === undefined) return
    await this.#projector.waitFor(
      { transactionId: last.transactionId, position: last.position },
      this.#timeoutMs,
    )
  }
}
