import { Limits, Transport } from '@taskforge/core'
import { DispatchJob } from '@taskforge/proto/bots/v1/protocol'
import { ScriptEvent, TaskEvent, WebhookEvent, WorkflowEvent } from '@taskforge/proto/catalog/v1/events'
import { type TaskDefinition, WorkflowDefinition } from '@taskforge/proto/catalog/v1/model'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import type { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { describe, expect, it } from 'vitest'
import { encodeEnvelope } from './envelope.js'

const ID = '0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d'
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
/** The longest tracestate OpenTelemetry keeps (it drops longer ones). */
const TRACESTATE = `k=${'v'.repeat(510)}`

/** `n` bytes of text. */
const text = (n: number) => 'x'.repeat(n)

/** `count` strings whose sizes add up to `total` bytes (the framing of many small strings is the worst). */
function spread(count: number, total: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    text(Math.floor(total / count) + (i < total % count ? 1 : 0)),
  )
}

/** An env at its limits: every entry, names of the largest size, values filling the rest. */
function fullEnv(): Record<string, string> {
  const count = Limits.envCount.value
  const nameSize = Limits.envName.value
  const values = spread(count, Limits.env.value - count * nameSize)
  return Object.fromEntries(
    values.map((value, i) => [`${String(i).padStart(3, '0')}${text(nameSize - 3)}`, value]),
  )
}

/** Bytes a value sealed by task-catalog has beyond its clear value (decision 18: version, key id, nonce, tag). */
const SEALED_OVERHEAD = 33

/**
 * The env at its limits with every variable secret, the larger form: each value sealed, so each
 * carries its clear size and the seal's overhead.
 */
function fullSecretEnv(): Record<string, Buffer> {
  return Object.fromEntries(
    Object.entries(fullEnv()).map(([name, value]) => [name, Buffer.alloc(value.length + SEALED_OVERHEAD)]),
  )
}

/**
 * The largest work order: every argument, the whole env (secret, as that form is larger), and the
 * script both by hash and still inside it (as events written before jobs carried it by reference
 * did), so that old and new both fit.
 */
function fullSpec(): JobSpec {
  return {
    taskId: ID,
    taskName: text(Limits.taskName.value),
    hostId: text(Limits.objectId.value),
    scriptFilename: text(Limits.scriptFilename.value),
    scriptContent: Buffer.alloc(Limits.scriptContent.value),
    scriptSha256: text(64),
    scriptSize: Limits.scriptContent.value,
    runAs: text(Limits.taskRunAs.value),
    env: {},
    secretEnv: fullSecretEnv(),
    timeout: 86_400,
    multitasking: true,
    taskVersion: 2 ** 32 - 1,
  }
}

const fullArguments = () => spread(Limits.taskArgumentCount.value, Limits.taskArguments.value)

/** The largest task definition: every list at its count, the text spread over as many strings as it may be. */
function fullDefinition(): TaskDefinition {
  const fixed = {
    name: text(Limits.taskName.value),
    hostId: text(Limits.objectId.value),
    scriptId: text(Limits.objectId.value),
    tags: Array(Limits.taskTagCount.value).fill(text(Limits.taskTag.value)),
    runAs: text(Limits.taskRunAs.value),
    description: text(Limits.taskDescription.value),
    acls: Array(Limits.taskAclCount.value).fill(text(Limits.taskAcl.value)),
    triggers: Array(Limits.taskTriggerCount.value).fill({
      taskId: text(Limits.objectId.value),
      event: 'success',
      webhookId: text(Limits.objectId.value),
    }),
    env: {},
    secretEnv: fullSecretEnv(),
    graceTime: 604_800,
    timeout: 86_400,
    multitasking: true,
  }
  const argumentCount = Limits.taskArgumentDefinitionCount.value
  const optionCount = Limits.taskArgumentOptionCount.value
  const used =
    fixed.name.length +
    2 * Limits.objectId.value +
    Limits.taskTagCount.value * Limits.taskTag.value +
    fixed.runAs.length +
    fixed.description.length +
    Limits.taskAclCount.value * Limits.taskAcl.value +
    Limits.taskTriggerCount.value * (2 * Limits.objectId.value + 'success'.length) +
    Limits.env.value +
    argumentCount * (Limits.taskArgumentType.value + Limits.taskArgumentLabel.value)
  const strings = spread(argumentCount * (1 + optionCount), Limits.taskDefinition.value - used)
  return {
    ...fixed,
    taskArguments: Array.from({ length: argumentCount }, (_, i) => {
      const own = strings.slice(i * (1 + optionCount), (i + 1) * (1 + optionCount))
      return {
        order: 1_000_000 + i,
        type: text(Limits.taskArgumentType.value),
        label: text(Limits.taskArgumentLabel.value),
        value: own[0] ?? '',
        required: true,
        options: own.slice(1),
      }
    }),
  }
}

/** What one event takes of a NATS message as the outbox relay publishes it: envelope and headers. */
function publishedSize(streamType: string, type: string, data: Uint8Array): number {
  const envelope = encodeEnvelope({
    eventId: ID,
    streamType,
    streamId: ID,
    streamVersion: 2n ** 64n - 1n,
    type,
    data,
    metadata: {
      customer: text(Limits.organizationName.value),
      correlationId: ID,
      causationId: ID,
      traceparent: TRACEPARENT,
      tracestate: TRACESTATE,
      author: text(Limits.tokenName.value),
    },
    occurredAt: new Date(),
    transactionId: 2n ** 64n - 1n,
    position: 2n ** 64n - 1n,
  })
  // NATS headers on the wire: `NATS/1.0`, then `Name: value` lines, then an empty line.
  const headers = `NATS/1.0\r\nNats-Msg-Id: ${ID}\r\ntraceparent: ${TRACEPARENT}\r\ntracestate: ${TRACESTATE}\r\n\r\n`
  return envelope.byteLength + Buffer.byteLength(headers)
}

/** Well under: what is left is room for fields added later. */
const BUDGET = Math.floor(Transport.natsMaxPayload * 0.7)

// The arithmetic of `Limits` in core, measured: each event the largest accepted input can produce is
// built at the limits, wrapped as the relay publishes it, and must fit nats-server's max_payload.
describe('every event the input limits allow fits max_payload', () => {
  it('a job work order, queued, assigned and dispatched, with the script still inside', () => {
    const spec = fullSpec()
    const queued = JobEvent.encode({
      event: {
        $case: 'queued',
        value: {
          jobId: ID,
          customer: text(Limits.organizationName.value),
          spec,
          taskArgumentsValues: fullArguments(),
          origin: `trigger:task:${ID}:${ID}`,
          holdUntil: new Date(),
          chain: { id: ID, depth: 100, taskIds: Array(101).fill(ID) },
        },
      },
    }).finish()
    expect(publishedSize('job', 'queued', queued)).toBeLessThan(BUDGET)
    const assigned = JobEvent.encode({
      event: {
        $case: 'assigned',
        value: { botId: ID, attempt: 2 ** 32 - 1, spec, taskArgumentsValues: fullArguments() },
      },
    }).finish()
    expect(publishedSize('job', 'assigned', assigned)).toBeLessThan(BUDGET)
    const dispatch = DispatchJob.encode({
      jobId: ID,
      customer: text(Limits.organizationName.value),
      botId: ID,
      spec: undefined,
      jobSpec: spec,
      taskArgumentsValues: fullArguments(),
      attempt: 2 ** 32 - 1,
      trace: { traceparent: TRACEPARENT, tracestate: TRACESTATE },
    }).finish()
    expect(dispatch.byteLength + 1024).toBeLessThan(BUDGET)
  })

  it('a task, created and updated', () => {
    const definition = fullDefinition()
    const created = TaskEvent.encode({
      event: {
        $case: 'created',
        value: {
          taskId: ID,
          customer: ID,
          definition,
          secret: '',
          sealedSecret: Buffer.alloc(64 + SEALED_OVERHEAD),
        },
      },
    }).finish()
    expect(publishedSize('task', 'created', created)).toBeLessThan(BUDGET)
    const updated = TaskEvent.encode({
      event: {
        $case: 'updated',
        value: {
          definition,
          changedFields: [
            'name',
            'host_id',
            'script_id',
            'tags',
            'task_arguments',
            'run_as',
            'description',
            'acls',
            'triggers',
            'grace_time',
            'timeout',
            'multitasking',
            'env',
          ],
        },
      },
    }).finish()
    expect(publishedSize('task', 'updated', updated)).toBeLessThan(BUDGET)
  })

  it('a script and a webhook fire', () => {
    const script = ScriptEvent.encode({
      event: {
        $case: 'created',
        value: {
          scriptId: ID,
          customer: ID,
          filename: text(Limits.scriptFilename.value),
          description: text(Limits.scriptDescription.value),
          content: Buffer.alloc(Limits.scriptContent.value),
        },
      },
    }).finish()
    expect(publishedSize('script', 'created', script)).toBeLessThan(BUDGET)
    const fired = WebhookEvent.encode({
      event: {
        $case: 'fired',
        value: { fireId: ID, payloadJson: text(Limits.webhookPayload.value), firedAt: new Date() },
      },
    }).finish()
    expect(publishedSize('webhook', 'fired', fired)).toBeLessThan(BUDGET)
  })

  it('a workflow, created and updated, at its definition size', () => {
    // The limit counts the definition's encoding itself: a definition exactly at it, from the fixed
    // arguments of nodes of the longest keys.
    const node = (i: number, values: string[]) => ({
      key: `${i}`.padStart(Limits.workflowNodeKey.value, 'k'),
      step: { $case: 'taskId' as const, value: ID },
      arguments: values.map((value) => ({ source: { $case: 'value' as const, value } })),
      timeout: Limits.objectId.value,
      retry: { max: 10, backoff: 86_400 },
      join: 'all',
    })
    const values = spread(8, Limits.workflowDefinition.value - 8 * 1024)
    const definition = WorkflowDefinition.fromPartial({
      name: text(Limits.taskName.value),
      nodes: [0, 1, 2, 3].map((i) => node(i, values.slice(i * 2, i * 2 + 2))),
      start: '0'.padStart(Limits.workflowNodeKey.value, 'k'),
    })
    const size = WorkflowDefinition.encode(definition).finish().length
    expect(size).toBeLessThanOrEqual(Limits.workflowDefinition.value)
    const created = WorkflowEvent.encode({
      // A sealed key: a 64-character key, its sealing key's id, nonce and tag (well under 256 bytes).
      event: {
        $case: 'created',
        value: { workflowId: ID, customer: ID, definition, sealedSecret: Buffer.alloc(256) },
      },
    }).finish()
    expect(publishedSize('workflow', 'created', created)).toBeLessThan(BUDGET)
    const updated = WorkflowEvent.encode({
      event: {
        $case: 'updated',
        value: {
          version: 2 ** 32 - 1,
          definition,
          changedFields: [
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
          ],
        },
      },
    }).finish()
    expect(publishedSize('workflow', 'updated', updated)).toBeLessThan(BUDGET)
  })
})
