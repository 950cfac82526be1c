import { readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { NATS_AUTH_INIT_USAGE } from '@taskforge/nats-operator'
import { busSettings } from '../packages/bus/src/index.js'
import { telemetrySettings } from '../packages/telemetry/src/index.js'
import { USAGE } from '../services/bot/src/cli-options.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Where the generated page lives, from the repository root. */
export const CONFIGURATION_DOC = 'docs/configuration.md'

/** The services in the order the page shows them (their `src/main.ts` exports their settings). */
export const SERVICES = ['gateway', 'task-catalog', 'job-scheduler', 'bot-dispatch', 'webhook-relay'] as const

/** What the page needs of a setting (the core's `Setting`, or a variable a shared package reads). */
export interface DocumentedVariable {
  env: string
  description: string
  default: unknown
  kind?: string
}

function isVariable(value: unknown): value is DocumentedVariable {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return typeof record.env === 'string' && typeof record.description === 'string' && 'default' in record
}

/** The settings objects a module exports: objects whose every property is a setting. */
export function settingsObjects(module: Record<string, unknown>): DocumentedVariable[] {
  const found: DocumentedVariable[] = []
  for (const value of Object.values(module)) {
    if (typeof value !== 'object' || value === null) continue
    const entries = Object.values(value)
    if (entries.length > 0 && entries.every(isVariable)) found.push(...entries)
  }
  return found
}

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
]

function formatDuration(ms: number): string {
  if (ms === 0) return '0'
  for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`
  return `${ms}ms`
}

function formatDefault(variable: DocumentedVariable): string {
  const value = variable.default
  if (value === undefined) return '**required**'
  if (value === '' || (Array.isArray(value) && value.length === 0)) return '(unset)'
  if (variable.kind === 'duration' && typeof value === 'number') return `\`${formatDuration(value)}\``
  if (Array.isArray(value)) return `\`${value.join(',')}\``
  return `\`${String(value)}\``
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

/** A Markdown table with its columns padded, as the formatter (biome) writes them. */
function table(variables: readonly DocumentedVariable[]): string {
  const rows = [
    ['variable', 'default', 'what it does'],
    ...variables.map((variable) => [
      `\`${variable.env}\``,
      formatDefault(variable),
      cell(variable.description),
    ]),
  ]
  const widths = [0, 1, 2].map((column) => Math.max(3, ...rows.map((row) => (row[column] as string).length)))
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] as number)).join(' | ')} |`
  const [header, ...body] = rows as [string[], ...string[][]]
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n')
}

async function serviceSettings(service: string): Promise<DocumentedVariable[]> {
  const module: Record<string, unknown> = await import(
    pathToFileURL(join(ROOT, 'services', service, 'src/main.ts')).href
  )
  return settingsObjects(module)
}

/** The whole page, generated from the settings the code declares. */
export async function configurationDoc(): Promise<string> {
  const sections: string[] = [
    '# Configuration',
    [
      'Every setting of the platform is an environment variable; this page lists all of them, with',
      'their defaults. It is generated from the settings objects in the code by `npm run docs:config`',
      '(`scripts/config-doc.ts`) and a test fails when it is stale: change a description in the code,',
      'not here.',
    ].join('\n'),
    [
      'Durations are written like `500ms`, `30s`, `5m`, `24h`; lists are comma separated; a variable',
      'set to the empty string counts as unset. A **required** variable has no default: the service',
      'refuses to start without it. Every service also serves `GET /healthz`, `GET /readyz` and',
      '`GET /metrics` (Prometheus text) on its `HEALTH_PORT`. Every internal listener (gRPC, health)',
      'binds loopback unless its `*_HOST` says otherwise; the images set `0.0.0.0`.',
    ].join('\n'),
    '## Every service',
    '### Logging and tracing (the bot too)',
    'Spans follow the OpenTelemetry environment variables; the OTLP exporter (OTLP/HTTP, protobuf) also reads the other `OTEL_EXPORTER_OTLP_*` variables of the specification (timeouts, compression, certificates).',
    table(Object.values(telemetrySettings)),
    '### NATS',
    [
      'A service connects with at most one kind of credentials; with none it expects an open server.',
      'Deployments give each service its own user in `NATS_CREDS` (written by nats-auth-init, below).',
    ].join('\n'),
    table(Object.values(busSettings)),
  ]
  for (const service of SERVICES) {
    sections.push(`## ${service}`, table(await serviceSettings(service)))
  }
  sections.push(
    '## bot',
    [
      'The bot agent takes command-line flags and its credentials file (the answer of',
      '`POST /:customer/bot`: NATS address, user and subjects) rather than environment variables;',
      '`LOG_LEVEL` and the `OTEL_*` variables above apply to it too.',
    ].join('\n'),
    `\`\`\`text\n${USAGE}\n\`\`\``,
    '## nats-auth-init',
    [
      "The one-shot program that writes a deployment's NATS authentication (deploy/README.md). It takes",
      'arguments only; with `--kubernetes-secrets` it uses the API server Kubernetes gives every pod',
      '(`KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT`, the service account token and namespace)',
      "and trusts the API's certificate through Node's `NODE_EXTRA_CA_CERTS`.",
    ].join('\n'),
    `\`\`\`text\n${NATS_AUTH_INIT_USAGE}\n\`\`\``,
  )
  return `${sections.join('\n\n')}\n`
}

async function main(args: readonly string[]): Promise<void> {
  const path = join(ROOT, CONFIGURATION_DOC)
  const generated = await configurationDoc()
  if (args.includes('--check')) {
    const current = await readFile(path, 'utf8').catch(() => '')
    if (current !== generated) {
      console.error(`${CONFIGURATION_DOC} is stale: run npm run docs:config`)
      process.exitCode = 1
    }
    return
  }
  await writeFile(path, generated)
  console.log(`wrote ${CONFIGURATION_DOC}`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
