import { writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LIMIT_TABLE, type Limit, Limits, QUOTA_TABLE, Transport } from '../packages/core/src/index.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Where the generated page lives, from the repository root. */
export const LIMITS_DOC = 'docs/limits.md'

const KiB = 1024
const number = (value: number) => value.toLocaleString('en-US')

function size(limit: Pick<Limit, 'value' | 'unit'>): string {
  if (limit.unit !== 'bytes') return `${number(limit.value)} ${limit.unit}`
  const mib = limit.value / (KiB * KiB)
  if (Number.isInteger(mib)) return `${number(limit.value)} bytes (${mib} MiB)`
  const kib = limit.value / KiB
  return Number.isInteger(kib) ? `${number(limit.value)} bytes (${kib} KiB)` : `${number(limit.value)} bytes`
}

const ANSWER: Record<Limit['status'], string> = {
  400: '400 `BAD_REQUEST`',
  413: '413 `PAYLOAD_TOO_LARGE`',
  422: '422 `LIMIT_EXCEEDED`',
  431: '431 `HEADERS_TOO_LARGE`',
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

/** A Markdown table with its columns padded. */
function table(rows: readonly (readonly string[])[]): string {
  const columns = rows[0]?.length ?? 0
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(3, ...rows.map((row) => (row[column] as string).length)),
  )
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] as number)).join(' | ')} |`
  const [header, ...body] = rows as [string[], ...string[][]]
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n')
}

const kib = (bytes: number) => `${(bytes / KiB).toFixed(1).replace(/\.0$/, '')} KiB`

/** The page, generated from core's table of limits. */
export function limitsDoc(): string {
  const L = Limits
  const workOrder =
    L.scriptContent.value +
    L.taskArguments.value +
    L.env.value +
    L.taskRunAs.value +
    L.taskName.value +
    L.objectId.value +
    L.scriptFilename.value
  // name, ids, run_as, description; tags; acls; trigger ids and events; arguments' type, label, value
  // and options; env names and values.
  const definitionStrings =
    5 +
    L.taskTagCount.value +
    L.taskAclCount.value +
    3 * L.taskTriggerCount.value +
    L.taskArgumentDefinitionCount.value * (3 + L.taskArgumentOptionCount.value) +
    2 * L.envCount.value
  return `${[
    '# Limits',
    [
      'Every input the platform takes has a limit, and whatever is accepted runs end to end. The limits',
      'live in one table in the code (`packages/core/src/limits.ts`); this page is generated from it by',
      '`npm run docs:limits` (`scripts/limits-doc.ts`), and a test fails when it is stale. The gateway',
      'enforces every limit, its OpenAPI document (`/openapi.json`) shows each one on its field',
      "(`maxLength`, `maxItems` or `maxProperties`, the limit's key in `x-limit`, and the limit in the",
      "field's description), and each service checks again what it is given over gRPC, with the same values.",
    ].join('\n'),
    [
      'Sizes are bytes of UTF-8, not characters: `a` is 1 byte, `é` 2, `€` 3, `😀` 4, so a name of 67',
      '`€` is 201 bytes. A script sent as base64 (`data`) counts the bytes it decodes to. A run argument',
      'that is not a string (a number, an object) counts as the JSON text it is passed as. A form',
      '(`application/x-www-form-urlencoded`) is held to the same limits as the JSON it stands for.',
    ].join('\n'),
    '## Past a limit',
    [
      "The answer names the field, its size, the limit and the limit's name, in the contract's JSON error",
      'body; `details` says the same for programs:',
    ].join('\n'),
    [
      '```json',
      '{',
      '  "statusCode": 422,',
      '  "code": "LIMIT_EXCEEDED",',
      '  "message": "task_arguments[2] is 70000 bytes; the limit is 65536 bytes (task argument size)",',
      '  "details": {',
      '    "field": "task_arguments[2]",',
      '    "limit": "task argument size",',
      '    "maximum": 65536,',
      '    "unit": "bytes",',
      '    "actual": 70000',
      '  }',
      '}',
      '```',
    ].join('\n'),
    [
      '- **422 `LIMIT_EXCEEDED`**: a field, or a list or map, is past its limit.',
      "- **413 `PAYLOAD_TOO_LARGE`**: the whole request body, or an incoming webhook's payload (which is the",
      '  whole body), is past its limit.',
      "- **431 `HEADERS_TOO_LARGE`**: the request's URL and headers are past their limit; the connection",
      '  is closed after the answer.',
      '- **400 `BAD_REQUEST`**: an `Idempotency-Key` longer than its limit is a malformed key, as every',
      '  other malformed key (decision 13).',
      '',
      "A job started by a trigger is held to the limits of a run's arguments too: the triggering job's",
      "output lines, or the values of the webhook's payload, as given and as the job's argv. Past them,",
      "the triggered job is recorded canceled at once, the limit's message as its reason, without the",
      "values. A run's argv also counts the task's fixed values and defaults: a run whose values are",
      'within the limits can still be refused (422) when, with them, the argv is past the total.',
    ].join('\n'),
    '## The limits',
    table([
      ['limit', 'value', 'what it bounds', 'past it'],
      ...LIMIT_TABLE.map((limit) => [
        `${limit.name} (\`${limit.key}\`)`,
        size(limit),
        cell(limit.meaning),
        ANSWER[limit.status],
      ]),
    ]),
    [
      'Other bounds keep their answers: JSON nested deeper than 32 levels (400), path parameters and',
      'query values of more than 200 characters, a `wait_timeout` above 60 seconds. Subscriptions take no',
      'custom headers. `TRIGGER_MAX_CHAIN_DEPTH`, an operator setting, may be at most 100.',
    ].join('\n'),
    "## Quotas: each tenant's share",
    [
      'A limit bounds what one request carries; a quota bounds how much of the shared platform one',
      "organization, task or token holds or asks for at once, so that none takes the others' share. Each",
      'is counted by the service that holds what it counts, and is an operator setting whose default is in',
      'the same file (`packages/core/src/quotas.ts`). Past a quota the answer is **429 `TOO_MANY_REQUESTS`**',
      'with a `Retry-After` header (whole seconds), and the same request may pass later:',
    ].join('\n'),
    [
      '```json',
      '{',
      '  "statusCode": 429,',
      '  "code": "TOO_MANY_REQUESTS",',
      '  "message": "task 0190… has 1000 jobs not started; the limit is 1000 jobs (queued jobs per task)",',
      '  "details": {',
      '    "limit": "queued jobs per task",',
      '    "maximum": 1000,',
      '    "unit": "jobs",',
      '    "retry_after_seconds": 5',
      '  }',
      '}',
      '```',
    ].join('\n'),
    table([
      ['quota', 'default', 'setting (service)', 'what it bounds', 'Retry-After'],
      ...QUOTA_TABLE.map((quota) => [
        `${quota.name} (\`${quota.key}\`)`,
        `${number(quota.value)} ${quota.unit}`,
        `\`${quota.setting}\` (${quota.service})`,
        cell(quota.meaning),
        `${quota.retryAfterSeconds} s`,
      ]),
    ]),
    [
      '- **Jobs not started** are counted when a run is asked (every run route, and a run by secret key),',
      '  in the transaction that queues it, where the runs queued together count each other. Transactions',
      '  committing at the same moment may each see the last free place, so the count can pass the quota',
      '  by the number of them, never more. Jobs started by a trigger or a schedule count, but are not refused.',
      '- **Runs per token per second** are counted by each gateway replica in a window of one second, over',
      '  every run route together (`@fastify/rate-limit`); with several replicas a token may ask that many',
      '  of each. Answers to runs carry `x-ratelimit-limit`, `x-ratelimit-remaining` and',
      '  `x-ratelimit-reset` (seconds).',
      "- **Webhook deliveries** are shared between organizations without a refusal: each organization's",
      "  attempts in flight are at most `WEBHOOK_ORGANIZATION_CONCURRENCY` (16) of the relay's",
      '  `WEBHOOK_CONCURRENCY` (64), and organizations with due deliveries take turns',
      '  ([decision 20](decisions/0020-fair-shares-between-organizations.md)).',
    ].join('\n'),
    '## Slow clients and long answers',
    [
      "- A client has `GATEWAY_HEADERS_TIMEOUT` (10 s) to send a request's headers and",
      '  `GATEWAY_REQUEST_TIMEOUT` (30 s) to send the whole request, body included; past either, the',
      '  gateway answers 408 `TIMEOUT` and closes the connection. A connection with nothing received or',
      '  sent for `GATEWAY_IDLE_TIMEOUT` (120 s) is closed.',
      '- `?wait_result=true` waits at most 60 s. A log follow (`?follow=true`) streams until the job ends,',
      '  its token is revoked (checked at least every 5 s) or `LOG_FOLLOW_MAX` (1 h) has passed, whichever',
      '  comes first; the trailer `x-taskforge-follow-end` says which (`done`, `revoked`, `max-duration`).',
    ].join('\n'),
    '## Why these values: every hop carries what is accepted',
    [
      `- **NATS**: every event travels as one message, whose headers and payload must fit the server's`,
      `  \`max_payload\`, ${size({ value: Transport.natsMaxPayload, unit: 'bytes' })} by default. The platform keeps the default; a`,
      '  deployment must not lower it.',
      `- **gRPC**: every client and server takes messages of up to ${size({ value: Transport.grpcMaxMessage, unit: 'bytes' })}; a request`,
      '  holds at most one input at its limits (the largest, a recipe import, under 1 MiB).',
      '- **Postgres**: the columns that hold inputs are `text`, `jsonb` and `bytea`, without length bounds;',
      '  NUL characters, which `text` and `jsonb` cannot hold, are refused (400) separately.',
      `- **The bot's process**: Linux refuses a single argv or environment string of 128 KiB or more`,
      `  (\`MAX_ARG_STRLEN\`): an argument and an env value are ${kib(L.taskArgument.value)}; a job's argv (${kib(L.taskArguments.value)}) and env`,
      `  (${kib(L.env.value)}) together stay far under the usual \`ARG_MAX\` of 2 MiB.`,
    ].join('\n'),
    'The largest events the limits allow, before their envelope:',
    [
      `- **A job's work order** (JobQueued, JobAssigned, and the bot's DispatchJob), with the script still`,
      `  inside it: script ${kib(L.scriptContent.value)} + arguments ${kib(L.taskArguments.value)} + env ${kib(L.env.value)} + run_as,`,
      `  task name, host and filename ${kib(L.taskRunAs.value + L.taskName.value + L.objectId.value + L.scriptFilename.value)} = ${kib(workOrder)}, plus the framing of ${number(L.taskArgumentCount.value)} arguments,`,
      `  ${L.envCount.value} env entries and a trigger chain of at most 100 steps (under 12 KiB), and the seal of`,
      `  secret variables (33 bytes each, under 7 KiB).`,
      `- **A task** (TaskCreated, TaskUpdated): its definition's text ${kib(L.taskDefinition.value)}, plus the framing of at most`,
      `  ${number(definitionStrings)} strings (at most 4 bytes each).`,
      `- **A script** (ScriptCreated, ScriptUpdated): content ${kib(L.scriptContent.value)} + description ${kib(L.scriptDescription.value)} + filename.`,
      `- **A webhook fire** (WebhookFired): payload ${kib(L.webhookPayload.value)}.`,
      '',
      'The envelope (ids, organization, author, trace context) adds under 1 KiB and the NATS headers',
      '(`Nats-Msg-Id`, `traceparent`, `tracestate`) under 1 KiB. `packages/bus/src/limits-fit.unit.spec.ts`',
      'builds each of these events at the limits and measures it as the outbox relay publishes it; the',
      'largest, a job queued with the script inside and every variable secret, is 674,185 bytes, 64% of',
      '`max_payload`, and the test keeps every event under 70% of it. Once jobs carry their script by',
      "reference, a job's work order shrinks by the script's size.",
    ].join('\n'),
  ].join('\n\n')}\n`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(join(ROOT, LIMITS_DOC), limitsDoc())
  console.log(`wrote ${LIMITS_DOC}`)
}
