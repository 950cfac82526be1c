import type { Recipe } from '@taskforge/proto/catalog/v1/catalog_service'
import { type Script, type Task, TaskDefinition } from '@taskforge/proto/catalog/v1/model'

/**
 * A task as a portable recipe: what another organization needs to recreate it. Ids (host, script,
 * triggers) would name objects of this organization, and the secret, acls and env values are ours
 * alone, so they are left out; env names stay (empty) so the importer sees which variables to set,
 * and so do the names of secret variables (without their sealed values).
 */
export function recipeOf(task: Task, script: Script): Recipe {
  const definition = task.definition ?? TaskDefinition.create()
  return {
    task: {
      ...definition,
      hostId: '',
      scriptId: '',
      acls: [],
      triggers: [],
      env: Object.fromEntries(Object.keys(definition.env).map((name) => [name, ''])),
      secretEnv: Object.fromEntries(Object.keys(definition.secretEnv).map((name) => [name, Buffer.alloc(0)])),
    },
    scriptFilename: script.filename,
    scriptDescription: script.description,
    scriptContent: Buffer.from(script.content),
  }
}

/**
 * The definition of a task imported from `recipe` onto `hostId`, running `scriptId`. Triggers and
 * acls of a recipe from elsewhere would name foreign objects and tokens, so they never come along;
 * a recipe holds no secret values (the import gives them apart).
 */
export function definitionFromRecipe(recipe: Recipe, hostId: string, scriptId: string): TaskDefinition {
  return {
    ...TaskDefinition.create(recipe.task ?? {}),
    hostId,
    scriptId,
    acls: [],
    triggers: [],
    secretEnv: {},
  }
}
