import { isId, notFound, unauthorized, validationFailed } from '@taskforge/core'
import type {
  AuthorizeSecretWorkflowRunRequest,
  AuthorizeSecretWorkflowRunResponse,
  CreateWorkflowRequest,
  CreateWorkflowResponse,
  DeleteWorkflowRequest,
  DeleteWorkflowResponse,
  GetWorkflowCredentialsRequest,
  GetWorkflowCredentialsResponse,
  GetWorkflowRequest,
  GetWorkflowResponse,
  ListWorkflowsRequest,
  ListWorkflowsResponse,
  RotateWorkflowSecretRequest,
  RotateWorkflowSecretResponse,
  UpdateWorkflowRequest,
  UpdateWorkflowResponse,
} from '@taskforge/proto/catalog/v1/catalog_service'
import type { WorkflowDefinition } from '@taskforge/proto/catalog/v1/model'
import type { WorkflowCommands } from '../commands/workflow-commands.js'
import { secretMatches } from '../domain/task-secret.js'
import { WORKFLOW_FIELDS, type WorkflowFieldName } from '../domain/workflow-definition.js'
import type { WorkflowReadModel } from '../projections/workflow-read-model.js'
import { contextOf, customerOf, written } from './request-context.js'

export interface WorkflowHandlers {
  createWorkflow(request: CreateWorkflowRequest): Promise<CreateWorkflowResponse>
  getWorkflow(request: GetWorkflowRequest): Promise<GetWorkflowResponse>
  listWorkflows(request: ListWorkflowsRequest): Promise<ListWorkflowsResponse>
  updateWorkflow(request: UpdateWorkflowRequest): Promise<UpdateWorkflowResponse>
  deleteWorkflow(request: DeleteWorkflowRequest): Promise<DeleteWorkflowResponse>
  getWorkflowCredentials(request: GetWorkflowCredentialsRequest): Promise<GetWorkflowCredentialsResponse>
  rotateWorkflowSecret(request: RotateWorkflowSecretRequest): Promise<RotateWorkflowSecretResponse>
  authorizeSecretWorkflowRun(
    request: AuthorizeSecretWorkflowRunRequest,
  ): Promise<AuthorizeSecretWorkflowRunResponse>
}

const secretRefused = () => unauthorized('the secret key is not valid for this workflow')

/** Ids are uuids: anything else names no workflow, and never reaches a query. */
function workflowIdOf(id: string): string {
  if (!isId(id)) throw notFound('workflow', id)
  return id
}

function isFieldName(name: string): name is WorkflowFieldName {
  return Object.hasOwn(WORKFLOW_FIELDS, name)
}

/** The part of `definition` a save changes: all of it (replace), or the named fields (patch). */
function changesOf(definition: WorkflowDefinition, fields: readonly string[]): Partial<WorkflowDefinition> {
  if (fields.length === 0) return definition
  const changes: Partial<Record<keyof WorkflowDefinition, unknown>> = {}
  for (const name of fields) {
    if (!isFieldName(name)) {
      throw validationFailed(`${name} is not a workflow field`, {
        field: 'fields',
        value: name.slice(0, 100),
      })
    }
    const key = WORKFLOW_FIELDS[name]
    changes[key] = definition[key]
  }
  return changes as Partial<WorkflowDefinition>
}

/** Workflow definitions: commands, and queries of any version; scoped by the request's customer. */
export function workflowHandlers(deps: {
  workflowCommands: WorkflowCommands
  workflowReadModel: WorkflowReadModel
}): WorkflowHandlers {
  const { workflowCommands: commands, workflowReadModel: readModel } = deps
  const latest = async (customer: string, id: string) =>
    written(await readModel.getWorkflow(customer, id), 'workflow', id)

  return {
    async createWorkflow(request) {
      const ctx = contextOf(request)
      if (request.definition === undefined)
        throw validationFailed('definition is required', { field: 'definition' })
      const { workflowId } = await commands.createWorkflow(ctx, request.definition)
      return { workflow: await latest(ctx.customer, workflowId) }
    },

    async getWorkflow(request) {
      if (request.secret !== '') {
        if (!isId(request.workflowId) || request.version !== 0) throw secretRefused()
        const found = await readModel.getWorkflowWithSecret(request.customer.trim(), request.workflowId)
        // Compared even when the workflow is missing, so the answer time says nothing about which it was.
        const matches = secretMatches(request.secret, found?.secret ?? '')
        if (found === undefined || !matches) throw secretRefused()
        return { workflow: found.workflow }
      }
      const customer = customerOf(request)
      const workflow = await readModel.getWorkflow(
        customer,
        workflowIdOf(request.workflowId),
        request.version,
      )
      if (workflow === undefined) {
        throw request.version === 0
          ? notFound('workflow', request.workflowId)
          : notFound(`version ${request.version} of workflow`, request.workflowId)
      }
      return { workflow }
    },

    async listWorkflows(request) {
      return { workflows: await readModel.listWorkflows(customerOf(request)) }
    },

    async updateWorkflow(request) {
      const ctx = contextOf(request)
      const workflowId = workflowIdOf(request.workflowId)
      if (request.definition === undefined)
        throw validationFailed('definition is required', { field: 'definition' })
      const { changedFields } = await commands.updateWorkflow(
        ctx,
        workflowId,
        changesOf(request.definition, request.fields),
        request.expectedVersion,
      )
      return { workflow: await latest(ctx.customer, workflowId), changedFields }
    },

    async deleteWorkflow(request) {
      await commands.deleteWorkflow(contextOf(request), workflowIdOf(request.workflowId))
      return {}
    },

    async getWorkflowCredentials(request) {
      const customer = customerOf(request)
      const credentials = await readModel.getWorkflowCredentials(customer, workflowIdOf(request.workflowId))
      if (credentials === undefined) throw notFound('workflow', request.workflowId)
      return credentials
    },

    async rotateWorkflowSecret(request) {
      const ctx = contextOf(request)
      const workflowId = workflowIdOf(request.workflowId)
      const { secret } = await commands.rotateWorkflowSecret(ctx, workflowId)
      return { id: workflowId, secret }
    },

    async authorizeSecretWorkflowRun(request) {
      const customer = request.customer.trim()
      if (!isId(request.workflowId) || customer === '') throw secretRefused()
      const found = await readModel.getWorkflowCredentials(customer, request.workflowId)
      // Compared even when the workflow is missing, so the answer time says nothing about which it was.
      if (!secretMatches(request.secret, found?.secret ?? '') || found === undefined) throw secretRefused()
      return { workflow: await latest(customer, found.id) }
    },
  }
}
