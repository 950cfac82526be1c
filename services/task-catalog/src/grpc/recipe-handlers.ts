import { notFound, validationFailed } from '@taskforge/core'
import type {
  ExportRecipeRequest,
  ExportRecipeResponse,
  ImportRecipeRequest,
  ImportRecipeResponse,
} from '@taskforge/proto/catalog/v1/catalog_service'
import type { CatalogCommands } from '../commands/catalog-commands.js'
import { recipeOf } from '../domain/recipe.js'
import type { CatalogReadModel } from '../projections/catalog-read-model.js'
import { secretEnvChangesOf } from '../secrets/secret-env.js'
import { contextOf, customerOf, idOf, written } from './request-context.js'

export interface RecipeHandlers {
  exportRecipe(request: ExportRecipeRequest): Promise<ExportRecipeResponse>
  importRecipe(request: ImportRecipeRequest): Promise<ImportRecipeResponse>
}

/** Recipes: a task with its script embedded, to copy between organizations. */
export function recipeHandlers(deps: {
  commands: CatalogCommands
  readModel: CatalogReadModel
}): RecipeHandlers {
  const { commands, readModel } = deps
  return {
    async exportRecipe(request) {
      const customer = customerOf(request)
      const taskId = idOf(request.taskId, 'task')
      const task = await readModel.getTask(customer, taskId)
      if (task === undefined) throw notFound('task', taskId)
      const scriptId = task.definition?.scriptId ?? ''
      const script = await readModel.getScript(customer, scriptId)
      if (script === undefined) throw notFound('script', scriptId)
      return { recipe: recipeOf(task, script) }
    },

    async importRecipe(request) {
      const ctx = contextOf(request)
      if (request.recipe === undefined) throw validationFailed('recipe is required', { field: 'recipe' })
      const { taskId, scriptId } = await commands.importRecipe(
        ctx,
        request.recipe,
        request.hostId,
        secretEnvChangesOf(request.secretEnv),
      )
      return {
        task: written(await readModel.getTask(ctx.customer, taskId), 'task', taskId),
        script: written(await readModel.getScript(ctx.customer, scriptId), 'script', scriptId),
      }
    },
  }
}
