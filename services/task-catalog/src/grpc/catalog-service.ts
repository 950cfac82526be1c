import type { CatalogCommands } from '../commands/catalog-commands.js'
import type { WebhookCommands } from '../commands/webhook-commands.js'
import type { WorkflowCommands } from '../commands/workflow-commands.js'
import type { CatalogReadModel } from '../projections/catalog-read-model.js'
import type { WebhookReadModel } from '../projections/webhook-read-model.js'
import type { WorkflowReadModel } from '../projections/workflow-read-model.js'
import { withAsciiSafeErrors } from './ascii-safe-errors.js'
import { type RecipeHandlers, recipeHandlers } from './recipe-handlers.js'
import { type ScriptHandlers, scriptHandlers } from './script-handlers.js'
import { type TaskHandlers, taskHandlers } from './task-handlers.js'
import { type WebhookHandlers, webhookHandlers } from './webhook-handlers.js'
import { type WorkflowHandlers, workflowHandlers } from './workflow-handlers.js'

/** TaskCatalogService as plain async handlers, for `addService`. */
export type CatalogServiceHandlers = ScriptHandlers &
  TaskHandlers &
  RecipeHandlers &
  WebhookHandlers &
  WorkflowHandlers

/**
 * The catalog's gRPC face. Commands go through {@link CatalogCommands}; every answer is read from the
 * read model, scoped by the request's customer (another customer's object is NOT_FOUND).
 */
export function catalogService(deps: {
  commands: CatalogCommands
  readModel: CatalogReadModel
  webhookCommands: WebhookCommands
  webhookReadModel: WebhookReadModel
  workflowCommands: WorkflowCommands
  workflowReadModel: WorkflowReadModel
}): CatalogServiceHandlers {
  return withAsciiSafeErrors({
    ...scriptHandlers(deps),
    ...taskHandlers(deps),
    ...recipeHandlers(deps),
    ...webhookHandlers(deps),
    ...workflowHandlers(deps),
  })
}
