import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isRecord, repoPath } from './shapes.js'

/** One environment variable a service declares through `loadConfig` settings. */
export interface DeclaredSetting {
  env: string
  default: unknown
  /** No default: the service refuses to start without it. */
  required: boolean
}

export interface ServiceConfig {
  /** Directory under services/, also the Dockerfile target and the compose service. */
  name: string
  /** Undefined when the program declares no settings (the bot takes flags and a credentials file). */
  settings: ReadonlyMap<string, DeclaredSetting> | undefined
  /** The services its gRPC server takes calls from (`GRPC_CALLERS`); undefined without a gRPC server. */
  grpcCallers: readonly string[] | undefined
}

/**
 * Variables read outside `loadConfig`, by a shared package (the directory that reads them) or by
 * Node itself. Any component may be given these.
 */
export const PLATFORM_ENV: Readonly<Record<string, string | undefined>> = {
  LOG_LEVEL: 'packages/telemetry/src',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'packages/telemetry/src',
  OTEL_TRACES_EXPORTER: 'packages/telemetry/src',
  OTEL_SERVICE_NAME: 'packages/telemetry/src',
  NATS_STREAM_REPLICAS: 'packages/bus/src',
  NATS_CREDS: 'packages/bus/src',
  NATS_USER_JWT: 'packages/bus/src',
  NATS_USER_SEED: 'packages/bus/src',
  NATS_USER: 'packages/bus/src',
  NATS_PASSWORD: 'packages/bus/src',
  NATS_TOKEN: 'packages/bus/src',
  NODE_ENV: undefined,
  NODE_OPTIONS: undefined,
}

/** Directories of services/ that hold a package. */
export function serviceNames(): string[] {
  return readdirSync(repoPath('services'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(repoPath('services', entry.name, 'package.json')))
    .map((entry) => entry.name)
    .sort()
}

function isSetting(value: unknown): value is { env: string; default: unknown } {
  return (
    isRecord(value) &&
    typeof value.env === 'string' &&
    typeof value.description === 'string' &&
    typeof value.parse === 'function' &&
    Object.hasOwn(value, 'default')
  )
}

/** The settings objects a module exports (objects whose every property is a setting). */
export function settingsOf(module: Record<string, unknown>): Map<string, DeclaredSetting> | undefined {
  let found: Map<string, DeclaredSetting> | undefined
  for (const value of Object.values(module)) {
    if (!isRecord(value)) continue
    const entries = Object.values(value)
    if (entries.length === 0 || !entries.every(isSetting)) continue
    found ??= new Map()
    for (const setting of entries) {
      found.set(setting.env, {
        env: setting.env,
        default: setting.default,
        required: setting.default === undefined,
      })
    }
  }
  return found
}

/**
 * Every service's declared settings, from the settings objects its `src/main.ts` exports. Importing
 * starts nothing: each main runs only when its file is the process entry point.
 */
export async function loadServiceConfigs(): Promise<ServiceConfig[]> {
  const configs: ServiceConfig[] = []
  for (const name of serviceNames()) {
    const module: Record<string, unknown> = await import(
      pathToFileURL(repoPath('services', name, 'src/main.ts')).href
    )
    const callers = module.GRPC_CALLERS
    configs.push({
      name,
      settings: settingsOf(module),
      grpcCallers: Array.isArray(callers) ? callers.map(String) : undefined,
    })
  }
  return configs
}

/** Whether a component may be given `env`: declared by it, or read by the platform's shared code. */
export function accepts(config: ServiceConfig, env: string): boolean {
  return config.settings?.has(env) === true || Object.hasOwn(PLATFORM_ENV, env)
}

/** The value a service runs with: the one given, else the declared default. */
export function effective(config: ServiceConfig, env: string, given: string | undefined): string | undefined {
  if (given !== undefined && given !== '') return given
  const fallback = config.settings?.get(env)?.default
  return fallback === undefined ? undefined : String(fallback)
}

/** Whether the source of `dir` (tests aside) mentions `env`: proof that the variable is really read. */
export function sourceMentions(dir: string, env: string): boolean {
  const stack = [repoPath(dir)]
  while (stack.length > 0) {
    const current = stack.pop()!
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name)
      if (entry.isDirectory()) stack.push(path)
      else if (entry.name.endsWith('.ts') && !entry.name.includes('.spec.')) {
        if (readFileSync(path, 'utf8').includes(env)) return true
      }
    }
  }
  return false
}

/** A platform variable that shared code really reads (Node's own ones aside). */
export function platformVariableIsRead(env: string): boolean {
  const dir = PLATFORM_ENV[env]
  return dir !== undefined && sourceMentions(dir, env)
}

/**
 * The service that serves a `*_GRPC_URL` client setting: the one whose GRPC_PORT default is the port
 * of that setting's default address.
 */
export function grpcOwner(
  configs: readonly ServiceConfig[],
  client: DeclaredSetting,
): ServiceConfig | undefined {
  const port = /:(\d+)$/.exec(String(client.default ?? ''))?.[1]
  const owners = configs.filter((config) => String(config.settings?.get('GRPC_PORT')?.default) === port)
  return owners.length === 1 ? owners[0] : undefined
}
