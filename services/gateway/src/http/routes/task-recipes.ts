import { AppError, ErrorKinds } from '@taskforge/core'
import type { FastifyInstance } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { TaskReads } from '../../tasks/task-reads.js'
import type { Access } from '../access.js'
import { envValuesFor } from '../authorize.js'
import { type RecipeBody, recipeFromBody } from '../recipe-input.js'
import {
  customerParams,
  errorAnswer,
  errorResponses,
  idParams,
  scriptBodySchema,
  scriptResponseSchema,
  taskBodySchema,
  taskSchema,
  tokenQuery,
} from '../schemas.js'
import { secretEnvOf } from '../task-input.js'
import { recipeView, scriptView, taskView } from '../views.js'

const recipeTaskSchema = {
  type: 'object',
  properties: Object.fromEntries(
    Object.entries(taskBodySchema.properties).filter(([name]) => !['host_id', 'script_id'].includes(name)),
  ),
} as const

const recipeSchema = {
  type: 'object',
  properties: {
    task: recipeTaskSchema,
    script: { ...scriptBodySchema, required: ['filename'] },
  },
} as const

const recipeResponseSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    task: {
      type: 'object',
      additionalProperties: true,
      description: 'the task, without ids, acls or env values (names with empty values, secret ones too)',
    },
    script: {
      type: 'object',
      additionalProperties: true,
      description: 'filename, description, content or data',
    },
  },
} as const

/** Recipes: a task with its script embedded, without ids, secret, acls or env values. */
export function taskRecipeRoutes(
  app: FastifyInstance,
  deps: { clients: Clients; tasks: TaskReads; access: Access },
): void {
  const { clients, tasks, access } = deps
  const tags = ['recipes']

  app.get<{ Params: { customer: string; id: string } }>(
    '/:customer/task/:id/recipe',
    {
      schema: {
        operationId: 'exportTask',
        tags,
        summary: 'Export a task as a recipe (script embedded; no ids, secret, acls or env values)',
        params: idParams,
        querystring: tokenQuery,
        response: { 200: recipeResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      await access.permit(request, request.params.customer, 'admin')
      const { recipe } = await clients.catalog.exportRecipe({
        customer: request.params.customer,
        taskId: request.params.id,
      })
      return recipeView(recipe!)
    },
  )

  app.post<{ Params: { customer: string }; Querystring: { host_id?: string }; Body: RecipeBody }>(
    '/:customer/task/import',
    {
      schema: {
        operationId: 'importTask',
        tags,
        summary: 'Create a task and its script from a recipe, on the bot host_id',
        params: customerParams,
        querystring: {
          type: 'object',
          properties: {
            host_id: { type: 'string', maxLength: 100, description: 'the bot that runs the task' },
            access_token: { type: 'string', maxLength: 200 },
          },
        },
        body: {
          type: 'object',
          required: ['task'],
          properties: {
            ...recipeSchema.properties,
            file: scriptBodySchema,
            host_id: { type: 'string', maxLength: 100, description: 'the bot that runs the task' },
            access_token: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          201: {
            type: 'object',
            required: [...taskSchema.required, 'script'],
            properties: { ...taskSchema.properties, script: scriptResponseSchema },
            additionalProperties: true,
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { customer } = request.params
      const { task, script } = await tasks.write(customer, () =>
        clients.catalog.importRecipe({
          customer,
          recipe: recipeFromBody(request.body),
          hostId: (request.body.host_id ?? request.query.host_id ?? '').trim(),
          author: caller.name,
          secretEnv: secretEnvOf(request.body.task ?? {}),
        }),
      )
      return reply
        .status(201)
        .send({ ...taskView(task!, envValuesFor(caller)), script: scriptView(script!, false) })
    },
  )

  app.get(
    '/:customer/task/import',
    {
      schema: {
        tags,
        summary: 'Not a way to import: answers 405 and says to POST the recipe',
        // Not an operation a client calls: a person who opens the import URL in a browser is told how.
        hide: true,
        params: customerParams,
        response: { 405: errorAnswer('always: a recipe is imported with POST') },
      },
    },
    async (request, reply) => {
      const customer = (request.params as { customer: string }).customer
      const error = new AppError(
        ErrorKinds.METHOD_NOT_ALLOWED,
        `import a recipe with POST /${customer}/task/import, the recipe (from GET /${customer}/task/:id/recipe) as the JSON body and host_id naming the bot`,
      )
      return reply.status(405).header('allow', 'POST').send(error.toJSON())
    },
  )
}
