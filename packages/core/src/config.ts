import { type Duration, toMillis } from './duration.js'

/**
 * Configuration comes from environment variables only. Each service declares the variables it
 * reads with a default and a description, so the full list can be printed and documented.
 */
export interface Setting<T> {
  readonly env: string
  readonly description: string
  readonly default: T | undefined
  /** What the raw value must look like (durations are milliseconds once parsed). */
  readonly kind: SettingKind
  parse(raw: string): T
}

/** The kinds of value a setting reads; `list` is comma separated. */
export type SettingKind = 'string' | 'integer' | 'boolean' | 'duration' | 'list'

type Settings = Record<string, Setting<unknown>>
export type ConfigOf<S extends Settings> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never }

export class ConfigError extends Error {
  override name = 'ConfigError'
}

function setting<T>(
  env: string,
  description: string,
  def: T | undefined,
  kind: SettingKind,
  parse: (raw: string) => T,
): Setting<T> {
  return { env, description, default: def, kind, parse }
}

export const str = (env: string, description: string, def?: string) =>
  setting(env, description, def, 'string', (raw) => raw)
export const int = (env: string, description: string, def?: number) =>
  setting(env, description, def, 'integer', (raw) => {
    const value = Number(raw)
    if (!Number.isInteger(value))
      throw new ConfigError(`${env} must be an integer, got ${JSON.stringify(raw)}`)
    return value
  })
export const bool = (env: string, description: string, def?: boolean) =>
  setting(env, description, def, 'boolean', (raw) => {
    if (/^(1|true|yes|on)$/i.test(raw)) return true
    if (/^(0|false|no|off)$/i.test(raw)) return false
    throw new ConfigError(`${env} must be true or false, got ${JSON.stringify(raw)}`)
  })
export const duration = (env: string, description: string, def?: Duration) =>
  setting(env, description, def === undefined ? undefined : toMillis(def), 'duration', (raw) => {
    try {
      return toMillis(raw)
    } catch {
      throw new ConfigError(`${env} must be a duration such as 30s or 500ms, got ${JSON.stringify(raw)}`)
    }
  })
export const list = (env: string, description: string, def?: string[]) =>
  setting(env, description, def, 'list', (raw) =>
    raw
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )

/** Reads every setting from `env`; a missing setting without default or a malformed value throws. */
export function loadConfig<S extends Settings>(
  settings: S,
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<S> {
  const out: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [key, s] of Object.entries(settings)) {
    const raw = env[s.env]
    if (raw === undefined || raw === '') {
      if (s.default === undefined) problems.push(`${s.env} is required: ${s.description}`)
      out[key] = s.default
      continue
    }
    try {
      out[key] = s.parse(raw)
    } catch (error) {
      problems.push((error as Error).message)
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`)
  return out as ConfigOf<S>
}
