import { existsSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type Dockerfile,
  effectiveInstruction,
  envOf,
  execForm,
  exposedPorts,
  lineage,
  parseDockerfile,
  type Stage,
  stageNamed,
} from './support/dockerfile.js'
import { dockerignoreRules, isIgnored } from './support/dockerignore.js'
import { accepts, loadServiceConfigs, type ServiceConfig, serviceNames } from './support/service-settings.js'
import { readRepoFile, repoPath } from './support/shapes.js'

// deploy/docker/Dockerfile and .dockerignore, checked against the services' declared settings and
// the workspace. No Docker engine is needed: the file is parsed.

const PORT_SETTINGS = ['GATEWAY_PORT', 'GRPC_PORT', 'HEALTH_PORT']
const dockerfile: Dockerfile = parseDockerfile()
const build = stageNamed(dockerfile, 'build')
const rules = dockerignoreRules()
let configs: ServiceConfig[] = []

function programStage(name: string): Stage {
  const stage = stageNamed(dockerfile, name)
  if (stage === undefined) throw new Error(`the Dockerfile has no stage ${name}`)
  return stage
}

function runs(stage: Stage, keyword: string): string[] | undefined {
  const instruction = effectiveInstruction(dockerfile, stage, keyword)
  return instruction === undefined ? undefined : execForm(instruction.args)
}

beforeAll(async () => {
  configs = await loadServiceConfigs()
}, 120_000)

describe('deploy/docker/Dockerfile', () => {
  it('builds on the slim Node 20 image, with the pnpm the workspace pins', () => {
    expect(dockerfile.globalArgs.map((arg) => arg.args)).toContain('NODE_IMAGE=node:20-bookworm-slim')
    expect(build?.from).toMatch(/^\$\{NODE_IMAGE\}$/)
    expect(programStage('runtime').from).toMatch(/^\$\{NODE_IMAGE\}$/)
    const packageManager = JSON.parse(readRepoFile('package.json')).packageManager as string
    const pinned = build?.instructions.find((i) => i.keyword === 'ARG' && i.args.startsWith('PNPM_VERSION='))
    expect(`pnpm@${pinned?.args.split('=')[1]}`).toBe(packageManager)
  })

  it('installs from the lockfile, generates the protobuf code, builds, then deploys each program alone', () => {
    const runsInBuild = build!.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args)
    const script = runsInBuild.join('\n')
    expect(script).toContain('pnpm install --frozen-lockfile')
    expect(script).toContain('node proto/scripts/generate.mjs')
    expect(script).toContain('pnpm --recursive run build')
    expect(script).toMatch(/--prod deploy/)
    const deployed = /for program in ([\w\s-]+?); do/.exec(script)?.[1]?.trim().split(/\s+/)
    expect(deployed?.sort()).toEqual([...serviceNames(), 'nats-operator'].sort())
    // deploy links each program to its workspace directory: the image must not keep a dangling link.
    expect(script, 'a check for dangling links').toMatch(/find "\$\{out\}" -xtype l/)
  })

  it('has a stage per program that copies its deployed tree over the unprivileged runtime', () => {
    for (const name of serviceNames()) {
      const stage = programStage(name)
      expect(
        lineage(dockerfile, stage).map((ancestor) => ancestor.name),
        name,
      ).toContain('runtime')
      expect(stage.instructions, name).toContainEqual({
        keyword: 'COPY',
        args: `--from=build /out/${name} /app`,
      })
      expect(effectiveInstruction(dockerfile, stage, 'USER')?.args, name).toBe('node')
      expect(envOf(dockerfile, stage).get('NODE_ENV'), name).toBe('production')
    }
  })

  it('has a nats-auth-init stage running the nats-operator package’s program into the auth directory', () => {
    const stage = programStage('nats-auth-init')
    expect(stage.from).toBe('runtime')
    expect(stage.instructions).toContainEqual({
      keyword: 'COPY',
      args: '--from=build /out/nats-operator /app',
    })
    expect(runs(stage, 'ENTRYPOINT')).toEqual(['node', 'dist/main.js'])
    const packageJson = JSON.parse(readRepoFile('packages/nats-operator/package.json')) as { name: string }
    expect(packageJson.name).toBe('@taskforge/nats-operator')
    expect(existsSync(repoPath('packages/nats-operator/src/main.ts'))).toBe(true)
    const [dir] = runs(stage, 'CMD') ?? []
    // A directory the unprivileged user owns, so that a new volume mounted there is writable.
    const created = effectiveInstruction(dockerfile, programStage('runtime'), 'RUN')?.args ?? ''
    expect(created).toMatch(/install -d -o node -g node/)
    expect(created.split(/\s+/)).toContain(dir)
  })

  it('runs dist/main.js with node: the services as they are, the bot with its flags', () => {
    for (const name of serviceNames().filter((n) => n !== 'bot')) {
      expect(runs(programStage(name), 'CMD'), name).toEqual(['node', 'dist/main.js'])
      expect(effectiveInstruction(dockerfile, programStage(name), 'ENTRYPOINT'), name).toBeUndefined()
    }
    const bot = programStage('bot')
    expect(runs(bot, 'ENTRYPOINT')?.slice(-2)).toEqual(['node', 'dist/main.js'])
    expect(runs(bot, 'CMD')).toEqual([
      '--credentials',
      '/var/lib/taskforge/credentials/bot.json',
      '--work-dir',
      '/var/lib/taskforge/bot',
    ])
  })

  it('sets only variables a service declares, defaulting its ports to the code defaults', () => {
    for (const config of configs.filter((c) => c.settings !== undefined)) {
      const env = envOf(dockerfile, programStage(config.name))
      for (const name of env.keys()) expect(accepts(config, name), `${config.name}: ${name}`).toBe(true)
      const ports = PORT_SETTINGS.filter((name) => config.settings!.has(name))
      for (const name of ports) {
        expect(env.get(name), `${config.name}: ${name}`).toBe(String(config.settings!.get(name)!.default))
      }
      expect(exposedPorts(dockerfile, programStage(config.name)).sort(), config.name).toEqual(
        ports.map((name) => String(config.settings!.get(name)!.default)).sort(),
      )
    }
    expect(envOf(dockerfile, programStage('gateway')).get('GATEWAY_HOST')).toBe('0.0.0.0')
  })

  it('binds every listener of a service image to every interface (the code defaults to loopback)', () => {
    for (const config of configs.filter((c) => c.settings !== undefined)) {
      const env = envOf(dockerfile, programStage(config.name))
      for (const name of ['GRPC_HOST', 'HEALTH_HOST'].filter((n) => config.settings!.has(n))) {
        expect(config.settings!.get(name)!.default, `${config.name}: ${name}`).toBe('127.0.0.1')
        expect(env.get(name), `${config.name}: ${name}`).toBe('0.0.0.0')
      }
    }
  })

  it('checks the health of every program with a health port on its /healthz, with node', () => {
    for (const config of configs) {
      const stage = programStage(config.name)
      const healthcheck = effectiveInstruction(dockerfile, stage, 'HEALTHCHECK')
      if (config.settings?.has('HEALTH_PORT') !== true) {
        expect(healthcheck, config.name).toBeUndefined()
        continue
      }
      expect(healthcheck, config.name).toBeDefined()
      expect(execForm(healthcheck!.args), config.name).toEqual([
        'node',
        '/usr/local/lib/taskforge/healthcheck.mjs',
        '/healthz',
      ])
      expect(envOf(dockerfile, stage).has('HEALTH_PORT'), config.name).toBe(true)
    }
  })

  it('copies into the images only files the build context holds', () => {
    const sources = dockerfile.stages
      .flatMap((stage) => stage.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
      .filter((source) => source !== '.')
    expect(sources.length).toBeGreaterThan(0)
    for (const source of sources) {
      expect(existsSync(repoPath(source)), source).toBe(true)
      expect(isIgnored(rules, source), source).toBe(false)
    }
  })
})

describe('.dockerignore', () => {
  it('keeps the sources, manifests and build scripts in the context', () => {
    const needed = [
      'package.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      '.npmrc',
      'tsconfig.base.json',
      'proto/package.json',
      'proto/buf.yaml',
      'proto/buf.gen.yaml',
      'proto/scripts/generate.mjs',
      'proto/taskforge',
      'deploy/docker/healthcheck.mjs',
      'deploy/docker/bootstrap.mjs',
      ...serviceNames().flatMap((name) => [
        `services/${name}/package.json`,
        `services/${name}/tsconfig.build.json`,
        `services/${name}/src/main.ts`,
      ]),
      'packages/core/src/index.ts',
      'packages/core/tsconfig.build.json',
      'packages/nats-operator/src/main.ts',
      'packages/nats-operator/package.json',
    ]
    for (const path of needed) {
      expect(existsSync(repoPath(path)), path).toBe(true)
      expect(isIgnored(rules, path), path).toBe(false)
    }
  })

  it('leaves out installed and built files, and every .gitignore that would make deploy drop dist/', () => {
    const left = [
      'node_modules',
      'services/gateway/node_modules',
      'packages/core/dist',
      'proto/src/gen',
      '.git',
      '.data',
      '.gitignore',
      'services/gateway/.gitignore',
      'services/gateway/src/main.unit.spec.ts',
    ]
    for (const path of left) expect(isIgnored(rules, path), path).toBe(true)
    expect(readRepoFile('.gitignore')).toMatch(/^dist\/?$/m)
  })
})
