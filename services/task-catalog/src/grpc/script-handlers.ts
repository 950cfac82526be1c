import { conflict, notFound } from '@taskforge/core'
import type {
  CreateScriptRequest,
  CreateScriptResponse,
  DeleteScriptRequest,
  DeleteScriptResponse,
  GetScriptRequest,
  GetScriptResponse,
  ListScriptsRequest,
  ListScriptsResponse,
  UpdateScriptRequest,
  UpdateScriptResponse,
} from '@taskforge/proto/catalog/v1/catalog_service'
import type { CatalogCommands } from '../commands/catalog-commands.js'
import type { CatalogReadModel } from '../projections/catalog-read-model.js'
import { contextOf, customerOf, idOf, written } from './request-context.js'

export interface ScriptHandlers {
  createScript(request: CreateScriptRequest): Promise<CreateScriptResponse>
  getScript(request: GetScriptRequest): Promise<GetScriptResponse>
  listScripts(request: ListScriptsRequest): Promise<ListScriptsResponse>
  updateScript(request: UpdateScriptRequest): Promise<UpdateScriptResponse>
  deleteScript(request: DeleteScriptRequest): Promise<DeleteScriptResponse>
}

/** Script commands and queries; answers are read from the read model, scoped by customer. */
export function scriptHandlers(deps: {
  commands: CatalogCommands
  readModel: CatalogReadModel
}): ScriptHandlers {
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
      const customer = customerOf(request)
      const script = await readModel.getScript(customer, idOf(request.scriptId, 'script'))
      if (script === undefined) throw notFound('script', request.scriptId)
      return { script }
    },

    async listScripts(request) {
      return { scripts: await readModel.listScripts(customerOf(request)) }
    },

    async updateScript(request) {
      const ctx = contextOf(request)
      const scriptId = idOf(request.scriptId, 'script')
      await commands.updateScript(
        ctx,
        scriptId,
        { filename: request.filename, description: request.description, content: request.content },
        { expectedVersion: request.expectedVersion },
      )
      return { script: written(await readModel.getScript(ctx.customer, scriptId), 'script', scriptId) }
    },

    async deleteScript(request) {
      const ctx = contextOf(request)
      const scriptId = idOf(request.scriptId, 'script')
      // Tasks name their script by id: deleting it would leave them unable to run.
      const users = await readModel.tasksUsingScript(ctx.customer, scriptId)
      if (users.length > 0) {
        throw conflict(`script ${scriptId} is used by ${users.length} task(s); delete or change them first`, {
          field: 'script_id',
          tasks: users.slice(0, 20),
        })
      }
      await commands.deleteScript(ctx, scriptId)
      return {}
    },
  }
}
