import { readFile, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'

/** Where a CLI call is sent and as whom. */
export interface Connection {
  url: string
  token: string | undefined
  customer: string
  /** The profile the values not given by flags or env came from, if any. */
  profile: string | undefined
}

/** One named profile of the config file. */
export interface Profile {
  url?: string
  token?: string
  customer?: string
}

/**
 * The config file (`$XDG_CONFIG_HOME/taskforge/config.yaml`, else `~/.config/taskforge/config.yaml`):
 *
 * ```yaml
 * default_profile: local
 * profiles:
 *   local: { url: http://127.0.0.1:8080, customer: acme, token: ... }
 * ```
 */
export interface ConfigFile {
  default_profile?: string
  profiles?: Record<string, Profile>
}

export interface ConnectionFlags {
  url?: string
  token?: string
  customer?: string
  profile?: string
}

export const DEFAULT_URL = 'http://127.0.0.1:8080'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** The config file's path: `TASKFORGE_CONFIG`, else under `XDG_CONFIG_HOME`, else `~/.config`. */
export function configPath(env: Record<string, string | undefined>, home = homedir()): string {
  if (env.TASKFORGE_CONFIG) return env.TASKFORGE_CONFIG
  const base = env.XDG_CONFIG_HOME || join(env.HOME || home, '.config')
  return join(base, 'taskforge', 'config.yaml')
}

/** The config file's content; `{}` when there is none. Throws {@link ConfigError} when it cannot be read as one. */
export function parseConfigFile(text: string, path: string): ConfigFile {
  let value: unknown
  try {
    value = parse(text)
  } catch (error) {
    throw new ConfigError(`${path}: not YAML (${(error as Error).message.split('\n')[0]})`)
  }
  if (value === null || value === undefined) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${path}: not a mapping`)
  const file = value as Record<string, unknown>
  const profiles = file.profiles ?? {}
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles))
    throw new ConfigError(`${path}: profiles is not a mapping of names to profiles`)
  for (const [name, profile] of Object.entries(profiles)) {
    if (typeof profile !== 'object' || profile === null || Array.isArray(profile))
      throw new ConfigError(`${path}: profile ${name} is not a mapping`)
    for (const [key, setting] of Object.entries(profile))
      if (!['url', 'token', 'customer'].includes(key) || typeof setting !== 'string')
        throw new ConfigError(`${path}: profile ${name}: ${key} is not one of url, token, customer (strings)`)
  }
  if (file.default_profile !== undefined && typeof file.default_profile !== 'string')
    throw new ConfigError(`${path}: default_profile is not a string`)
  return file as ConfigFile
}

export async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new ConfigError(`${path}: ${(error as Error).message}`)
  }
  return parseConfigFile(text, path)
}

const given = (value: string | undefined) => (value === undefined || value === '' ? undefined : value)

/**
 * The connection a call uses, each setting from the first that has it: flags, then env
 * (`TASKFORGE_URL`, `TASKFORGE_TOKEN`, `TASKFORGE_CUSTOMER`), then the profile. The profile is
 * `--profile`, else `TASKFORGE_PROFILE`, else the file's `default_profile`, else one named
 * `default` if there is one. A profile asked for by name that the file lacks is an error.
 */
export function resolveConnection(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
  file: ConfigFile,
  path = 'config file',
): Connection {
  const profiles = file.profiles ?? {}
  const asked = given(flags.profile) ?? given(env.TASKFORGE_PROFILE) ?? given(file.default_profile)
  if (asked !== undefined && !Object.hasOwn(profiles, asked))
    throw new ConfigError(
      `no profile ${asked} in ${path}${Object.keys(profiles).length ? ` (it has ${Object.keys(profiles).join(', ')})` : ''}`,
    )
  const name = asked ?? (Object.hasOwn(profiles, 'default') ? 'default' : undefined)
  const profile: Profile = name === undefined ? {} : (profiles[name] ?? {})
  return {
    url: (given(flags.url) ?? given(env.TASKFORGE_URL) ?? given(profile.url) ?? DEFAULT_URL).replace(
      /\/+$/,
      '',
    ),
    token: given(flags.token) ?? given(env.TASKFORGE_TOKEN) ?? given(profile.token),
    customer: given(flags.customer) ?? given(env.TASKFORGE_CUSTOMER) ?? given(profile.customer) ?? '',
    profile: name,
  }
}

/**
 * A warning when the config file holds a token that other users of the machine may read (its mode
 * lets group or others read it), else undefined.
 */
export async function exposedTokenWarning(path: string, file: ConfigFile): Promise<string | undefined> {
  if (!Object.values(file.profiles ?? {}).some((profile) => profile.token)) return undefined
  const mode = await stat(path).then(
    (info) => info.mode,
    () => 0,
  )
  if ((mode & 0o077) === 0) return undefined
  return `${path} holds a token and other users may read it: chmod 600 ${path}`
}
