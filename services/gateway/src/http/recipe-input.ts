import { validationFailed } from '@taskforge/core'
import type { Recipe } from '@taskforge/proto/catalog/v1/catalog_service'
import { requiredScriptContent, type ScriptBody } from './script-input.js'
import { definitionFromBody, type TaskBody } from './task-input.js'

/** A recipe as `GET /:customer/task/:id/recipe` answers it and `POST /:customer/task/import` takes it. */
export interface RecipeBody {
  task?: TaskBody
  /** The embedded script; `file` is accepted as another name for it. */
  script?: ScriptBody
  file?: ScriptBody
  host_id?: string
}

/** The recipe of an import body; the host comes separately (a recipe names no bot). */
export function recipeFromBody(body: RecipeBody): Recipe {
  const script = body.script ?? body.file
  if (body.task === undefined) throw validationFailed('a recipe needs its task', { field: 'task' })
  if (script === undefined) throw validationFailed('a recipe needs its script', { field: 'script' })
  return {
    task: definitionFromBody({ ...body.task, host_id: '', script_id: '' }),
    scriptFilename: script.filename ?? '',
    scriptDescription: script.description ?? '',
    scriptContent: requiredScriptContent(script),
  }
}
