import { checkWorkflowDefinition, validationFailed } from '@taskforge/core'
import {
  type TaskArgument,
  type WorkflowArgument,
  WorkflowDefinition,
  type WorkflowNode,
} from '@taskforge/proto/catalog/v1/model'
import { TaskDefaults } from '@taskforge/protocol'
import { definitionFromBody, type TaskBody } from './task-input.js'

type Scalar = string | number | boolean | null | undefined
type ArgumentBody = NonNullable<TaskBody['task_arguments']>[number]

/** Where a node's argument comes from: a fixed value, or `{ from, output }` (decision 29). */
export type WorkflowArgumentBody = Scalar | { from?: string; output?: number | string }

export interface WorkflowNodeBody {
  key?: string
  task?: string
  approval?: { approvers?: string[]; required?: number; expires_in?: number }
  input?: { form?: ArgumentBody[]; approvers?: string[]; expires_in?: number }
  arguments?: WorkflowArgumentBody[]
  timeout?: number
  retry?: { max?: number; backoff?: number }
  join?: string
}

export interface WorkflowBody {
  name?: string
  description?: string
  nodes?: WorkflowNodeBody[]
  edges?: { from?: string; to?: string; on?: string }[]
  start?: string
  acls?: string[]
  env?: TaskBody['env']
  triggers?: TaskBody['triggers']
  grace_time?: number
  multitasking?: boolean
}

/** The definition fields a body may carry, by their API names (the catalog's `fields` of a patch). */
export const WORKFLOW_BODY_FIELDS = [
  'name',
  'description',
  'nodes',
  'edges',
  'start',
  'acls',
  'env',
  'triggers',
  'grace_time',
  'multitasking',
] as const satisfies readonly (keyof WorkflowBody)[]

const text = (value: Scalar) => (value === null || value === undefined ? '' : String(value))

/** Argument definitions as a task body gives them, through the task's own mapping. */
function formOf(form: ArgumentBody[] | undefined): TaskArgument[] {
  if (form === undefined || form.length === 0) return []
  return definitionFromBody({ name: 'form', host_id: 'h', script_id: 's', task_arguments: form })
    .taskArguments
}

function argumentOf(argument: WorkflowArgumentBody): WorkflowArgument {
  if (argument !== null && typeof argument === 'object') {
    const output = argument.output
    return {
      source: {
        $case: 'from',
        value: {
          node: argument.from ?? '',
          output:
            typeof output === 'number'
              ? { $case: 'index', value: output }
              : typeof output === 'string'
                ? { $case: 'name', value: output }
                : undefined,
        },
      },
    }
  }
  return { source: { $case: 'value', value: text(argument) } }
}

function stepOf(node: WorkflowNodeBody, index: number): WorkflowNode['step'] {
  const given = (['task', 'approval', 'input'] as const).filter((kind) => node[kind] !== undefined)
  if (given.length !== 1) {
    const field = `nodes[${index}]`
    throw validationFailed(
      `node ${node.key ?? index}: give exactly one of task, approval and input${given.length > 1 ? `, not ${given.join(' and ')}` : ''}`,
      { field, ...(node.key === undefined ? {} : { node: node.key }) },
    )
  }
  if (node.task !== undefined) return { $case: 'taskId', value: node.task }
  if (node.approval !== undefined) {
    return {
      $case: 'approval',
      value: {
        approvers: node.approval.approvers ?? [],
        required: node.approval.required ?? 0,
        expiresIn: node.approval.expires_in ?? 0,
      },
    }
  }
  const input = node.input ?? {}
  return {
    $case: 'input',
    value: { form: formOf(input.form), approvers: input.approvers ?? [], expiresIn: input.expires_in ?? 0 },
  }
}

/**
 * The workflow definition of a body, defaults left to the catalog, held to the workflow limits (the
 * schema checks each field as sent; this checks the whole as the catalog will store it).
 */
export function workflowFromBody(body: WorkflowBody): WorkflowDefinition {
  // env and triggers are read as a task's are.
  const shared = definitionFromBody({
    name: 'w',
    host_id: 'h',
    script_id: 's',
    env: body.env,
    triggers: body.triggers,
  })
  const definition: WorkflowDefinition = {
    name: body.name ?? '',
    description: body.description ?? '',
    nodes: (body.nodes ?? []).map((node, index) => ({
      key: node.key ?? '',
      step: stepOf(node, index),
      arguments: (node.arguments ?? []).map(argumentOf),
      timeout: node.timeout ?? 0,
      retry: { max: node.retry?.max ?? 0, backoff: node.retry?.backoff ?? 0 },
      join: node.join ?? '',
    })),
    edges: (body.edges ?? []).map((edge) => ({
      from: edge.from ?? '',
      to: edge.to ?? '',
      on: edge.on ?? '',
    })),
    start: body.start ?? '',
    acls: body.acls ?? [],
    env: shared.env,
    triggers: shared.triggers,
    graceTime: body.grace_time ?? 0,
    multitasking: body.multitasking ?? TaskDefaults.multitasking,
  }
  checkWorkflowDefinition(definition, WorkflowDefinition.encode(definition).finish().length)
  return definition
}
