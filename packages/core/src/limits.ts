import { AppError, ErrorKinds } from './errors.js'

const KiB = 1024
const MiB = 1024 * KiB

/** What a limit counts: UTF-8 bytes of text (or raw bytes), items of a list, entries of a map. */
export type LimitUnit = 'bytes' | 'items' | 'entries'

/** One bound on what a tenant may send, with the HTTP status the gateway answers past it. */
export interface Limit {
  /** How messages and documents name it: `task argument size`. */
  readonly name: string
  /** The largest accepted size: `value` passes, `value + 1` is refused. */
  readonly value: number
  readonly unit: LimitUnit
  /** 413 for a whole request or payload, 422 for a field, 431 for the headers, 400 for a malformed header. */
  readonly status: 400 | 413 | 422 | 431
  /** One line: what it bounds. */
  readonly meaning: string
}

/**
 * Every limit on tenant input, in one place: the gateway enforces them (and its OpenAPI document shows
 * them), and every service that takes the same input over gRPC checks it again with the same values.
 *
 * The values are chosen so that the largest event any accepted input can produce, with its protobuf
 * envelope and NATS headers, stays well under nats-server's default `max_payload` (1 MiB), and every
 * gRPC request well under {@link Transport.grpcMaxMessage}. The arithmetic, for the largest events:
 *
 * - A job's work order (JobQueued, JobAssigned, the bot's DispatchJob), even with the script still
 *   inside it: script 256 KiB + arguments 256 KiB + env 128 KiB + run_as 1 KiB + task name, host and
 *   filename 0.6 KiB + framing of 1,000 arguments and 200 env entries (≤ 6 bytes each) 7.2 KiB +
 *   trigger chain and origin (≤ 4 KiB at TRIGGER_MAX_CHAIN_DEPTH 100) + the seal of 200 secret
 *   variables (33 bytes each, decision 18) 6.4 KiB = 659.2 KiB (675,067 bytes).
 * - A task (TaskCreated, TaskUpdated): its definition's text 512 KiB + framing of at most 11,155
 *   strings (5 fields, 100 tags, 200 acls, 150 trigger fields, 100 arguments × (type, label, value
 *   and 100 options), 200 env names and values; ≤ 4 bytes each) 43.6 KiB + argument, trigger and env
 *   entry framing (≤ 8 bytes each) 2.8 KiB + secret and changed fields 0.3 KiB + the seal of 200
 *   secret variables 6.4 KiB = 565.1 KiB.
 * - A script (ScriptCreated, ScriptUpdated): content 256 KiB + description 16 KiB + filename = 272.3 KiB.
 * - A webhook fire (WebhookFired): payload 256 KiB + fire id and time = 256.1 KiB.
 * - A workflow (WorkflowCreated, WorkflowUpdated): its definition's encoding 512 KiB (the limit counts
 *   the encoding itself, framing included) + version and changed fields 0.2 KiB = 512.2 KiB.
 * - Envelope (ids, customer, author, stream, correlation, trace context with tracestate ≤ 512 bytes)
 *   ≤ 1 KiB, and NATS headers (Nats-Msg-Id, traceparent, tracestate) ≤ 0.7 KiB.
 *
 * The largest message is thus under 661 KiB, 65% of max_payload. `limits-fit.unit.spec.ts` (bus)
 * builds each of these events at the limits and measures it as published: job queued 674,185 bytes,
 * task created 557,364, script created 280,494, webhook fired 263,822.
 */
export const Limits = {
  requestBody: {
    name: 'request body size',
    value: 2 * MiB,
    unit: 'bytes',
    status: 413,
    meaning:
      'the body of any request as sent (JSON or form), before parsing: room for the largest recipe (task and script), even escaped',
  },
  requestHeaders: {
    name: 'request header size',
    value: 16 * KiB,
    unit: 'bytes',
    status: 431,
    meaning: "a request's URL, header names and header values together",
  },
  idempotencyKey: {
    name: 'idempotency key size',
    value: 200,
    unit: 'bytes',
    status: 400,
    meaning: 'the Idempotency-Key header of a run (printable ASCII)',
  },

  taskArgument: {
    name: 'task argument size',
    value: 64 * KiB,
    unit: 'bytes',
    status: 422,
    meaning:
      "one argument value: of a run (a JSON value that is not a string counts as its JSON text), a trigger's, an argument definition's value, default or option, or a workflow node's fixed argument; half of Linux's 128 KiB bound on one argv string",
  },
  taskArguments: {
    name: 'task arguments total size',
    value: 256 * KiB,
    unit: 'bytes',
    status: 422,
    meaning:
      "the argument values of one run together, and the job's whole argv (the task's fixed values and defaults included)",
  },
  taskArgumentCount: {
    name: 'task argument count',
    value: 1000,
    unit: 'items',
    status: 422,
    meaning: 'argument values of one run or one triggered job, and argument mappings of one workflow node',
  },

  taskName: {
    name: 'task name size',
    value: 200,
    unit: 'bytes',
    status: 422,
    meaning: "a task's or a workflow's name",
  },
  taskDescription: {
    name: 'task description size',
    value: 16 * KiB,
    unit: 'bytes',
    status: 422,
    meaning: "a task's or a workflow's description",
  },
  taskRunAs: {
    name: 'run_as size',
    value: 1 * KiB,
    unit: 'bytes',
    status: 422,
    meaning: "a task's run_as command line",
  },
  objectId: {
    name: 'id size',
    value: 100,
    unit: 'bytes',
    status: 422,
    meaning: "an id a body names: a task's host_id and script_id, a trigger's task_id or webhook_id",
  },
  taskTag: {
    name: 'tag size',
    value: 100,
    unit: 'bytes',
    status: 422,
    meaning: 'one tag of a task',
  },
  taskTagCount: {
    name: 'tag count',
    value: 100,
    unit: 'items',
    status: 422,
    meaning: 'tags of a task',
  },
  taskAcl: {
    name: 'acl size',
    value: 200,
    unit: 'bytes',
    status: 422,
    meaning:
      "one entry of a task's or a workflow's acls (a token name, a role or a key:value tag), or one approver of a workflow step",
  },
  taskAclCount: {
    name: 'acl count',
    value: 200,
    unit: 'items',
    status: 422,
    meaning: "entries of a task's or a workflow's acls",
  },
  taskTriggerCount: {
    name: 'trigger count',
    value: 50,
    unit: 'items',
    status: 422,
    meaning: 'triggers of a task or a workflow',
  },
  taskArgumentDefinitionCount: {
    name: 'argument definition count',
    value: 100,
    unit: 'items',
    status: 422,
    meaning: "argument definitions (task_arguments) of a task, and fields of a workflow input step's form",
  },
  taskArgumentType: {
    name: 'argument type size',
    value: 50,
    unit: 'bytes',
    status: 422,
    meaning: 'the type of an argument definition',
  },
  taskArgumentLabel: {
    name: 'argument label size',
    value: 200,
    unit: 'bytes',
    status: 422,
    meaning: 'the label of an argument definition',
  },
  taskArgumentOptionCount: {
    name: 'argument option count',
    value: 100,
    unit: 'items',
    status: 422,
    meaning: 'options of one argument definition (each within the task argument size)',
  },
  envCount: {
    name: 'env entry count',
    value: 200,
    unit: 'entries',
    status: 422,
    meaning: "variables of a task's or a workflow's env",
  },
  envName: {
    name: 'env name size',
    value: 256,
    unit: 'bytes',
    status: 422,
    meaning: "the name of one variable of a task's env",
  },
  envValue: {
    name: 'env value size',
    value: 64 * KiB,
    unit: 'bytes',
    status: 422,
    meaning: "the value of one variable of a task's env",
  },
  env: {
    name: 'env total size',
    value: 128 * KiB,
    unit: 'bytes',
    status: 422,
    meaning: "a task's env, names and values together",
  },
  taskDefinition: {
    name: 'task definition total size',
    value: 512 * KiB,
    unit: 'bytes',
    status: 422,
    meaning:
      'every text of a task definition together (name, ids, tags, arguments, run_as, description, acls, triggers, env)',
  },

  scriptContent: {
    name: 'script size',
    value: 256 * KiB,
    unit: 'bytes',
    status: 422,
    meaning: "a script's content, as bytes (text as UTF-8, or what its base64 decodes to)",
  },
  scriptFilename: {
    name: 'script filename size',
    value: 255,
    unit: 'bytes',
    status: 422,
    meaning: "a script's filename (a file name on the bot)",
  },
  scriptDescription: {
    name: 'script description size',
    value: 16 * KiB,
    unit: 'bytes',
    status: 422,
    meaning: "a script's description",
  },

  webhookName: {
    name: 'webhook name size',
    value: 200,
    unit: 'bytes',
    status: 422,
    meaning: "an incoming webhook's name",
  },
  webhookPayload: {
    name: 'webhook payload size',
    value: 256 * KiB,
    unit: 'bytes',
    status: 413,
    meaning: 'the payload of one incoming webhook call, as JSON text (a form counts as its JSON object)',
  },

  subscriptionUrl: {
    name: 'subscription url size',
    value: 2048,
    unit: 'bytes',
    status: 422,
    meaning: "a subscription's URL",
  },
  subscriptionEventCount: {
    name: 'subscription event count',
    value: 50,
    unit: 'items',
    status: 422,
    meaning: "event names of a subscription's filter",
  },
  subscriptionEvent: {
    name: 'subscription event size',
    value: 100,
    unit: 'bytes',
    status: 422,
    meaning: "one event name of a subscription's filter",
  },
  subscriptionDescription: {
    name: 'subscription description size',
    value: 1000,
    unit: 'bytes',
    status: 422,
    meaning: "a subscription's description",
  },

  organizationName: {
    name: 'organization name size',
    value: 63,
    unit: 'bytes',
    status: 422,
    meaning: "an organization's name (letters, digits, '.', '-', '_')",
  },
  tokenName: {
    name: 'token name size',
    value: 100,
    unit: 'bytes',
    status: 422,
    meaning: "an integration token's name",
  },
  tokenTag: {
    name: 'token tag size',
    value: 200,
    unit: 'bytes',
    status: 422,
    meaning: 'one tag of an integration token',
  },
  tokenTagCount: {
    name: 'token tag count',
    value: 50,
    unit: 'items',
    status: 422,
    meaning: 'tags of an integration token',
  },
  botName: {
    name: 'bot name size',
    value: 100,
    unit: 'bytes',
    status: 422,
    meaning: "a bot's name (letters, digits, '.', '-', '_')",
  },
  cancelReason: {
    name: 'cancel reason size',
    value: 1000,
    unit: 'bytes',
    status: 422,
    meaning: 'the reason given with a cancel',
  },
  stepComment: {
    name: 'step vote comment size',
    value: 4096,
    unit: 'bytes',
    status: 422,
    meaning: 'the comment given with an approval or a rejection of a workflow step',
  },

  workflowNodeCount: {
    name: 'workflow node count',
    value: 100,
    unit: 'items',
    status: 422,
    meaning: 'nodes (task, approval and input steps) of a workflow',
  },
  workflowEdgeCount: {
    name: 'workflow edge count',
    value: 500,
    unit: 'items',
    status: 422,
    meaning: 'edges of a workflow',
  },
  workflowNodeKey: {
    name: 'workflow node key size',
    value: 100,
    unit: 'bytes',
    status: 422,
    meaning:
      "a workflow node's key (letters, digits, '.', '-', '_'), as nodes, edges, start and argument mappings name it",
  },
  workflowEventName: {
    name: 'workflow event name size',
    value: 100,
    unit: 'bytes',
    status: 422,
    meaning:
      'the event an edge of a workflow follows (its `on`): success, failure, always, expired or a custom name',
  },
  workflowApproverCount: {
    name: 'workflow approver count',
    value: 50,
    unit: 'items',
    status: 422,
    meaning: 'approvers of one approval or input step (each within the acl size)',
  },
  workflowDefinition: {
    name: 'workflow definition size',
    value: 512 * KiB,
    unit: 'bytes',
    status: 422,
    meaning:
      'a workflow definition as stored (its protobuf encoding: every text, plus 1 to 6 bytes of framing per value and item)',
  },

  scheduleCron: {
    name: 'schedule cron size',
    value: 200,
    unit: 'bytes',
    status: 422,
    meaning: "a schedule's cron expression (5 fields, or 6 with seconds)",
  },
  scheduleNote: {
    name: 'schedule note size',
    value: 1000,
    unit: 'bytes',
    status: 422,
    meaning: "a schedule's note (why it is paused, what it is for)",
  },
} as const satisfies Record<string, Limit>

export type LimitKey = keyof typeof Limits

/** Every limit with its key, in the order above: what a suite iterates to try each at N and N + 1. */
export const LIMIT_TABLE: readonly (Limit & { readonly key: LimitKey })[] = (
  Object.entries(Limits) as [LimitKey, Limit][]
).map(([key, limit]) => ({ key, ...limit }))

/** The transports every accepted input crosses, and what they take at most. */
export const Transport = {
  /**
   * nats-server's default `max_payload`, which the platform keeps: headers and payload of one
   * message together. Every event the limits allow stays under 64% of it (see {@link Limits}).
   */
  natsMaxPayload: 1 * MiB,
  /**
   * What one bot's connection may publish in one message (its NATS user's `payload` limit, decision
   * 19). The largest message a bot sends is a request to open a job's secret variables: the env at
   * its limit (128 KiB, names included), 200 seals of 33 bytes and their framing, under 137 KiB with
   * headers; a bot sizes its reports to this bound ({@link messageBudget}). Above it the server
   * closes the connection.
   */
  botMaxPayload: 192 * KiB,
  /**
   * Subscriptions one bot's connection may hold at once (its NATS user's `subs` limit): the agent
   * holds its request inbox, its control consumer and a pull of its dispatch consumer; the rest is room.
   */
  botMaxSubscriptions: 64,
  /**
   * Largest gRPC message either side sends or accepts. A request carries at most one input at its
   * limits (the largest, a recipe import: 512 KiB of task and 256 KiB of script); the room above that
   * is for answers that list many objects.
   */
  grpcMaxMessage: 16 * MiB,
} as const

/** UTF-8 bytes of text (a lone surrogate counts as the 3 bytes of U+FFFD it is sent as), or of bytes. */
export function byteSize(value: string | Uint8Array): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength
}

const KIND_BY_STATUS = {
  400: ErrorKinds.BAD_REQUEST,
  413: ErrorKinds.PAYLOAD_TOO_LARGE,
  422: ErrorKinds.LIMIT_EXCEEDED,
  431: ErrorKinds.HEADERS_TOO_LARGE,
} as const

const VERB: Record<LimitUnit, string> = { bytes: 'is', items: 'has', entries: 'has' }

/**
 * The error for `field` past `limit`, with the limit's status: 422 (LIMIT_EXCEEDED) for a field, 413
 * (PAYLOAD_TOO_LARGE) for a whole body or payload, 431 for the headers; the message names the field,
 * its size, the limit and the limit's name.
 *
 * @example
 * limitExceeded(Limits.taskArgument, 'task_arguments[2]', 70_000).message
 * // 'task_arguments[2] is 70000 bytes; the limit is 65536 bytes (task argument size)'
 */
export function limitExceeded(limit: Limit, field: string, actual?: number): AppError {
  const kind = KIND_BY_STATUS[limit.status]
  const size =
    actual === undefined
      ? `is over ${limit.value} ${limit.unit}`
      : `${VERB[limit.unit]} ${actual} ${limit.unit}`
  return new AppError(kind, `${field} ${size}; the limit is ${limit.value} ${limit.unit} (${limit.name})`, {
    details: {
      field,
      limit: limit.name,
      maximum: limit.value,
      unit: limit.unit,
      ...(actual === undefined ? {} : { actual }),
    },
  })
}

/** Throws {@link limitExceeded} when text or bytes are larger than `limit`; answers the size. */
export function checkSize(limit: Limit, field: string, value: string | Uint8Array): number {
  const size = byteSize(value)
  if (size > limit.value) throw limitExceeded(limit, field, size)
  return size
}

/** Throws {@link limitExceeded} when a list or map holds more than `limit`. */
export function checkCount(limit: Limit, field: string, count: number): void {
  if (count > limit.value) throw limitExceeded(limit, field, count)
}

/** Checks every item of a list against a count limit and an item size limit; answers their total size. */
function checkList(count: Limit, item: Limit, field: string, values: readonly string[]): number {
  checkCount(count, field, values.length)
  let total = 0
  for (const [index, value] of values.entries()) total += checkSize(item, `${field}[${index}]`, value)
  return total
}

/**
 * The argument values of a run, of a triggered job or of a job's argv: how many, each, and together.
 * `field` names them in the message (`task_arguments` for a run's values).
 */
export function checkTaskArguments(values: readonly string[], field = 'task_arguments'): void {
  const total = checkList(Limits.taskArgumentCount, Limits.taskArgument, field, values)
  if (total > Limits.taskArguments.value) throw limitExceeded(Limits.taskArguments, field, total)
}

/**
 * A task's env: how many variables, each name and value, and all together; answers the total. Secret
 * variables (`secret_env`) are part of the same process environment: they count with the others,
 * each by the size of its value in clear (`secretSizes`, bytes by name).
 */
export function checkEnv(
  env: Readonly<Record<string, string>>,
  field = 'env',
  secretSizes: Readonly<Record<string, number>> = {},
): number {
  const entries = Object.entries(env)
  const secrets = Object.entries(secretSizes)
  checkCount(Limits.envCount, field, entries.length + secrets.length)
  let total = 0
  for (const [name, value] of entries) {
    total += checkSize(Limits.envName, `${field} name ${JSON.stringify(name.slice(0, 40))}`, name)
    total += checkSize(Limits.envValue, `${field}.${name}`, value)
  }
  for (const [name, size] of secrets) {
    total += checkSize(Limits.envName, `secret_env name ${JSON.stringify(name.slice(0, 40))}`, name)
    if (size > Limits.envValue.value) throw limitExceeded(Limits.envValue, `secret_env.${name}`, size)
    total += size
  }
  if (total > Limits.env.value) throw limitExceeded(Limits.env, field, total)
  return total
}

/** A task definition as the limits see it (the catalog's TaskDefinition message fits it). */
export interface TaskDefinitionInput {
  name: string
  hostId: string
  scriptId: string
  tags: readonly string[]
  taskArguments: readonly { type: string; label: string; value: string; options: readonly string[] }[]
  runAs: string
  description: string
  acls: readonly string[]
  triggers: readonly { taskId: string; event: string; webhookId: string }[]
  env: Readonly<Record<string, string>>
}

/**
 * Every field of a task definition, by its API name, then the definition's text all together.
 * `secretEnvSizes` gives the clear size of each secret variable (see {@link checkEnv}).
 */
export function checkTaskDefinition(
  definition: TaskDefinitionInput,
  secretEnvSizes: Readonly<Record<string, number>> = {},
): void {
  let total = checkSize(Limits.taskName, 'name', definition.name)
  total += checkSize(Limits.objectId, 'host_id', definition.hostId)
  total += checkSize(Limits.objectId, 'script_id', definition.scriptId)
  total += checkList(Limits.taskTagCount, Limits.taskTag, 'tags', definition.tags)
  checkCount(Limits.taskArgumentDefinitionCount, 'task_arguments', definition.taskArguments.length)
  for (const [index, argument] of definition.taskArguments.entries()) {
    const field = `task_arguments[${index}]`
    total += checkSize(Limits.taskArgumentType, `${field}.type`, argument.type)
    total += checkSize(Limits.taskArgumentLabel, `${field}.label`, argument.label)
    total += checkSize(Limits.taskArgument, `${field}.value`, argument.value)
    total += checkList(
      Limits.taskArgumentOptionCount,
      Limits.taskArgument,
      `${field}.options`,
      argument.options,
    )
  }
  total += checkSize(Limits.taskRunAs, 'run_as', definition.runAs)
  total += checkSize(Limits.taskDescription, 'description', definition.description)
  total += checkList(Limits.taskAclCount, Limits.taskAcl, 'acls', definition.acls)
  checkCount(Limits.taskTriggerCount, 'triggers', definition.triggers.length)
  for (const [index, trigger] of definition.triggers.entries()) {
    total += checkSize(Limits.objectId, `triggers[${index}].task_id`, trigger.taskId)
    total += checkSize(Limits.objectId, `triggers[${index}].webhook_id`, trigger.webhookId)
    total += byteSize(trigger.event)
  }
  total += checkEnv(definition.env, 'env', secretEnvSizes)
  if (total > Limits.taskDefinition.value) throw limitExceeded(Limits.taskDefinition, 'task', total)
}

/** The fields of a script a create or an update gives (absent ones are not checked). */
export function checkScript(script: { filename?: string; description?: string; content?: Uint8Array }): void {
  if (script.filename !== undefined) checkSize(Limits.scriptFilename, 'filename', script.filename)
  if (script.description !== undefined) checkSize(Limits.scriptDescription, 'description', script.description)
  if (script.content !== undefined) checkSize(Limits.scriptContent, 'content', script.content)
}

/** The fields of a subscription a create or an update gives (absent ones are not checked). */
export function checkSubscription(subscription: {
  url?: string
  events?: readonly string[]
  description?: string
}): void {
  if (subscription.url !== undefined) checkSize(Limits.subscriptionUrl, 'url', subscription.url)
  if (subscription.events !== undefined)
    checkList(Limits.subscriptionEventCount, Limits.subscriptionEvent, 'events', subscription.events)
  if (subscription.description !== undefined)
    checkSize(Limits.subscriptionDescription, 'description', subscription.description)
}

/** A workflow definition as the limits see it (the catalog's WorkflowDefinition message fits it). */
export interface WorkflowDefinitionInput {
  name: string
  description: string
  nodes: readonly {
    key: string
    step:
      | { $case: 'taskId'; value: string }
      | { $case: 'approval'; value: { approvers: readonly string[] } }
      | {
          $case: 'input'
          value: {
            approvers: readonly string[]
            form: readonly { type: string; label: string; value: string; options: readonly string[] }[]
          }
        }
      | undefined
    arguments: readonly {
      source:
        | { $case: 'value'; value: string }
        | {
            $case: 'from'
            value: {
              node: string
              output?: { $case: 'index'; value: number } | { $case: 'name'; value: string }
            }
          }
        | undefined
    }[]
  }[]
  edges: readonly { from: string; to: string; on: string }[]
  start: string
  acls: readonly string[]
  triggers: readonly { taskId: string; event: string; webhookId: string }[]
  env: Readonly<Record<string, string>>
}

/**
 * Every field of a workflow definition, by its API name (`nodes[2].arguments[0]`), then the whole
 * definition by `encodedSize`, the bytes of its protobuf encoding: what its events carry.
 */
export function checkWorkflowDefinition(definition: WorkflowDefinitionInput, encodedSize: number): void {
  checkSize(Limits.taskName, 'name', definition.name)
  checkSize(Limits.taskDescription, 'description', definition.description)
  checkCount(Limits.workflowNodeCount, 'nodes', definition.nodes.length)
  for (const [index, node] of definition.nodes.entries()) {
    const field = `nodes[${index}]`
    checkSize(Limits.workflowNodeKey, `${field}.key`, node.key)
    const step = node.step
    if (step?.$case === 'taskId') checkSize(Limits.objectId, `${field}.task`, step.value)
    if (step?.$case === 'approval' || step?.$case === 'input') {
      const approvers = `${field}.${step.$case}.approvers`
      checkList(Limits.workflowApproverCount, Limits.taskAcl, approvers, step.value.approvers)
    }
    if (step?.$case === 'input') {
      const form = `${field}.input.form`
      checkCount(Limits.taskArgumentDefinitionCount, form, step.value.form.length)
      for (const [i, argument] of step.value.form.entries()) {
        checkSize(Limits.taskArgumentType, `${form}[${i}].type`, argument.type)
        checkSize(Limits.taskArgumentLabel, `${form}[${i}].label`, argument.label)
        checkSize(Limits.taskArgument, `${form}[${i}].value`, argument.value)
        checkList(
          Limits.taskArgumentOptionCount,
          Limits.taskArgument,
          `${form}[${i}].options`,
          argument.options,
        )
      }
    }
    checkCount(Limits.taskArgumentCount, `${field}.arguments`, node.arguments.length)
    // The fixed values become the argv of every job of the node: held to a run's total, so that
    // what is accepted runs.
    let fixed = 0
    for (const [i, argument] of node.arguments.entries()) {
      const source = argument.source
      if (source?.$case === 'value')
        fixed += checkSize(Limits.taskArgument, `${field}.arguments[${i}]`, source.value)
      if (source?.$case === 'from') {
        checkSize(Limits.workflowNodeKey, `${field}.arguments[${i}].from`, source.value.node)
        const output = source.value.output
        if (output?.$case === 'name')
          checkSize(Limits.taskArgumentLabel, `${field}.arguments[${i}].output`, output.value)
      }
    }
    if (fixed > Limits.taskArguments.value)
      throw limitExceeded(Limits.taskArguments, `${field}.arguments`, fixed)
  }
  checkCount(Limits.workflowEdgeCount, 'edges', definition.edges.length)
  for (const [index, edge] of definition.edges.entries()) {
    checkSize(Limits.workflowNodeKey, `edges[${index}].from`, edge.from)
    checkSize(Limits.workflowNodeKey, `edges[${index}].to`, edge.to)
    checkSize(Limits.workflowEventName, `edges[${index}].on`, edge.on)
  }
  checkSize(Limits.workflowNodeKey, 'start', definition.start)
  checkList(Limits.taskAclCount, Limits.taskAcl, 'acls', definition.acls)
  checkCount(Limits.taskTriggerCount, 'triggers', definition.triggers.length)
  for (const [index, trigger] of definition.triggers.entries()) {
    checkSize(Limits.objectId, `triggers[${index}].task_id`, trigger.taskId)
    checkSize(Limits.objectId, `triggers[${index}].webhook_id`, trigger.webhookId)
  }
  checkEnv(definition.env)
  if (encodedSize > Limits.workflowDefinition.value)
    throw limitExceeded(Limits.workflowDefinition, 'workflow', encodedSize)
}
