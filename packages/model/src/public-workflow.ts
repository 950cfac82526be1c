import type {
  TaskArgument,
  Workflow,
  WorkflowArgument,
  WorkflowDefinition,
  WorkflowNode,
} from '@taskforge/proto/catalog/v1/model'
import { TaskDefaults } from '@taskforge/protocol'
import { type EnvValues, maskedNames, type PublicCatalogObject, publicCatalogObject } from './public-task.js'

function argumentDefinitionView(a: TaskArgument) {
  return {
    order: a.order,
    type: a.type,
    label: a.label,
    value: a.value,
    required: a.required,
    ...(a.options.length > 0 ? { options: a.options } : {}),
  }
}

/** A fixed value as text, or where the value comes from: `{ from, output }` (decision 29). */
function argumentView(argument: WorkflowArgument) {
  const source = argument.source
  if (source?.$case === 'from') {
    return { from: source.value.node, output: source.value.output?.value ?? 0 }
  }
  return source?.value ?? ''
}

/** The step of a node: exactly one of `task`, `approval` and `input`. */
function stepView(step: WorkflowNode['step']) {
  switch (step?.$case) {
    case 'taskId':
      return { task: step.value }
    case 'approval':
      return {
        approval: {
          approvers: step.value.approvers,
          required: step.value.required,
          expires_in: step.value.expiresIn,
        },
      }
    case 'input':
      return {
        input: {
          form: step.value.form.map(argumentDefinitionView),
          approvers: step.value.approvers,
          expires_in: step.value.expiresIn,
        },
      }
    default:
      return {}
  }
}

function nodeView(node: WorkflowNode) {
  return {
    key: node.key,
    ...stepView(node.step),
    arguments: node.arguments.map(argumentView),
    timeout: node.timeout,
    retry: { max: node.retry?.max ?? 0, backoff: node.retry?.backoff ?? 0 },
    join: node.join || 'all',
  }
}

/** The definition fields of a workflow as the public API shows them (env values to admins only). */
export function workflowDefinitionView(d: WorkflowDefinition | undefined, env: EnvValues) {
  return {
    name: d?.name ?? '',
    description: d?.description ?? '',
    nodes: (d?.nodes ?? []).map(nodeView),
    edges: (d?.edges ?? []).map((edge) => ({ from: edge.from, to: edge.to, on: edge.on })),
    start: d?.start ?? '',
    acls: d?.acls ?? [],
    env: env === 'shown' ? (d?.env ?? {}) : maskedNames(Object.keys(d?.env ?? {})),
    triggers: (d?.triggers ?? []).map((t) =>
      t.webhookId ? { webhook_id: t.webhookId } : { task_id: t.taskId, event: t.event },
    ),
    grace_time: d?.graceTime ?? 0,
    multitasking: d?.multitasking ?? TaskDefaults.multitasking,
  }
}

/** A workflow as `GET /:customer/workflow/:id` answers it. */
export type PublicWorkflow = PublicCatalogObject<ReturnType<typeof workflowDefinitionView>>

/**
 * The public JSON of one version of a workflow, from the catalog's `catalog.v1.Workflow`:
 * `last_update` is when that version was saved.
 *
 * @example
 * reply.send(publicWorkflow(workflow, caller.role === 'admin' ? 'shown' : 'masked'))
 */
export function publicWorkflow(workflow: Workflow, env: EnvValues): PublicWorkflow {
  return publicCatalogObject(workflow, workflowDefinitionView(workflow.definition, env))
}
