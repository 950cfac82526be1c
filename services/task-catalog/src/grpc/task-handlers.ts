import { isId, notFound, unauthorized, validationFailed } from '@taskforge/core'
import type {
  AuthorizeSecretRunRequest,
  AuthorizeSecretRunResponse,
  CreateTaskRequest,
  CreateTaskResponse,
  DeleteTaskRequest,
  DeleteTaskResponse,
  GetTaskCredentialsRequest,
  GetTaskCredentialsResponse,
  GetTaskRequest,
  GetTaskResponse,
  GetTasksToRunRequest,
  GetTasksToRunResponse,
  GetTaskToRunRequest,
  GetTaskToRunResponse,
  ListTasksRequest,
  ListTasksResponse,
  RotateTaskSecretRequest,
  RotateTaskSecretResponse,
  UpdateTaskRequest,
  UpdateTaskResponse,
} from '@taskforge/proto/catalog/v1/catalog_service'
import type { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import type { CatalogCommands } from '../commands/catalog-commands.js'
import { TASK_FIELDS, type TaskFieldName } from '../domain/task-definition.js'
import { secretMatches } from '../domain/task-secret.js'
import type { CatalogReadModel } from '../projections/catalog-read-model.js'
import { secretEnvChangesOf } from '../secrets/secret-env.js'
import { contextOf, customerOf, idOf, written } from './request-context.js'

export interface TaskHandlers {
  createTask(request: CreateTaskRequest): Promise<CreateTaskResponse>
  getTask(request: GetTaskRequest): Promise<GetTaskResponse>
  getTaskToRun(request: GetTaskToRunRequest): Promise<GetTaskToRunResponse>
  getTasksToRun(request: GetTasksToRunRequest): Promise<GetTasksToRunResponse>
  listTasks(request: ListTasksRequest): Promise<ListTasksResponse>
  updateTask(request: UpdateTaskRequest): Promise<UpdateTaskResponse>
  deleteTask(request: DeleteTaskRequest): Promise<DeleteTaskResponse>
  getTaskCredentials(request: GetTaskCredentialsRequest): Promise<GetTaskCredentialsResponse>
  rotateTaskSecret(request: RotateTaskSecretRequest): Promise<RotateTaskSecretResponse>
  authorizeSecretRun(request: AuthorizeSecretRunRequest): Promise<AuthorizeSecretRunResponse>
}

function isFieldName(name: string): name is TaskFieldName {
  return Object.hasOwn(TASK_FIELDS, name)
}

/** The part of `definition` an update changes: all of it (replace), or the named fields (patch). */
function changesOf(definition: TaskDefinition, fields: readonly string[]): Partial<TaskDefinition> {
  if (fields.length === 0) return definition
  const changes: Partial<Record<keyof TaskDefinition, unknown>> = {}
  for (const name of fields) {
    if (!isFieldName(name)) {
      throw validationFailed(`${name} is not a task field`, { field: 'fields', value: name.slice(0, 100) })
    }
    const key = TASK_FIELDS[name]
    changes[key] = definition[key]
  }
  return changes as Partial<TaskDefinition>
}

/** Tasks one `GetTasksToRun` may ask for. */
export const MAX_TASKS_TO_RUN = 1000

/** The same answer for a wrong secret, an unknown task and another organization's task. */
const secretRefused = () => unauthorized('the secret key is not valid for this task')

/** Task commands and queries, secrets included; answers come from the read model, scoped by customer. */
export function taskHandlers(deps: { commands: CatalogCommands; readModel: CatalogReadModel }): TaskHandlers {
  const { commands, readModel } = deps

  const readTask = async (customer: string, taskId: string) =>
    written(await readModel.getTask(customer, taskId), 'task', taskId)

  return {
    async createTask(request) {
      const ctx = contextOf(request)
      if (request.definition === undefined)
        throw validationFailed('definition is required', { field: 'definition' })
      const { taskId } = await commands.createTask(
        ctx,
        request.definition,
        secretEnvChangesOf(request.secretEnv),
      )
      return { task: await readTask(ctx.customer, taskId) }
    },

    async getTask(request) {
      const customer = customerOf(request)
      const task = await readModel.getTask(customer, idOf(request.taskId, 'task'))
      if (task === undefined) throw notFound('task', request.taskId)
      return { task }
    },

    async getTaskToRun(request) {
      if (request.secret !== '') {
        if (!isId(request.taskId)) throw secretRefused()
        const found = await readModel.getTaskToRunWithSecret(request.customer.trim(), request.taskId)
        // Compared even when the task is missing, so the answer time says nothing about which it was.
        const matches = secretMatches(request.secret, found?.secret ?? '')
        if (found === undefined || !matches) throw secretRefused()
        return { task: found.task, script: found.script }
      }
      const customer = customerOf(request)
      const found = await readModel.getTaskToRun(customer, idOf(request.taskId, 'task'))
      if (found === undefined) throw notFound('task', request.taskId)
      return found
    },

    async getTasksToRun(request) {
      if (request.tasks.length > MAX_TASKS_TO_RUN)
        throw validationFailed(`at most ${MAX_TASKS_TO_RUN} tasks at once`, {
          field: 'tasks',
          value: request.tasks.length,
        })
      // An id that is not one names no task: answered as not there, never queried.
      const keys = request.tasks.map((key) => ({ customer: customerOf(key), id: key.taskId }))
      const asked = keys.filter((key) => isId(key.id))
      const found = new Map(
        (await readModel.getTasksToRun(asked)).map((toRun, index) => [asked[index]!, toRun] as const),
      )
      return {
        tasks: keys.map((key) => found.get(key) ?? { task: undefined, script: undefined }),
      }
    },

    async listTasks(request) {
      return {
        tasks: await readModel.listTasks(customerOf(request), { tag: request.tag, hostId: request.hostId }),
      }
    },

    async updateTask(request) {
      const ctx = contextOf(request)
      const taskId = idOf(request.taskId, 'task')
      if (request.definition === undefined)
        throw validationFailed('definition is required', { field: 'definition' })
      const { changedFields } = await commands.updateTask(
        ctx,
        taskId,
        changesOf(request.definition, request.fields),
        { expectedVersion: request.expectedVersion },
        secretEnvChangesOf(request.secretEnv),
      )
      return { task: await readTask(ctx.customer, taskId), changedFields }
    },

    async deleteTask(request) {
      const ctx = contextOf(request)
      await commands.deleteTask(ctx, idOf(request.taskId, 'task'))
      return {}
    },

    async getTaskCredentials(request) {
      const customer = customerOf(request)
      const credentials = await readModel.getTaskCredentials(customer, idOf(request.taskId, 'task'))
      if (credentials === undefined) throw notFound('task', request.taskId)
      return credentials
    },

    async rotateTaskSecret(request) {
      const ctx = contextOf(request)
      const taskId = idOf(request.taskId, 'task')
      const { secret } = await commands.rotateTaskSecret(ctx, taskId)
      return { id: taskId, secret }
    },

    async authorizeSecretRun(request) {
      if (!isId(request.taskId)) throw secretRefused()
      const found = await readModel.getTaskSecret(request.taskId)
      // Compared even when the task is missing, so the answer time says nothing about which it was.
      const matches = secretMatches(request.secret, found?.secret ?? '')
      const customer = request.customer.trim()
      if (found === undefined || !matches || (customer !== '' && customer !== found.customer)) {
        throw secretRefused()
      }
      return { task: await readTask(found.customer, found.id) }
    },
  }
}
