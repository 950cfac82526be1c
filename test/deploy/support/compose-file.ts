import { isRecord, type Json, list, parseYaml, readRepoFile, record, text } from './shapes.js'

export interface PortMapping {
  hostIp: string | undefined
  published: string | undefined
  target: string
}

export interface VolumeMount {
  source: string
  target: string
  readOnly: boolean
}

/** One service of docker-compose.yml, interpolated with the defaults it declares. */
export interface ComposeService {
  name: string
  raw: Json
  image: string | undefined
  build: { context: string; dockerfile: string; target: string | undefined } | undefined
  environment: ReadonlyMap<string, string>
  expose: string[]
  ports: PortMapping[]
  /** Service -> condition. */
  dependsOn: ReadonlyMap<string, string>
  volumes: VolumeMount[]
  command: string[]
  healthcheck: string[] | undefined
}

/**
 * Compose interpolation with an empty environment: `${VAR:-default}` and `${VAR-default}` give the
 * default, `${VAR}` gives the variable from `env` or an empty string, `$$` a dollar.
 */
export function interpolate(value: string, env: Readonly<Record<string, string | undefined>> = {}): string {
  return value.replace(
    /\$(?:(\$)|\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_]\w*))/g,
    (
      _match,
      dollar: string | undefined,
      braced: string | undefined,
      operator: string | undefined,
      operand: string | undefined,
      bare: string | undefined,
    ) => {
      if (dollar !== undefined) return '$'
      const name = braced ?? bare ?? ''
      const given = env[name]
      if (operator === ':-') return given === undefined || given === '' ? (operand ?? '') : given
      if (operator === '-') return given === undefined ? (operand ?? '') : given
      if (operator !== undefined && (given === undefined || given === '')) {
        throw new Error(`${name} is required: ${operand ?? ''}`)
      }
      return given ?? ''
    },
  )
}

function scalar(value: unknown, where: string): string {
  if (typeof value === 'string') return interpolate(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw new Error(`${where}: expected a scalar, got ${JSON.stringify(value)}`)
}

function environmentOf(value: unknown, where: string): Map<string, string> {
  const env = new Map<string, string>()
  if (value === undefined) return env
  if (Array.isArray(value)) {
    for (const entry of value) {
      const [key, ...rest] = text(entry, where).split('=')
      env.set(key!, interpolate(rest.join('=')))
    }
    return env
  }
  for (const [key, entry] of Object.entries(record(value, where))) {
    env.set(key, entry === null ? '' : scalar(entry, `${where}.${key}`))
  }
  return env
}

function portOf(value: unknown, where: string): PortMapping {
  if (isRecord(value)) {
    return {
      hostIp: value.host_ip === undefined ? undefined : scalar(value.host_ip, where),
      published: value.published === undefined ? undefined : scalar(value.published, where),
      target: scalar(value.target, where),
    }
  }
  const parts = scalar(value, where)
    .replace(/\/(tcp|udp)$/, '')
    .split(':')
  const target = parts.pop()!
  const published = parts.pop()
  const hostIp = parts.length > 0 ? parts.join(':') : undefined
  return { hostIp, published, target }
}

function volumeOf(value: unknown, where: string): VolumeMount {
  if (isRecord(value)) {
    return {
      source: scalar(value.source, where),
      target: scalar(value.target, where),
      readOnly: value.read_only === true,
    }
  }
  const [source = '', target = '', mode = ''] = scalar(value, where).split(':')
  return { source, target, readOnly: mode.split(',').includes('ro') }
}

function dependsOnOf(value: unknown, where: string): Map<string, string> {
  const dependsOn = new Map<string, string>()
  if (value === undefined) return dependsOn
  if (Array.isArray(value)) {
    for (const name of value) dependsOn.set(text(name, where), 'service_started')
    return dependsOn
  }
  for (const [name, entry] of Object.entries(record(value, where))) {
    dependsOn.set(name, text(record(entry, `${where}.${name}`).condition ?? 'service_started', where))
  }
  return dependsOn
}

function commandOf(value: unknown, where: string): string[] {
  if (value === undefined) return []
  if (typeof value === 'string') return interpolate(value).split(/\s+/)
  return list(value, where).map((part, i) => scalar(part, `${where}[${i}]`))
}

function serviceOf(name: string, raw: Json): ComposeService {
  const where = `services.${name}`
  const build = raw.build === undefined ? undefined : record(raw.build, `${where}.build`)
  const healthcheck =
    raw.healthcheck === undefined ? undefined : record(raw.healthcheck, `${where}.healthcheck`)
  return {
    name,
    raw,
    image: raw.image === undefined ? undefined : scalar(raw.image, `${where}.image`),
    build:
      build === undefined
        ? undefined
        : {
            context: scalar(build.context ?? '.', `${where}.build.context`),
            dockerfile: scalar(build.dockerfile ?? 'Dockerfile', `${where}.build.dockerfile`),
            target: build.target === undefined ? undefined : scalar(build.target, `${where}.build.target`),
          },
    environment: environmentOf(raw.environment, `${where}.environment`),
    expose: raw.expose === undefined ? [] : list(raw.expose, `${where}.expose`).map((p) => scalar(p, where)),
    ports: raw.ports === undefined ? [] : list(raw.ports, `${where}.ports`).map((p) => portOf(p, where)),
    dependsOn: dependsOnOf(raw.depends_on, `${where}.depends_on`),
    volumes:
      raw.volumes === undefined ? [] : list(raw.volumes, `${where}.volumes`).map((v) => volumeOf(v, where)),
    command: commandOf(raw.command, `${where}.command`),
    healthcheck:
      healthcheck === undefined ? undefined : commandOf(healthcheck.test, `${where}.healthcheck.test`),
  }
}

export interface ComposeFile {
  raw: Json
  services: ReadonlyMap<string, ComposeService>
  volumes: readonly string[]
}

/** docker-compose.yml at the repository root, parsed as Compose reads it. */
export function loadCompose(source = readRepoFile('docker-compose.yml')): ComposeFile {
  const raw = record(parseYaml(source), 'docker-compose.yml')
  const services = new Map<string, ComposeService>()
  for (const [name, service] of Object.entries(record(raw.services, 'services'))) {
    services.set(name, serviceOf(name, record(service, `services.${name}`)))
  }
  const volumes = raw.volumes === undefined ? [] : Object.keys(record(raw.volumes, 'volumes'))
  return { raw, services, volumes }
}

/** `host:port` of an address such as `bot-dispatch:50053` or `http://gateway:8080`. */
export function hostPort(address: string): { host: string; port: string } | undefined {
  const match = /^(?:[a-z]+:\/\/)?([^:/@]+):(\d+)\/?$/.exec(address)
  return match === null ? undefined : { host: match[1]!, port: match[2]! }
}
