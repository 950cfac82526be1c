import { posix } from 'node:path'
import { grpcAuthFile, natsAuthFiles } from '@taskforge/nats-operator'
import { beforeAll, describe, expect, it } from 'vitest'
import { type ComposeService, hostPort, loadCompose } from './support/compose-file.js'
import { effectiveInstruction, execForm, parseDockerfile, stageNamed } from './support/dockerfile.js'
import { composeNatsAuth, mountHolding, natsIncludes } from './support/nats-auth-layout.js'
import {
  accepts,
  effective,
  grpcOwner,
  loadServiceConfigs,
  PLATFORM_ENV,
  platformVariableIsRead,
  type ServiceConfig,
  serviceNames,
} from './support/service-settings.js'
import { readRepoFile } from './support/shapes.js'

function commandOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/\s+/) : []
}

// docker-compose.yml checked against what the code really reads: the settings each service's
// main.ts declares, the Dockerfile's stages and the scripts compose runs.

const DOCKERFILE = 'deploy/docker/Dockerfile'
const HEALTHCHECK = ['CMD', 'node', '/usr/local/lib/taskforge/healthcheck.mjs', '/readyz']
const PORT_SETTINGS = ['GRPC_PORT', 'HEALTH_PORT', 'GATEWAY_PORT']

const compose = loadCompose()
const dockerfile = parseDockerfile()
let configs: ServiceConfig[] = []

function serviceFor(name: string): ComposeService {
  const service = compose.services.get(name)
  if (service === undefined) throw new Error(`docker-compose.yml has no service ${name}`)
  return service
}

function envOf(name: string, key: string): string | undefined {
  return serviceFor(name).environment.get(key)
}

function configured(): ServiceConfig[] {
  return configs.filter((config) => config.settings !== undefined)
}

beforeAll(async () => {
  configs = await loadServiceConfigs()
}, 120_000)

describe('docker-compose.yml', () => {
  it('builds every service and the bot from the Dockerfile, each with its own target', () => {
    for (const name of serviceNames()) {
      expect(serviceFor(name).build, name).toEqual({ context: '.', dockerfile: DOCKERFILE, target: name })
    }
  })

  it('finds a Dockerfile stage for every target it builds', () => {
    const targets = [...compose.services.values()].flatMap((service) =>
      service.build?.target === undefined ? [] : [service.build.target],
    )
    expect(targets.length).toBeGreaterThan(serviceNames().length - 1)
    for (const target of targets) expect(stageNamed(dockerfile, target), target).toBeDefined()
  })

  it('declares settings for every service but the bot, which takes flags and a credentials file', () => {
    expect(configs.map((config) => config.name).sort()).toEqual(serviceNames())
    for (const config of configs) {
      if (config.name !== 'bot') expect(config.settings, config.name).toBeDefined()
    }
  })

  it('sets every variable a service requires', () => {
    const missing = configured().flatMap((config) =>
      [...config.settings!.values()]
        .filter((setting) => setting.required && !envOf(config.name, setting.env))
        .map((setting) => `${config.name}: ${setting.env}`),
    )
    expect(missing).toEqual([])
  })

  it('sets only variables the services declare (or the shared packages read)', () => {
    const unknown = configs.flatMap((config) =>
      [...serviceFor(config.name).environment.keys()]
        .filter((env) => !accepts(config, env))
        .map((env) => `${config.name}: ${env}`),
    )
    expect(unknown).toEqual([])
  })

  it('uses platform variables only where the shared packages really read them', () => {
    const used = new Set(configs.flatMap((config) => [...serviceFor(config.name).environment.keys()]))
    for (const env of used) {
      if (configs.some((config) => config.settings?.has(env))) continue
      expect(platformVariableIsRead(env), `${env} in ${PLATFORM_ENV[env]}`).toBe(true)
    }
  })

  it('exposes the ports each service listens on, and publishes only the gateway, on 8080', () => {
    for (const config of configured()) {
      const service = serviceFor(config.name)
      const listening = PORT_SETTINGS.filter((env) => config.settings!.has(env)).map((env) =>
        effective(config, env, service.environment.get(env)),
      )
      expect([...service.expose].sort(), config.name).toEqual([...listening].sort())
      if (config.name === 'gateway') {
        const port = effective(config, 'GATEWAY_PORT', service.environment.get('GATEWAY_PORT'))
        expect(service.ports).toEqual([{ hostIp: '127.0.0.1', published: '8080', target: port }])
      } else {
        expect(service.ports, config.name).toEqual([])
      }
    }
    for (const service of compose.services.values()) {
      if (service.name !== 'gateway') expect(service.ports, service.name).toEqual([])
    }
  })

  it('points every *_GRPC_URL at the compose service that serves it, on its GRPC_PORT', () => {
    let clients = 0
    for (const config of configured()) {
      for (const setting of config.settings!.values()) {
        if (!setting.env.endsWith('_GRPC_URL')) continue
        clients += 1
        const owner = grpcOwner(configs, setting)
        expect(owner, `the server behind ${config.name} ${setting.env}`).toBeDefined()
        const value = envOf(config.name, setting.env)
        expect(value, `${config.name} ${setting.env}`).toBeDefined()
        expect(hostPort(value!), `${config.name} ${setting.env}`).toEqual({
          host: owner!.name,
          port: effective(owner!, 'GRPC_PORT', envOf(owner!.name, 'GRPC_PORT')),
        })
      }
    }
    expect(clients).toBeGreaterThanOrEqual(3)
  })

  it('gives each service its own database, created by the Postgres init script', () => {
    const postgres = serviceFor('postgres')
    expect(postgres.image).toMatch(/^postgres:16/)
    expect(postgres.volumes).toContainEqual({
      source: './deploy/docker/postgres-init',
      target: '/docker-entrypoint-initdb.d',
      readOnly: true,
    })
    const created = [
      ...readRepoFile('deploy/docker/postgres-init/01-databases.sql').matchAll(/CREATE DATABASE\s+(\w+)/gi),
    ].map((match) => match[1])
    const used: string[] = []
    for (const config of configured().filter((c) => c.settings!.has('DATABASE_URL'))) {
      const url = new URL(envOf(config.name, 'DATABASE_URL') ?? '')
      expect(url.protocol, config.name).toBe('postgres:')
      expect(`${url.hostname}:${url.port}`, config.name).toBe('postgres:5432')
      expect(url.username, config.name).toBe(postgres.environment.get('POSTGRES_USER'))
      expect(url.password, config.name).toBe(postgres.environment.get('POSTGRES_PASSWORD'))
      used.push(url.pathname.slice(1))
    }
    expect(used.length).toBeGreaterThanOrEqual(5)
    expect(new Set(used).size).toBe(used.length)
    for (const database of used) expect(created).toContain(database)
  })

  it('connects the services to a JetStream-enabled NATS whose health is checked on its monitoring port', () => {
    const nats = serviceFor('nats')
    expect(nats.image).toMatch(/^nats:2\.10/)
    const args = [...nats.command]
    const config = readRepoFile(composeNatsAuth(compose).configSource)
    expect(config).toMatch(/^\s*jetstream\s*[:=]?\s*(enabled|true|\{)/m)
    const store = args.map((arg) => /^--store_dir[= ](.+)$/.exec(arg)?.[1]).find(Boolean)
    expect(nats.volumes.some((volume) => volume.target === store && !volume.readOnly)).toBe(true)
    const monitor = args.map((arg) => /^--http_port[= ](\d+)$/.exec(arg)?.[1]).find(Boolean)
    expect(monitor).toBeDefined()
    expect(nats.healthcheck?.join(' ')).toContain(`http://127.0.0.1:${monitor}/healthz`)
    expect(args.some((arg) => /^(--port|-p)\b/.test(arg))).toBe(false)
    for (const config of configured().filter((c) => c.settings!.has('NATS_URL'))) {
      expect(hostPort(envOf(config.name, 'NATS_URL') ?? ''), config.name).toEqual({
        host: 'nats',
        port: '4222',
      })
    }
  })

  it('waits on each service through its /readyz, checked by the script the image ships', () => {
    expect(readRepoFile(DOCKERFILE)).toContain(
      'COPY deploy/docker/healthcheck.mjs /usr/local/lib/taskforge/healthcheck.mjs',
    )
    for (const config of configured().filter((c) => c.settings!.has('HEALTH_PORT'))) {
      expect(serviceFor(config.name).healthcheck, config.name).toEqual(HEALTHCHECK)
    }
  })

  it('starts a service only once what it needs is healthy (or, for bootstrap, done)', () => {
    for (const config of configured()) {
      const dependsOn = serviceFor(config.name).dependsOn
      if (config.settings!.has('DATABASE_URL'))
        expect(dependsOn.get('postgres'), config.name).toBe('service_healthy')
      if (config.settings!.has('NATS_URL')) expect(dependsOn.get('nats'), config.name).toBe('service_healthy')
    }
    for (const service of compose.services.values()) {
      for (const [dependency, condition] of service.dependsOn) {
        const target = serviceFor(dependency)
        const expected = target.raw.restart === 'no' ? 'service_completed_successfully' : 'service_healthy'
        if (expected === 'service_healthy') expect(target.healthcheck, dependency).toBeDefined()
        expect(condition, `${service.name} -> ${dependency}`).toBe(expected)
      }
    }
    for (const backend of ['task-catalog', 'job-scheduler', 'bot-dispatch']) {
      expect(serviceFor('gateway').dependsOn.get(backend)).toBe('service_healthy')
    }
    expect(serviceFor('bot').dependsOn.get('bootstrap')).toBe('service_completed_successfully')
  })

  it('lets the gateway listen beyond its container, with the root token bootstrap uses', () => {
    expect(envOf('gateway', 'GATEWAY_HOST')).toBe('0.0.0.0')
    expect(envOf('gateway', 'ROOT_TOKEN')).toBeTruthy()
    expect(envOf('bootstrap', 'ROOT_TOKEN')).toBe(envOf('gateway', 'ROOT_TOKEN'))
    expect(serviceFor('gateway').raw.environment).toMatchObject({
      ROOT_TOKEN: expect.stringMatching(/^\$\{ROOT_TOKEN:-.+\}$/),
    })
    const gatewayPort = effective(
      configs.find((c) => c.name === 'gateway')!,
      'GATEWAY_PORT',
      envOf('gateway', 'GATEWAY_PORT'),
    )
    expect(hostPort(envOf('bootstrap', 'GATEWAY_URL') ?? '')).toEqual({ host: 'gateway', port: gatewayPort })
  })

  it('passes the credentials bootstrap registers to the bot through a shared volume', () => {
    const bootstrap = serviceFor('bootstrap')
    const bot = serviceFor('bot')
    const file = bootstrap.environment.get('BOT_CREDENTIALS_FILE') ?? ''
    const written = bootstrap.volumes.find((volume) => file.startsWith(`${volume.target}/`))
    expect(written, `a volume holding ${file}`).toBeDefined()
    expect(compose.volumes).toContain(written!.source)
    const read = bot.volumes.find((volume) => volume.source === written!.source)
    expect(read).toMatchObject({ readOnly: true })
    const credentials = bot.command[bot.command.indexOf('--credentials') + 1]
    expect(credentials).toBe(`${read!.target}${file.slice(written!.target.length)}`)
    const workDir = bot.command[bot.command.indexOf('--work-dir') + 1]
    expect(bot.volumes.some((volume) => volume.target === workDir && !volume.readOnly)).toBe(true)
    expect(bootstrap.raw.restart).toBe('no')
  })

  it('gives bootstrap only variables its script reads', () => {
    const script = readRepoFile('deploy/docker/bootstrap.mjs')
    const read = new Set([...script.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]))
    expect([...serviceFor('bootstrap').environment.keys()].filter((env) => !read.has(env))).toEqual([])
    expect(read.has('ROOT_TOKEN')).toBe(true)
  })

  it('generates the NATS authentication once per start, before the server and the services', () => {
    const auth = composeNatsAuth(compose)
    expect(auth.init.build).toEqual({ context: '.', dockerfile: DOCKERFILE, target: 'nats-auth-init' })
    const stage = stageNamed(dockerfile, 'nats-auth-init')!
    expect(execForm(effectiveInstruction(dockerfile, stage, 'ENTRYPOINT')!.args)).toEqual([
      'node',
      'dist/main.js',
    ])
    expect(auth.init.raw.restart).toBe('no')
    expect(compose.volumes).toContain(auth.volume)
    expect(auth.nats.dependsOn.get('nats-auth-init')).toBe('service_completed_successfully')
    for (const config of configured().filter((c) => c.settings!.has('NATS_URL'))) {
      expect(serviceFor(config.name).dependsOn.get('nats-auth-init'), config.name).toBe(
        'service_completed_successfully',
      )
    }
  })

  it('runs nats-server with -c on a configuration that includes the generated auth, read-only', () => {
    const auth = composeNatsAuth(compose)
    expect(mountHolding(auth.nats.volumes, auth.authDir)?.readOnly).toBe(true)
    expect(mountHolding(auth.nats.volumes, auth.configPath)?.readOnly).toBe(true)
    const includes = natsIncludes(readRepoFile(auth.configSource)).map((file) =>
      posix.resolve(posix.dirname(auth.configPath), file),
    )
    expect(includes).toEqual([natsAuthFiles(auth.authDir).serverConfig])
  })

  it('gives every service its own .creds file in NATS_CREDS, from the generated auth mounted read-only', () => {
    const auth = composeNatsAuth(compose)
    const services = configured().filter((c) => c.settings!.has('NATS_URL'))
    expect(services.length).toBeGreaterThanOrEqual(5)
    for (const config of services) {
      const service = serviceFor(config.name)
      const creds = service.environment.get('NATS_CREDS') ?? ''
      const mount = mountHolding(service.volumes, creds)
      expect(mount, `${config.name}: a mount holding ${creds}`).toMatchObject({
        source: auth.volume,
        readOnly: true,
      })
      const onVolume = posix.join(auth.initDir, posix.relative(mount!.target, creds))
      expect(onVolume, config.name).toBe(
        posix.join(natsAuthFiles(auth.initDir).credentials, `${config.name}.creds`),
      )
    }
  })

  it('gives every service its own gRPC identity from the generated auth, mounted read-only', () => {
    const auth = composeNatsAuth(compose)
    const services = configured().filter((c) => c.settings!.has('GRPC_AUTH_FILE'))
    expect(services.map((c) => c.name).sort()).toEqual(serviceNames().filter((name) => name !== 'bot'))
    for (const config of services) {
      const service = serviceFor(config.name)
      const file = service.environment.get('GRPC_AUTH_FILE') ?? ''
      const mount = mountHolding(service.volumes, file)
      expect(mount, `${config.name}: a mount holding ${file}`).toMatchObject({
        source: auth.volume,
        readOnly: true,
      })
      expect(posix.join(auth.initDir, posix.relative(mount!.target, file)), config.name).toBe(
        grpcAuthFile(auth.initDir, config.name),
      )
    }
  })

  it('lets a bot reach NATS and nothing else of the platform', () => {
    const networksOf = (name: string): string[] => {
      const networks = serviceFor(name).raw.networks
      if (networks === undefined) return ['default']
      return Array.isArray(networks) ? networks.map(String) : Object.keys(networks as object)
    }
    const botNetworks = networksOf('bot')
    expect(botNetworks).not.toContain('default')
    const neighbours = [...compose.services.keys()].filter(
      (name) => name !== 'bot' && networksOf(name).some((network) => botNetworks.includes(network)),
    )
    expect(neighbours).toEqual(['nats'])
  })

  it('starts bot-dispatch with the generated NATS account and signing key, then the image’s command', () => {
    const auth = composeNatsAuth(compose)
    const service = serviceFor('bot-dispatch')
    const entrypoint = commandOf(service.raw.entrypoint)
    expect(entrypoint.slice(0, 2)).toEqual(['/bin/sh', '-c'])
    const script = entrypoint[2] ?? ''
    const sourced = /(?:^|&&|;)\s*\.\s+(\S+)/.exec(script)?.[1] ?? ''
    expect(script).toMatch(/^set -a\b/)
    const mount = mountHolding(service.volumes, sourced)
    expect(mount, `a mount holding ${sourced}`).toMatchObject({ source: auth.volume, readOnly: true })
    expect(posix.join(auth.initDir, posix.relative(mount!.target, sourced))).toBe(
      natsAuthFiles(auth.initDir).botIssuerEnv,
    )
    const cmd = execForm(
      effectiveInstruction(dockerfile, stageNamed(dockerfile, 'bot-dispatch')!, 'CMD')!.args,
    )
    expect(script.endsWith(`exec ${cmd.join(' ')}`)).toBe(true)
    const config = configs.find((c) => c.name === 'bot-dispatch')!
    for (const env of ['NATS_ACCOUNT', 'NATS_ACCOUNT_SIGNING_SEED'])
      expect(config.settings?.has(env), env).toBe(true)
  })
})
