import { AppError, ErrorKinds, notFound, validationFailed } from '@taskforge/core'
import type {
  CreateScriptRequest,
  CreateScriptResponse,
  CreateTaskRequest,
  CreateTaskResponse,
  GetScriptRequest,
  GetScriptResponse,
  GetTaskRequest,
  GetTaskResponse,
  ListScriptsRequest,
  ListScriptsResponse,
  ListTasksRequest,
  ListTasksResponse,
} from '@taskforge/proto/catalog/v1/catalog_service'
import type { CatalogCommands } from '../commands/catalog-commands.js'
import type { CommandContext } from '../events/command-context.js'
import type { CatalogReadModel } from '../projections/catalog-read-model.js'

/** TaskCatalogService as plain async handlers, for `addService`. */
export interface CatalogServiceHandlers {
  createScript(request: CreateScriptRequest): Promise<CreateScriptResponse>
  getScript(request: GetScriptRequest): Promise<GetScriptResponse>
  listScripts(request: ListScriptsRequest): Promise<ListScriptsResponse>
  createTask(request: CreateTaskRequest): Promise<CreateTaskResponse>
  getTask(request: GetTaskRequest): Promise<GetTaskResponse>
  listTasks(request: ListTasksRequest): Promise<ListTasksResponse>
}

function customerOf(request: { customer: string }): string {
  if (request.customer.trim() === '') throw validationFailed('customer is required', { field: 'customer' })
  return request.customer
}

function contextOf(request: { customer: string; author?: string }): CommandContext {
  return { customer: customerOf(request), author: request.author || undefined }
}

/** The read model answers after the projector caught up; a miss here means the object vanished meanwhile. */
function written<T>(value: T | undefined, what: string, id: string): T {
  if (value === undefined)
    throw new AppError(ErrorKinds.CONFLICT, `${what} ${id} changed while it was being written`)
  return value
}

/**
 * The catalog's gRPC face. Commands go through {@link CatalogCommands}; every answer is read from the
 * read model, scoped by the request's customer (another customer's object is NOT_FOUND).
 */
export function catalogService(deps: {
  commands: CatalogCommands
  readModel: CatalogReadModel
}): CatalogServiceHandlers {
  const { commands, readModel } = deps
  return {
    async createScript(request) {
      const ctx = contextOf(request)
      const { scriptId } = await commands.createScript(ctx, {
        filename: request.filename,
        description: request.description,
        content: request.content,
      })
      return { script: written(await readModel.getScript(ctx.customer, scriptId), 'script', scriptId) }
    },

    async getScript(request) {
      const script = await readModel.getScript(customerOf(request), request.scriptId)
      if (script === undefined) throw notFound('script', request.scriptId)
      return { script }
    },

    async listScripts(request) {
      return { scripts: await readModel.listScripts(customerOf(request)) }
    },

    async createTask(request) {
      const ctx = contextOf(request)
      if (request.definition === undefined)
        throw validationFailed('definition is required', { field: 'definition' })
      const { taskId } = await commands.createTask(ctx, request.definition)
      return { task: written(await readModel.getTask(ctx.customer, taskId), 'task', taskId) }
    },

    async getTask(request) {
      const task = await readModel.getTask(customerOf(request), request.taskId)
      if (task === undefined) throw notFound('task', request.taskId)
      return { task }
    },

    async listTasks(request) {
      return {
        tasks: await readModel.listTasks(customerOf(request), { tag: request.tag, hostId: request.hostId }),
      }
    },
  }
}
