import { checkWorkflowDefinition, validationFailed } from '@taskforge/core'
import {
  type WorkflowApprovalStep,
  type WorkflowArgument,
  WorkflowDefinition,
  type WorkflowEdge,
  type WorkflowInputStep,
  type WorkflowNode,
  type WorkflowRetry,
} from '@taskforge/proto/catalog/v1/model'
import { TaskDefaults } from '@taskforge/protocol'
import {
  canonical,
  MAX_TIMEOUT_SECONDS,
  stringList,
  text,
  validateArguments,
  validateEnv,
  validateGraceTime,
  validateTriggers,
} from './task-definition.js'

/** The definition fields by the JSON name the API shows, in API order (`changed_fields` uses these). */
export const WORKFLOW_FIELDS = {
  name: 'name',
  description: 'description',
  nodes: 'nodes',
  edges: 'edges',
  start: 'start',
  acls: 'acls',
  env: 'env',
  triggers: 'triggers',
  grace_time: 'graceTime',
  multitasking: 'multitasking',
} as const satisfies Record<string, keyof WorkflowDefinition>
export type WorkflowFieldName = keyof typeof WORKFLOW_FIELDS

/** The events every node ends with, whatever its step. */
export const OUTCOME_EVENTS = ['success', 'failure', 'always'] as const
/** The event only approval and input steps end with: nobody decided in time. */
export const EXPIRED_EVENT = 'expired'
/** What `from` names in an argument mapping to take one of the run's own arguments. */
export const RUN_INPUT = '$run'
export const JOINS = ['all', 'any'] as const

export const DEFAULT_EXPIRES_IN_SECONDS = 72 * 3600
export const MAX_EXPIRES_IN_SECONDS = 30 * 86_400
export const MAX_REQUIRED_APPROVALS = 50
export const MAX_RETRIES = 10
export const MAX_BACKOFF_SECONDS = 86_400

const KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/
const CUSTOM_EVENT = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/
/** Problems listed in an answer: the rest are counted (an error's details travel in gRPC trailers). */
const LISTED_PROBLEMS = 20

/** What a node needs of a task it runs: the arguments a run gives it (its non-fixed ones, in order). */
export interface KnownTask {
  arguments: readonly { label: string; required: boolean }[]
}

/** One thing wrong with a definition, naming where: the node (by key) or the edge (by position). */
export interface WorkflowProblem {
  field: string
  message: string
  node?: string
  edge?: number
}

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value)

function problemError(problems: readonly WorkflowProblem[]) {
  const [first, ...rest] = problems as [WorkflowProblem, ...WorkflowProblem[]]
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more: see details.problems)`
  return validationFailed(`${first.message}${more}`, {
    field: first.field,
    ...(first.node === undefined ? {} : { node: first.node }),
    ...(first.edge === undefined ? {} : { edge: first.edge }),
    problems: problems.slice(0, LISTED_PROBLEMS),
    ...(problems.length > LISTED_PROBLEMS ? { more_problems: problems.length - LISTED_PROBLEMS } : {}),
  })
}

function seconds(
  value: unknown,
  field: string,
  fallback: number,
  max: number,
  problems: WorkflowProblem[],
  node: string,
) {
  if (value === undefined || value === null || value === 0) return fallback
  if (!isInteger(value) || value < 1 || value > max) {
    problems.push({ field, node, message: `${field} must be a whole number of seconds from 1 to ${max}` })
    return fallback
  }
  return value
}

function approvalOf(raw: WorkflowApprovalStep, field: string, key: string, problems: WorkflowProblem[]) {
  const approvers = stringList(raw.approvers, `${field}.approvers`)
  if (approvers.length === 0)
    problems.push({
      field: `${field}.approvers`,
      node: key,
      message: `node ${key}: an approval step needs approvers`,
    })
  let required = raw.required
  if (required === undefined || required === null || required === 0) required = 1
  if (!isInteger(required) || required < 1 || required > MAX_REQUIRED_APPROVALS) {
    problems.push({
      field: `${field}.required`,
      node: key,
      message: `node ${key}: required must be a whole number from 1 to ${MAX_REQUIRED_APPROVALS}`,
    })
    required = 1
  }
  const expiresIn = seconds(
    raw.expiresIn,
    `${field}.expires_in`,
    DEFAULT_EXPIRES_IN_SECONDS,
    MAX_EXPIRES_IN_SECONDS,
    problems,
    key,
  )
  return { approvers, required, expiresIn }
}

function inputOf(raw: WorkflowInputStep, field: string, key: string, problems: WorkflowProblem[]) {
  return {
    form: validateArguments(raw.form, `${field}.form`),
    approvers: stringList(raw.approvers, `${field}.approvers`),
    expiresIn: seconds(
      raw.expiresIn,
      `${field}.expires_in`,
      DEFAULT_EXPIRES_IN_SECONDS,
      MAX_EXPIRES_IN_SECONDS,
      problems,
      key,
    ),
  }
}

function argumentOf(
  raw: WorkflowArgument,
  field: string,
  key: string,
  problems: WorkflowProblem[],
): WorkflowArgument {
  const source = raw?.source
  if (source?.$case === 'value') return { source: { $case: 'value', value: text(source.value, field) } }
  if (source?.$case === 'from') {
    const output = source.value.output
    if (output?.$case === 'index' && isInteger(output.value) && output.value >= 0) {
      return { source: { $case: 'from', value: { node: text(source.value.node, field), output } } }
    }
    if (output?.$case === 'name') {
      const name = text(output.value, field)
      return {
        source: {
          $case: 'from',
          value: { node: text(source.value.node, field), output: { $case: 'name', value: name } },
        },
      }
    }
    problems.push({
      field,
      node: key,
      message: `node ${key}: ${field} needs an output (a line index, or a form field's label)`,
    })
    return {
      source: {
        $case: 'from',
        value: { node: text(source.value.node, field), output: { $case: 'index', value: 0 } },
      },
    }
  }
  problems.push({ field, node: key, message: `node ${key}: ${field} must be a value or { from, output }` })
  return { source: { $case: 'value', value: '' } }
}

function retryOf(
  raw: WorkflowRetry | undefined,
  field: string,
  key: string,
  problems: WorkflowProblem[],
): WorkflowRetry {
  const max = raw?.max ?? 0
  const backoff = raw?.backoff ?? 0
  if (!isInteger(max) || max < 0 || max > MAX_RETRIES) {
    problems.push({
      field: `${field}.max`,
      node: key,
      message: `node ${key}: retry.max must be a whole number from 0 to ${MAX_RETRIES}`,
    })
  }
  if (!isInteger(backoff) || backoff < 0 || backoff > MAX_BACKOFF_SECONDS) {
    problems.push({
      field: `${field}.backoff`,
      node: key,
      message: `node ${key}: retry.backoff must be a whole number of seconds from 0 to ${MAX_BACKOFF_SECONDS}`,
    })
  }
  return { max: isInteger(max) ? max : 0, backoff: isInteger(backoff) ? backoff : 0 }
}

function nodeOf(raw: WorkflowNode, index: number, problems: WorkflowProblem[]): WorkflowNode {
  const field = `nodes[${index}]`
  if (typeof raw !== 'object' || raw === null) throw validationFailed(`${field} must be an object`, { field })
  const key = text(raw.key, `${field}.key`)
  if (!KEY.test(key)) {
    problems.push({
      field: `${field}.key`,
      node: key,
      message: `${field}.key ${JSON.stringify(key.slice(0, 100))} must be letters, digits, '_', '.' or '-' (not starting with '.' or '-')`,
    })
  }
  const step = raw.step
  let valid: WorkflowNode['step']
  if (step?.$case === 'taskId') valid = { $case: 'taskId', value: text(step.value, `${field}.task`).trim() }
  else if (step?.$case === 'approval')
    valid = { $case: 'approval', value: approvalOf(step.value, `${field}.approval`, key, problems) }
  else if (step?.$case === 'input')
    valid = { $case: 'input', value: inputOf(step.value, `${field}.input`, key, problems) }
  else {
    problems.push({ field, node: key, message: `node ${key}: give a task, an approval or an input step` })
    valid = undefined
  }
  const rawArguments = raw.arguments ?? []
  if (!Array.isArray(rawArguments))
    throw validationFailed(`${field}.arguments must be a list`, { field: `${field}.arguments` })
  let join = text(raw.join, `${field}.join`)
  if (join === '') join = 'all'
  if (!(JOINS as readonly string[]).includes(join)) {
    problems.push({
      field: `${field}.join`,
      node: key,
      message: `node ${key}: join must be all or any, got ${JSON.stringify(join.slice(0, 50))}`,
    })
  }
  return {
    key,
    step: valid,
    arguments: rawArguments.map((argument, i) =>
      argumentOf(argument, `${field}.arguments[${i}]`, key, problems),
    ),
    timeout: seconds(raw.timeout, `${field}.timeout`, 0, MAX_TIMEOUT_SECONDS, problems, key),
    retry: retryOf(raw.retry, `${field}.retry`, key, problems),
    join,
  }
}

function edgeOf(raw: WorkflowEdge, index: number): WorkflowEdge {
  const field = `edges[${index}]`
  if (typeof raw !== 'object' || raw === null) throw validationFailed(`${field} must be an object`, { field })
  const on = text(raw.on, `${field}.on`)
  return {
    from: text(raw.from, `${field}.from`),
    to: text(raw.to, `${field}.to`),
    on: on === '' ? 'success' : on,
  }
}

/** The nodes reachable from `from` along `next` (from included). */
function reach(from: string, next: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set([from])
  const stack = [from]
  for (let key = stack.pop(); key !== undefined; key = stack.pop()) {
    for (const to of next.get(key) ?? []) {
      if (!seen.has(to)) {
        seen.add(to)
        stack.push(to)
      }
    }
  }
  return seen
}

/** One cycle of the graph as its keys (first = last), or undefined when it has none. */
function findCycle(
  keys: readonly string[],
  next: ReadonlyMap<string, readonly string[]>,
): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  // Iterative depth-first search, so that no graph within the limits can exhaust the stack.
  for (const root of keys) {
    if (state.has(root)) continue
    const frames: { key: string; index: number }[] = [{ key: root, index: 0 }]
    state.set(root, 'open')
    path.push(root)
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { key: string; index: number }
      const targets = next.get(frame.key) ?? []
      if (frame.index < targets.length) {
        const to = targets[frame.index++] as string
        const seen = state.get(to)
        if (seen === 'open') return [...path.slice(path.indexOf(to)), to]
        if (seen === undefined) {
          state.set(to, 'open')
          path.push(to)
          frames.push({ key: to, index: 0 })
        }
      } else {
        state.set(frame.key, 'done')
        path.pop()
        frames.pop()
      }
    }
  }
  return undefined
}

/**
 * A node gives its task what a run gives: no more values than the task takes, and one for each
 * required argument (a fixed empty value would be refused when the job is queued, as a run's is).
 */
function argumentCountProblems(node: WorkflowNode, index: number, task: KnownTask): WorkflowProblem[] {
  const field = `nodes[${index}].arguments`
  const given = node.arguments.length
  if (given > task.arguments.length) {
    return [
      {
        field,
        node: node.key,
        message: `node ${node.key}: its task takes ${task.arguments.length} argument(s), the node gives ${given}`,
      },
    ]
  }
  return task.arguments.flatMap((argument, position) => {
    const source = node.arguments[position]?.source
    const missing = source === undefined || (source.$case === 'value' && source.value === '')
    if (!argument.required || !missing) return []
    return [
      {
        field: `${field}[${position}]`,
        node: node.key,
        message: `node ${node.key}: argument ${position} (${argument.label}) of its task is required`,
      },
    ]
  })
}

/** The graph rules: keys, start, edges, cycles, reachability, tasks and argument mappings. */
function graphProblems(
  definition: WorkflowDefinition,
  knownTasks: ReadonlyMap<string, KnownTask>,
): WorkflowProblem[] {
  const problems: WorkflowProblem[] = []
  const nodes = new Map<string, WorkflowNode>()
  for (const [index, node] of definition.nodes.entries()) {
    if (nodes.has(node.key)) {
      problems.push({
        field: `nodes[${index}].key`,
        node: node.key,
        message: `node key ${node.key} is used more than once`,
      })
    } else nodes.set(node.key, node)
    const task = node.step?.$case === 'taskId' ? knownTasks.get(node.step.value) : undefined
    if (task !== undefined) problems.push(...argumentCountProblems(node, index, task))
    if (node.step?.$case === 'taskId' && task === undefined) {
      problems.push({
        field: `nodes[${index}].task`,
        node: node.key,
        message: `node ${node.key}: task ${JSON.stringify(node.step.value.slice(0, 100))} is not a task of this organization`,
      })
    }
  }
  if (definition.nodes.length === 0)
    problems.push({ field: 'nodes', message: 'a workflow needs at least one node' })
  if (definition.start === '')
    problems.push({ field: 'start', message: 'start is required: the key of the first node' })
  else if (!nodes.has(definition.start)) {
    problems.push({
      field: 'start',
      node: definition.start,
      message: `start names no node: ${JSON.stringify(definition.start.slice(0, 100))}`,
    })
  }

  const next = new Map<string, string[]>()
  const previous = new Map<string, string[]>()
  const seenEdges = new Set<string>()
  for (const [index, edge] of definition.edges.entries()) {
    const field = `edges[${index}]`
    const from = nodes.get(edge.from)
    let valid = true
    for (const end of ['from', 'to'] as const) {
      if (!nodes.has(edge[end])) {
        valid = false
        problems.push({
          field: `${field}.${end}`,
          edge: index,
          message: `edge ${index} (${edge.from} -> ${edge.to}): ${end} names no node: ${JSON.stringify(edge[end].slice(0, 100))}`,
        })
      }
    }
    const isStep = from?.step?.$case === 'approval' || from?.step?.$case === 'input'
    const known = (OUTCOME_EVENTS as readonly string[]).includes(edge.on)
    if (!known && edge.on !== EXPIRED_EVENT && !CUSTOM_EVENT.test(edge.on)) {
      problems.push({
        field: `${field}.on`,
        edge: index,
        message: `edge ${index} (${edge.from} -> ${edge.to}): on must be success, failure, always, expired or a custom event name (letters, digits, '_', '.', ':', '-'), got ${JSON.stringify(edge.on.slice(0, 100))}`,
      })
    } else if (from !== undefined && edge.on === EXPIRED_EVENT && !isStep) {
      problems.push({
        field: `${field}.on`,
        edge: index,
        message: `edge ${index} (${edge.from} -> ${edge.to}): only approval and input steps end expired; ${edge.from} runs a task`,
      })
    } else if (from !== undefined && !known && edge.on !== EXPIRED_EVENT && isStep) {
      problems.push({
        field: `${field}.on`,
        edge: index,
        message: `edge ${index} (${edge.from} -> ${edge.to}): ${edge.from} is an ${from.step?.$case} step, which ends success, failure or expired, never ${edge.on}`,
      })
    }
    const id = JSON.stringify([edge.from, edge.to, edge.on])
    if (seenEdges.has(id)) {
      problems.push({
        field,
        edge: index,
        message: `edge ${index} (${edge.from} -> ${edge.to} on ${edge.on}) is given more than once`,
      })
    }
    seenEdges.add(id)
    if (valid) {
      next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to])
      previous.set(edge.to, [...(previous.get(edge.to) ?? []), edge.from])
    }
  }

  const cycle = findCycle([...nodes.keys()], next)
  if (cycle !== undefined) {
    problems.push({
      field: 'edges',
      node: cycle[0] as string,
      message: `the edges make a cycle: ${cycle.join(' -> ')}`,
    })
  }
  if (nodes.has(definition.start)) {
    const reachable = reach(definition.start, next)
    for (const [index, node] of definition.nodes.entries()) {
      if (!reachable.has(node.key) && nodes.get(node.key) === node) {
        problems.push({
          field: `nodes[${index}]`,
          node: node.key,
          message: `node ${node.key} cannot be reached from the start node ${definition.start}`,
        })
      }
    }
  }

  for (const [index, node] of definition.nodes.entries()) {
    let ancestors: Set<string> | undefined
    for (const [i, argument] of node.arguments.entries()) {
      if (argument.source?.$case !== 'from') continue
      const field = `nodes[${index}].arguments[${i}]`
      const { node: from, output } = argument.source.value
      if (from === RUN_INPUT) {
        if (output?.$case !== 'index') {
          problems.push({
            field,
            node: node.key,
            message: `node ${node.key}: ${field} takes a run argument by its index, not a name`,
          })
        }
        continue
      }
      const source = nodes.get(from)
      ancestors ??= reach(node.key, previous)
      if (source === undefined || from === node.key || !ancestors.has(from)) {
        problems.push({
          field,
          node: node.key,
          message: `node ${node.key}: ${field} takes from ${JSON.stringify(from.slice(0, 100))}, which is ${source === undefined ? 'no node' : 'not a node that runs before it'}`,
        })
        continue
      }
      if (output?.$case === 'name') {
        const form = source.step?.$case === 'input' ? source.step.value.form : undefined
        if (form === undefined || !form.some((argument) => argument.label === output.value)) {
          problems.push({
            field,
            node: node.key,
            message: `node ${node.key}: ${field} takes output ${JSON.stringify(output.value.slice(0, 100))} of ${from}, which ${form === undefined ? 'is no input step (take a line by its index)' : 'has no form field with that label'}`,
          })
        }
      }
    }
  }
  return problems
}

/**
 * Checks a workflow definition and answers it normalised (defaults filled: join `all`, approvals 1
 * required and 72 h to expire, edges `on` success). Every problem of the graph is collected: the
 * error (VALIDATION_FAILED) names the first in its message and `details` (`field`, `node` or `edge`),
 * and lists them all in `details.problems`. A field past its limit is LIMIT_EXCEEDED, checked before
 * the graph is walked. `knownTasks` holds those of the tasks the nodes name that are live tasks of
 * the workflow's organization, with the arguments they take: the caller reads them, this stays pure.
 */
export function validateWorkflowDefinition(
  definition: Partial<WorkflowDefinition>,
  knownTasks: ReadonlyMap<string, KnownTask>,
): WorkflowDefinition {
  const problems: WorkflowProblem[] = []
  const name = text(definition.name, 'name').trim()
  if (name === '') problems.push({ field: 'name', message: 'name is required' })
  const rawNodes = definition.nodes ?? []
  const rawEdges = definition.edges ?? []
  if (!Array.isArray(rawNodes)) throw validationFailed('nodes must be a list', { field: 'nodes' })
  if (!Array.isArray(rawEdges)) throw validationFailed('edges must be a list', { field: 'edges' })
  const valid: WorkflowDefinition = {
    name,
    description: text(definition.description, 'description'),
    nodes: rawNodes.map((node, index) => nodeOf(node, index, problems)),
    edges: rawEdges.map(edgeOf),
    start: text(definition.start, 'start'),
    acls: stringList(definition.acls, 'acls'),
    env: validateEnv(definition.env),
    triggers: validateTriggers(definition.triggers),
    graceTime: validateGraceTime(definition.graceTime),
    multitasking:
      typeof definition.multitasking === 'boolean' ? definition.multitasking : TaskDefaults.multitasking,
  }
  checkWorkflowDefinition(valid, WorkflowDefinition.encode(valid).finish().length)
  problems.push(...graphProblems(valid, knownTasks))
  if (problems.length > 0) throw problemError(problems)
  return valid
}

/** The ids of the tasks a definition's nodes run, each once. */
export function taskIdsOf(definition: Pick<WorkflowDefinition, 'nodes'>): string[] {
  const ids = (definition.nodes ?? []).flatMap((node) =>
    node?.step?.$case === 'taskId' ? [node.step.value.trim()] : [],
  )
  return [...new Set(ids)]
}

/** The API names of the fields whose values differ between two normalised definitions. */
export function changedWorkflowFields(
  before: WorkflowDefinition,
  after: WorkflowDefinition,
): WorkflowFieldName[] {
  return (Object.keys(WORKFLOW_FIELDS) as WorkflowFieldName[]).filter((name) => {
    const key = WORKFLOW_FIELDS[name]
    return canonical(before[key]) !== canonical(after[key])
  })
}
