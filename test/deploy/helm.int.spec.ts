import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { grpcAuthSecretKey, natsAuthFiles, natsAuthSecretNames } from '@taskforge/nats-operator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCompose } from './support/compose-file.js'
import {
  aliasReferences,
  CHART_DIR,
  chartValues,
  defineBody,
  envNames,
  findHelm,
  helmTemplate,
  helmTemplateError,
  serviceValueReads,
  templateFiles,
  valuesReferences,
} from './support/helm-chart.js'
import { describeErrors, loadAjv } from './support/json-schema.js'
import { natsConfigArg, natsIncludes } from './support/nats-auth-layout.js'
import {
  accepts,
  grpcOwner,
  loadServiceConfigs,
  platformVariableIsRead,
  type ServiceConfig,
  serviceNames,
} from './support/service-settings.js'
import { camelCase, type Json, list, lookupPath, parseYaml, record, text } from './support/shapes.js'

// The Helm chart, checked structurally against values.yaml and the services' declared settings
// (helm is not needed), and, where a helm binary is found (HELM_BIN or PATH), rendered.

const templates = templateFiles()
const allTemplates = templates.map((file) => file.source).join('\n')
const values = chartValues()
const schema: unknown = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'))
const Ajv = loadAjv()
const helm = findHelm()
let configs: ServiceConfig[] = []

const services = () => serviceNames().filter((name) => name !== 'bot')

function configOf(name: string): ServiceConfig {
  const config = configs.find((c) => c.name === name)
  if (config === undefined) throw new Error(`no service ${name}`)
  return config
}

function define(name: string): string {
  const body = defineBody(allTemplates, name)
  if (body === undefined) throw new Error(`no define "${name}" in the chart`)
  return body
}

function template(name: string): string {
  const file = templates.find((t) => t.name === name)
  if (file === undefined) throw new Error(`no template ${name}`)
  return file.source
}

function serviceValues(name: string): Json {
  return record(lookupPath(values, [camelCase(name)]).value, `values.${camelCase(name)}`)
}

/** Every variable a service's Deployment sets, from the shared workload and its own env define. */
function chartEnv(name: string): string[] {
  const own = defineBody(allTemplates, `taskforge.${camelCase(name)}.env`) ?? ''
  return [
    ...envNames(define('taskforge.deployment')),
    ...envNames(define('taskforge.telemetryEnv')),
    ...envNames(own),
  ]
}

beforeAll(async () => {
  configs = await loadServiceConfigs()
}, 120_000)

describe('deploy/helm/taskforge', () => {
  describe.skipIf(Ajv === undefined)('values.schema.json (ajv, through the gateway’s fastify)', () => {
    const ajv =
      Ajv === undefined ? undefined : new Ajv({ strict: true, allErrors: true, allowUnionTypes: true })

    it('is a valid JSON Schema that accepts values.yaml', () => {
      expect(ajv!.validateSchema(schema), describeErrors(ajv!.errors)).toBe(true)
      const validate = ajv!.compile(schema)
      expect(validate(values), describeErrors(validate.errors)).toBe(true)
    })

    it('rejects a misspelt key, a negative replica count and an impossible stream replication', () => {
      const validate = ajv!.compile(schema)
      const variants: [string, (copy: Json) => void][] = [
        ['gateway.replicas', (copy) => Object.assign(record(copy.gateway, 'gateway'), { replicas: 2 })],
        [
          'taskCatalog.replicaCount',
          (copy) => Object.assign(record(copy.taskCatalog, 'taskCatalog'), { replicaCount: -1 }),
        ],
        ['nats.streamReplicas', (copy) => Object.assign(record(copy.nats, 'nats'), { streamReplicas: 6 })],
        [
          'nats.auth.secretName',
          (copy) => Object.assign(record(record(copy.nats, 'nats').auth, 'nats.auth'), { secretName: 'x' }),
        ],
        [
          'image.pullPolicy',
          (copy) => Object.assign(record(copy.image, 'image'), { pullPolicy: 'Sometimes' }),
        ],
      ]
      for (const [what, change] of variants) {
        const copy = record(structuredClone(values), 'values')
        change(copy)
        expect(validate(copy), what).toBe(false)
      }
    })
  })

  it('is a Helm 3 application chart with a version and an appVersion', () => {
    const chart = record(parseYaml(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')), 'Chart.yaml')
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'taskforge', type: 'application' })
    expect(text(chart.version, 'version')).toMatch(/^\d+\.\d+\.\d+/)
    expect(text(chart.appVersion, 'appVersion')).not.toBe('')
  })

  it('reads only values that values.yaml defines', () => {
    const missing: string[] = []
    for (const file of templates) {
      for (const path of valuesReferences(file.source)) {
        if (!lookupPath(values, path).found) missing.push(`${file.name}: .Values.${path.join('.')}`)
      }
      for (const { alias, base, path } of aliasReferences(file.source)) {
        if (!lookupPath(values, [...base, ...path]).found)
          missing.push(`${file.name}: ${alias}.${path.join('.')}`)
      }
    }
    for (const path of serviceValueReads(define('taskforge.deployment'))) {
      for (const name of services()) {
        if (!lookupPath(serviceValues(name), path).found)
          missing.push(`taskforge.deployment for ${name}: $svc.${path.join('.')}`)
      }
    }
    for (const [component, key] of Object.entries(
      record(parseYaml(define('taskforge.components')), 'components'),
    )) {
      if (!lookupPath(values, ['externalDatabase', 'urls', text(key, component)]).found) {
        missing.push(`externalDatabase.urls.${String(key)}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('has a Deployment for every service, probed on /healthz and /readyz at its health port', () => {
    const workload = define('taskforge.deployment')
    expect(workload).toMatch(/livenessProbe:\s+httpGet:\s+path: \/healthz\s+port: health/)
    expect(workload).toMatch(/readinessProbe:\s+httpGet:\s+path: \/readyz\s+port: health/)
    expect(workload).toMatch(/- name: health\s+containerPort: \{\{ \$svc\.healthPort \}\}/)
    expect(workload).toMatch(/- name: HEALTH_PORT\s+value: \{\{ \$svc\.healthPort \| quote \}\}/)
    for (const name of services()) {
      const source = template(`${name}.yaml`)
      expect(source, name).toContain(`$svc := .Values.${camelCase(name)}`)
      expect(source, name).toMatch(
        new RegExp(`include "taskforge\\.deployment" \\(dict "root" \\. "component" "${name}" "svc" \\$svc `),
      )
      expect(configOf(name).settings?.has('HEALTH_PORT'), name).toBe(true)
    }
  })

  it('gives each service only variables it declares, and every one it requires', () => {
    for (const name of services()) {
      const config = configOf(name)
      const env = chartEnv(name)
      expect(
        env.filter((variable) => !accepts(config, variable)),
        name,
      ).toEqual([])
      const required = [...config.settings!.values()].filter((s) => s.required).map((s) => s.env)
      expect(
        required.filter((variable) => !env.includes(variable)),
        name,
      ).toEqual([])
    }
    const bot = configOf('bot')
    const botEnv = [...envNames(template('bot.yaml')), ...envNames(define('taskforge.telemetryEnv'))]
    expect(botEnv.filter((variable) => !accepts(bot, variable))).toEqual([])
    const shared = [...new Set([...botEnv, ...services().flatMap(chartEnv)])].filter(
      (variable) => !configs.some((config) => config.settings?.has(variable)),
    )
    expect(shared.filter((variable) => !platformVariableIsRead(variable))).toEqual([])
  })

  it('connects every service to NATS with NATS_CREDS, its own key of the NATS auth Secret mounted alone', () => {
    const workload = define('taskforge.deployment')
    const dir = define('taskforge.natsCredentialsDir').trim()
    expect(workload).toMatch(
      /- name: NATS_CREDS\s+value: \{\{ printf "%s\/%s\.creds" \(include "taskforge\.natsCredentialsDir" \$root\) \.component \| quote \}\}/,
    )
    expect(workload).toMatch(
      /- name: nats-credentials\s+mountPath: \{\{ include "taskforge\.natsCredentialsDir" \$root \}\}\s+readOnly: true/,
    )
    expect(workload).toMatch(
      /- name: nats-credentials\s+secret:\s+secretName: \{\{ include "taskforge\.natsAuthSecretName" \$root \}\}\s+defaultMode: 0440\s+items:\s+- key: \{\{ \.component \}\}\.creds\s+path: \{\{ \.component \}\}\.creds\s*$/m,
    )
    // The path compose gives the services too.
    const compose = loadCompose()
    for (const name of services()) {
      expect(compose.services.get(name)?.environment.get('NATS_CREDS'), name).toBe(`${dir}/${name}.creds`)
      expect(chartEnv(name), name).toContain('NATS_CREDS')
    }
  })

  it('gives every service its gRPC identity, its own key of the NATS auth Secret mounted alone, where compose has it', () => {
    const workload = define('taskforge.deployment')
    const dir = define('taskforge.grpcAuthDir').trim()
    expect(workload).toMatch(
      /- name: GRPC_AUTH_FILE\s+value: \{\{ printf "%s\/%s\.json" \(include "taskforge\.grpcAuthDir" \$root\) \.component \| quote \}\}/,
    )
    expect(workload).toMatch(
      /- name: grpc-auth\s+mountPath: \{\{ include "taskforge\.grpcAuthDir" \$root \}\}\s+readOnly: true/,
    )
    expect(workload).toMatch(
      /- name: grpc-auth\s+secret:\s+secretName: \{\{ include "taskforge\.natsAuthSecretName" \$root \}\}\s+defaultMode: 0440\s+items:\s+- key: \{\{ \.component \}\}\.grpc-auth\.json\s+path: \{\{ \.component \}\}\.json\s*$/m,
    )
    expect(grpcAuthSecretKey('<component>')).toBe('<component>.grpc-auth.json')
    const compose = loadCompose()
    for (const name of services()) {
      expect(compose.services.get(name)?.environment.get('GRPC_AUTH_FILE'), name).toBe(`${dir}/${name}.json`)
      expect(chartEnv(name), name).toContain('GRPC_AUTH_FILE')
    }
  })

  it('admits to each gRPC server only the services its code takes calls from, which are those set to call it', () => {
    const callers = record(parseYaml(define('taskforge.grpcCallers')), 'grpcCallers')
    const servers = services().filter((name) => configOf(name).settings!.has('GRPC_PORT'))
    expect(Object.keys(callers).sort()).toEqual(servers)
    for (const server of servers) {
      const admitted = list(callers[server], server).map(String).sort()
      expect(admitted, server).toEqual([...(configOf(server).grpcCallers ?? [])].sort())
      const configured = services().filter((client) =>
        [...configOf(client).settings!.values()].some(
          (setting) => setting.env.endsWith('_GRPC_URL') && grpcOwner(configs, setting)?.name === server,
        ),
      )
      expect(admitted, server).toEqual(configured.sort())
    }
    const policies = template('networkpolicy.yaml')
    expect(policies).toContain('{{- $callers := fromYaml (include "taskforge.grpcCallers" .) -}}')
    expect(policies).toMatch(/\{\{- range \$component, \$from := \$callers \}\}[\s\S]+- port: grpc/)
  })

  it('closes every pod of the release to what its policies do not let in, and lets a bot send only to NATS', () => {
    const policies = template('networkpolicy.yaml')
    expect(policies).toMatch(/^\{\{- if \.Values\.networkPolicy\.enabled \}\}$/m)
    expect(lookupPath(values, ['networkPolicy', 'enabled']).value).toBe(true)
    expect(policies).toMatch(
      /name: \{\{ \$fullname \}\}-default-deny[\s\S]+?podSelector:\s+matchLabels:\s+app\.kubernetes\.io\/name: \{\{ include "taskforge\.name" \. \}\}\s+app\.kubernetes\.io\/instance: \{\{ \.Release\.Name \}\}\s+policyTypes: \[Ingress\]\n---/,
    )
    const bot = policies.slice(policies.indexOf('{{- $bot := dict "root" . "component" "bot" }}'))
    expect(bot).toContain('policyTypes: [Ingress, Egress]')
    expect(bot).not.toContain('ingress:')
    expect([...bot.matchAll(/- port: (\d+)/g)].map((match) => match[1])).toEqual(['53', '53', '4222'])
  })

  it('gives bot-dispatch the NATS account and signing key from the NATS auth Secret', () => {
    const own = define('taskforge.botDispatch.env')
    for (const env of ['NATS_ACCOUNT', 'NATS_ACCOUNT_SIGNING_SEED']) {
      expect(own).toMatch(
        new RegExp(
          `- name: ${env}\\s+valueFrom:\\s+secretKeyRef:\\s+name: \\{\\{ include "taskforge\\.natsAuthSecretName" \\. \\}\\}\\s+key: ${env}\\n`,
        ),
      )
      expect(configOf('bot-dispatch').settings?.has(env), env).toBe(true)
    }
  })

  it('writes the NATS auth Secret with a pre-install/pre-upgrade Job, under the name the chart reads', () => {
    const job = template('nats-auth-init.yaml')
    expect(job).toMatch(/^\{\{- if not \.Values\.nats\.auth\.existingSecret \}\}$/m)
    for (const kind of ['ServiceAccount', 'Role', 'RoleBinding', 'Job'])
      expect(job).toContain(`kind: ${kind}`)
    expect(job.match(/helm\.sh\/hook: pre-install,pre-upgrade/g)).toHaveLength(4)
    expect(job).toContain('args: ["--kubernetes-secrets", {{ $fullname | quote }}]')
    expect(job).toContain('{{- $fullname := include "taskforge.fullname" . -}}')
    expect(job).toContain('image: {{ include "taskforge.image" $names | quote }}')
    expect(job).toContain('{{- $names := dict "root" . "component" "nats-auth-init" -}}')
    expect(job).toMatch(
      /- name: NODE_EXTRA_CA_CERTS\s+value: \/var\/run\/secrets\/kubernetes\.io\/serviceaccount\/ca\.crt/,
    )
    // The names the program writes, for a release whose full name is `<fullname>`.
    const names = natsAuthSecretNames('<fullname>')
    const printed = (secret: string) => secret.replace('<fullname>', '%s')
    expect(define('taskforge.natsAuthSecretName')).toContain(
      `printf "${printed(names.auth)}" (include "taskforge.fullname" .)`,
    )
    for (const secret of Object.values(names)) {
      expect(job).toContain(`{{ printf "${printed(secret)}" $fullname | quote }}`)
    }
  })

  it('runs the bundled NATS with -c on the shared configuration, which includes the auth Secret’s file', () => {
    const source = template('nats.yaml')
    const args = list(parseYaml(/^\s*args: (\[.*\])$/m.exec(source)?.[1] ?? '[]'), 'args').map(String)
    const configPath = natsConfigArg(args) ?? ''
    expect(configPath).not.toBe('')
    expect(args).toContain('--store_dir=/data')
    expect(source).toContain('{{- $config := .Files.Get "files/nats.conf" -}}')
    expect(source).toMatch(/- name: config\s+mountPath: (\S+)\s+readOnly: true/)
    const configDir = /- name: config\s+mountPath: (\S+)/.exec(source)?.[1]
    expect(configDir).toBe(posix.dirname(configPath))
    const authDir = /- name: auth\s+mountPath: (\S+)\s+readOnly: true/.exec(source)?.[1] ?? ''
    expect(source).toMatch(
      /- name: auth\s+secret:\s+secretName: \{\{ include "taskforge\.natsAuthSecretName" \. \}\}\s+items:\s+- key: nats-server-auth\.conf\s+path: nats-server-auth\.conf/,
    )
    const config = readFileSync(join(CHART_DIR, 'files/nats.conf'), 'utf8')
    expect(config).toMatch(/^\s*jetstream\s*[:=]?\s*(enabled|true|\{)/m)
    expect(natsIncludes(config).map((file) => posix.resolve(posix.dirname(configPath), file))).toEqual([
      natsAuthFiles(authDir).serverConfig,
    ])
  })

  it('defaults each service’s ports to the ones its code defaults to', () => {
    const keys: [string, string][] = [
      ['HEALTH_PORT', 'healthPort'],
      ['GRPC_PORT', 'grpcPort'],
      ['GATEWAY_PORT', 'port'],
    ]
    for (const name of services()) {
      const settings = configOf(name).settings!
      const block = serviceValues(name)
      for (const [env, key] of keys) {
        if (settings.has(env)) expect(block[key], `${name}.${key}`).toBe(settings.get(env)!.default)
        else expect(block[key], `${name}.${key}`).toBeUndefined()
      }
    }
  })

  it('points every *_GRPC_URL at the Service of the component that serves it', () => {
    let clients = 0
    for (const name of services()) {
      const own = defineBody(allTemplates, `taskforge.${camelCase(name)}.env`) ?? ''
      for (const setting of configOf(name).settings!.values()) {
        if (!setting.env.endsWith('_GRPC_URL')) continue
        clients += 1
        const owner = grpcOwner(configs, setting)!
        const pattern = new RegExp(
          `- name: ${setting.env}\\s+value: \\{\\{ include "taskforge\\.grpcAddress" \\(dict "root" \\. "component" "${owner.name}" "port" \\.Values\\.${camelCase(owner.name)}\\.grpcPort\\) \\| quote \\}\\}`,
        )
        expect(own, `${name} ${setting.env}`).toMatch(pattern)
        expect(template(`${owner.name}.yaml`), owner.name).toContain(
          `include "taskforge.grpcService" (dict "root" . "component" "${owner.name}" "port" $svc.grpcPort)`,
        )
      }
    }
    expect(clients).toBeGreaterThanOrEqual(3)
  })

  it('names the services and their databases as compose does', () => {
    const components = record(parseYaml(define('taskforge.components')), 'components')
    expect(Object.keys(components).sort()).toEqual(services())
    for (const [component, key] of Object.entries(components)) expect(key).toBe(camelCase(component))
    const databases = record(parseYaml(define('taskforge.databases')), 'databases')
    const compose = loadCompose()
    for (const name of services()) {
      const url = compose.services.get(name)?.environment.get('DATABASE_URL') ?? ''
      expect(databases[name], name).toBe(new URL(url).pathname.slice(1))
    }
  })

  describe.skipIf(helm === undefined)('rendered by helm (HELM_BIN or helm on the PATH)', () => {
    let work = ''
    let credentialsFile = ''
    const credentials = { id: 'bot-1', name: 'local', customer: 'demo', nats_url: 'nats://nats.example:4222' }
    const external = () => [
      '--set',
      'postgresql.bundled=false',
      '--set',
      'externalDatabase.existingSecret=taskforge-databases',
      '--set',
      'nats.bundled=false',
      '--set',
      'nats.url=nats://nats.example:4222',
      '--set',
      'nats.auth.existingSecret=taskforge-nats',
      '--set',
      'rootToken.existingSecret=taskforge-root',
      '--set',
      'ingress.enabled=true',
      '--set',
      'bot.enabled=true',
      '--set-file',
      `bot.credentials.json=${credentialsFile}`,
    ]

    beforeAll(() => {
      work = mkdtempSync(join(tmpdir(), 'taskforge-helm-'))
      credentialsFile = join(work, 'bot.json')
      writeFileSync(credentialsFile, JSON.stringify(credentials))
    })

    afterAll(() => {
      rmSync(work, { recursive: true, force: true })
    })

    it('passes helm lint', () => {
      expect(() => execFileSync(helm!, ['lint', '--strict', CHART_DIR], { stdio: 'pipe' })).not.toThrow()
    })

    it('renders every service wired to the bundled Postgres and NATS by default', () => {
      const objects = new Rendered(helmTemplate(helm!, []))
      for (const name of services())
        objects.checkService(name, configs, {
          databaseSecret: 'tf-taskforge-database-urls',
          natsSecret: 'tf-taskforge-nats-auth',
        })
      const urls = objects.get('Secret', 'tf-taskforge-database-urls')
      const init = text(
        record(objects.get('ConfigMap', 'tf-taskforge-postgresql-init').data, 'data')['01-databases.sql'],
        'sql',
      )
      for (const name of services()) {
        const url = new URL(
          Buffer.from(text(record(urls.data, 'data')[name], name), 'base64').toString('utf8'),
        )
        expect(`${url.hostname}:${url.port}`).toBe('tf-taskforge-postgresql:5432')
        expect(init).toContain(`CREATE DATABASE ${url.pathname.slice(1)};`)
      }
      objects.servicePort('tf-taskforge-postgresql', 5432, 'postgresql')
      objects.servicePort('tf-taskforge-nats', 4222, 'nats')
      const nats = objects.container('StatefulSet', 'tf-taskforge-nats', 'nats')
      const configPath = natsConfigArg(list(nats.args, 'args').map(String)) ?? ''
      const config = text(
        record(objects.get('ConfigMap', 'tf-taskforge-nats-config').data, 'data')['nats.conf'],
        'conf',
      )
      expect(config).toBe(readFileSync(join(CHART_DIR, 'files/nats.conf'), 'utf8'))
      const mounts = list(nats.volumeMounts, 'volumeMounts').map((m) => record(m, 'mount'))
      expect(mounts.find((m) => m.name === 'config')?.mountPath).toBe(posix.dirname(configPath))
      const authDir = String(mounts.find((m) => m.name === 'auth')?.mountPath)
      expect(natsIncludes(config).map((file) => posix.resolve(posix.dirname(configPath), file))).toEqual([
        natsAuthFiles(authDir).serverConfig,
      ])
      const job = objects.get('Job', 'tf-taskforge-nats-auth-init')
      expect(record(job.metadata, 'metadata').annotations).toMatchObject({
        'helm.sh/hook': 'pre-install,pre-upgrade',
      })
      const authInit = objects.container('Job', 'tf-taskforge-nats-auth-init', 'nats-auth-init')
      expect(authInit.args).toEqual(['--kubernetes-secrets', 'tf-taskforge'])
      expect(natsAuthSecretNames('tf-taskforge').auth).toBe('tf-taskforge-nats-auth')
      expect(objects.kinds('Deployment')).toEqual(
        services()
          .map((name) => `tf-taskforge-${name}`)
          .sort(),
      )
      expect(objects.kinds('Ingress')).toEqual([])
    })

    it('renders external Postgres and NATS, the ingress and the bot from its credentials', () => {
      const objects = new Rendered(helmTemplate(helm!, external()))
      for (const name of services())
        objects.checkService(name, configs, {
          databaseSecret: 'taskforge-databases',
          natsSecret: 'taskforge-nats',
        })
      expect(objects.kinds('StatefulSet')).toEqual([])
      expect(objects.kinds('Job')).toEqual([])
      const gateway = objects.container('Deployment', 'tf-taskforge-gateway', 'gateway')
      expect(objects.envValue(gateway, 'NATS_URL')).toBe('nats://nats.example:4222')
      expect(record(objects.envFrom(gateway, 'ROOT_TOKEN'), 'ROOT_TOKEN').name).toBe('taskforge-root')
      const ingress = objects.get('Ingress', 'tf-taskforge-gateway')
      expect(JSON.stringify(ingress.spec)).toContain('"name":"tf-taskforge-gateway","port":{"number":80}')

      const bot = objects.container('Deployment', 'tf-taskforge-bot', 'bot')
      const args = list(bot.args, 'args').map(String)
      const file = args[args.indexOf('--credentials') + 1] ?? ''
      const mount = list(bot.volumeMounts, 'volumeMounts')
        .map((m) => record(m, 'mount'))
        .find((m) => file.startsWith(`${String(m.mountPath)}/`))
      expect(mount?.readOnly).toBe(true)
      const volume = objects
        .podVolumes('tf-taskforge-bot')
        .map((v) => record(v, 'volume'))
        .find((v) => v.name === mount?.name)
      const secret = record(volume?.secret, 'secret volume')
      const item = record(list(secret.items, 'items')[0], 'item')
      expect(`${String(mount?.mountPath)}/${String(item.path)}`).toBe(file)
      const stored = record(objects.get('Secret', text(secret.secretName, 'secretName')).data, 'data')[
        text(item.key, 'key')
      ]
      expect(JSON.parse(Buffer.from(text(stored, 'credentials'), 'base64').toString('utf8'))).toEqual(
        credentials,
      )
    })

    it('renders NetworkPolicies: the API open, each gRPC server to its callers, the data to the services, a bot to NATS', () => {
      const objects = new Rendered(
        helmTemplate(helm!, [
          '--set',
          'bot.enabled=true',
          '--set-file',
          `bot.credentials.json=${credentialsFile}`,
        ]),
      )
      const spec = (name: string) => record(objects.get('NetworkPolicy', name).spec, name)
      const rules = (name: string, key: 'ingress' | 'egress') =>
        list(spec(name)[key] ?? [], `${name}.${key}`).map((rule) => record(rule, 'rule'))
      const components = (rule: Json) =>
        list(rule.from, 'from')
          .map((peer) =>
            record(record(record(peer, 'peer').podSelector, 'podSelector').matchLabels, 'matchLabels'),
          )
          .map((labels) => {
            expect(labels['app.kubernetes.io/instance']).toBe('tf')
            return String(labels['app.kubernetes.io/component'])
          })
          .sort()

      const deny = spec('tf-taskforge-default-deny')
      expect(deny.podSelector).toEqual({
        matchLabels: { 'app.kubernetes.io/name': 'taskforge', 'app.kubernetes.io/instance': 'tf' },
      })
      expect(deny.policyTypes).toEqual(['Ingress'])
      expect(deny.ingress).toBeUndefined()
      expect(rules('tf-taskforge-gateway', 'ingress')).toEqual([
        { ports: [{ port: 'http', protocol: 'TCP' }] },
      ])

      const callers = record(parseYaml(define('taskforge.grpcCallers')), 'grpcCallers')
      for (const [server, from] of Object.entries(callers)) {
        const [rule, ...others] = rules(`tf-taskforge-${server}`, 'ingress')
        expect(others, server).toEqual([])
        expect(rule?.ports, server).toEqual([{ port: 'grpc', protocol: 'TCP' }])
        expect(components(rule!), server).toEqual(list(from, server).map(String).sort())
        const container = objects.container('Deployment', `tf-taskforge-${server}`, server)
        expect(
          list(container.ports, 'ports').map((p) => record(p, 'port').name),
          server,
        ).toContain('grpc')
      }
      const [nats] = rules('tf-taskforge-nats', 'ingress')
      expect(nats?.ports).toEqual([{ port: 'client', protocol: 'TCP' }])
      expect(components(nats!)).toEqual([...services(), 'bot'].sort())
      const [postgresql] = rules('tf-taskforge-postgresql', 'ingress')
      expect(postgresql?.ports).toEqual([{ port: 'postgresql', protocol: 'TCP' }])
      expect(components(postgresql!)).toEqual(services())

      const bot = spec('tf-taskforge-bot')
      expect(record(bot.podSelector, 'podSelector').matchLabels).toMatchObject({
        'app.kubernetes.io/component': 'bot',
      })
      expect(bot.policyTypes).toEqual(['Ingress', 'Egress'])
      expect(bot.ingress).toBeUndefined()
      expect(rules('tf-taskforge-bot', 'egress')).toEqual([
        {
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
        {
          ports: [{ port: 4222, protocol: 'TCP' }],
          to: [
            {
              podSelector: {
                matchLabels: {
                  'app.kubernetes.io/name': 'taskforge',
                  'app.kubernetes.io/instance': 'tf',
                  'app.kubernetes.io/component': 'nats',
                },
              },
            },
          ],
        },
      ])
      expect(
        new Rendered(helmTemplate(helm!, ['--set', 'networkPolicy.enabled=false'])).kinds('NetworkPolicy'),
      ).toEqual([])
    })

    it('refuses to render without what external Postgres, NATS or the bot need', () => {
      expect(helmTemplateError(helm!, ['--set', 'postgresql.bundled=false'])).toContain(
        'externalDatabase.urls',
      )
      expect(helmTemplateError(helm!, ['--set', 'nats.bundled=false'])).toContain('nats.url is required')
      expect(helmTemplateError(helm!, ['--set', 'bot.enabled=true'])).toContain('bot.credentials.json')
    })
  })
})

/** Rendered manifests, with the checks every service's objects must pass. */
class Rendered {
  readonly #objects: Json[]

  constructor(documents: unknown[]) {
    this.#objects = documents.map((document, i) => record(document, `document ${i}`))
  }

  kinds(kind: string): string[] {
    return this.#objects
      .filter((object) => object.kind === kind)
      .map((object) => text(record(object.metadata, 'metadata').name, 'name'))
      .sort()
  }

  get(kind: string, name: string): Json {
    const found = this.#objects.find(
      (object) => object.kind === kind && record(object.metadata, 'metadata').name === name,
    )
    if (found === undefined) throw new Error(`no ${kind} ${name} rendered`)
    return found
  }

  #podSpec(kind: string, name: string): Json {
    const spec = record(this.get(kind, name).spec, `${name}.spec`)
    return record(record(spec.template, `${name}.template`).spec, `${name}.template.spec`)
  }

  podVolumes(name: string): unknown[] {
    return list(this.#podSpec('Deployment', name).volumes, `${name}.volumes`)
  }

  container(kind: string, name: string, container: string): Json {
    const found = list(this.#podSpec(kind, name).containers, `${name}.containers`)
      .map((c) => record(c, 'container'))
      .find((c) => c.name === container)
    if (found === undefined) throw new Error(`${kind} ${name} has no container ${container}`)
    return found
  }

  #env(container: Json, name: string): Json | undefined {
    return list(container.env, 'env')
      .map((e) => record(e, 'env'))
      .find((e) => e.name === name)
  }

  envValue(container: Json, name: string): string | undefined {
    const entry = this.#env(container, name)
    return entry?.value === undefined ? undefined : text(entry.value, name)
  }

  envFrom(container: Json, name: string): unknown {
    const entry = this.#env(container, name)
    return entry?.valueFrom === undefined ? undefined : record(entry.valueFrom, name).secretKeyRef
  }

  /** A Service of that name with that port, selecting the pods of `component`. */
  servicePort(name: string, port: number, component: string): void {
    const spec = record(this.get('Service', name).spec, `${name}.spec`)
    expect(record(spec.selector, 'selector')['app.kubernetes.io/component'], name).toBe(component)
    expect(
      list(spec.ports, 'ports').map((p) => record(p, 'port').port),
      name,
    ).toContain(port)
  }

  checkService(
    name: string,
    configs: readonly ServiceConfig[],
    options: { databaseSecret: string; natsSecret: string },
  ): void {
    const config = configs.find((c) => c.name === name)!
    const deployment = `tf-taskforge-${name}`
    const container = this.container('Deployment', deployment, name)
    expect(text(container.image, 'image'), name).toMatch(new RegExp(`^taskforge/${name}:`))
    const env = list(container.env, 'env').map((e) => text(record(e, 'env').name, 'env name'))
    expect(
      env.filter((variable) => !accepts(config, variable)),
      name,
    ).toEqual([])
    for (const setting of config.settings!.values()) {
      if (setting.required) expect(env, name).toContain(setting.env)
    }
    const ports = list(container.ports, 'ports').map((p) => record(p, 'port'))
    const health = ports.find((p) => p.name === 'health')
    expect(String(health?.containerPort), name).toBe(this.envValue(container, 'HEALTH_PORT'))
    expect(record(record(container.livenessProbe, 'liveness').httpGet, 'httpGet'), name).toEqual({
      path: '/healthz',
      port: 'health',
    })
    expect(record(record(container.readinessProbe, 'readiness').httpGet, 'httpGet'), name).toEqual({
      path: '/readyz',
      port: 'health',
    })
    expect(this.envFrom(container, 'DATABASE_URL'), name).toEqual({ name: options.databaseSecret, key: name })
    const creds = this.envValue(container, 'NATS_CREDS') ?? ''
    const mount = list(container.volumeMounts, 'volumeMounts')
      .map((m) => record(m, 'mount'))
      .find((m) => creds.startsWith(`${String(m.mountPath)}/`))
    expect(mount?.readOnly, `${name}: a read-only mount holding ${creds}`).toBe(true)
    const volume = this.podVolumes(deployment)
      .map((v) => record(v, 'volume'))
      .find((v) => v.name === mount?.name)
    const secret = record(volume?.secret, `${name} NATS credentials volume`)
    expect(secret.secretName, name).toBe(options.natsSecret)
    expect(secret.items, name).toEqual([
      { key: `${name}.creds`, path: creds.slice(String(mount?.mountPath).length + 1) },
    ])
    const identity = this.envValue(container, 'GRPC_AUTH_FILE') ?? ''
    const identityMount = list(container.volumeMounts, 'volumeMounts')
      .map((m) => record(m, 'mount'))
      .find((m) => identity.startsWith(`${String(m.mountPath)}/`))
    expect(identityMount?.readOnly, `${name}: a read-only mount holding ${identity}`).toBe(true)
    const identityVolume = this.podVolumes(deployment)
      .map((v) => record(v, 'volume'))
      .find((v) => v.name === identityMount?.name)
    const identitySecret = record(identityVolume?.secret, `${name} gRPC identity volume`)
    expect(identitySecret.secretName, name).toBe(options.natsSecret)
    expect(identitySecret.items, name).toEqual([
      { key: `${name}.grpc-auth.json`, path: identity.slice(String(identityMount?.mountPath).length + 1) },
    ])
    if (name === 'bot-dispatch') {
      for (const env of ['NATS_ACCOUNT', 'NATS_ACCOUNT_SIGNING_SEED']) {
        expect(this.envFrom(container, env), env).toEqual({ name: options.natsSecret, key: env })
      }
    }
    if (config.settings!.has('GRPC_PORT')) {
      const grpc = ports.find((p) => p.name === 'grpc')
      expect(String(grpc?.containerPort), name).toBe(this.envValue(container, 'GRPC_PORT'))
      this.servicePort(deployment, Number(grpc?.containerPort), name)
    }
    for (const setting of config.settings!.values()) {
      if (!setting.env.endsWith('_GRPC_URL')) continue
      const owner = grpcOwner(configs, setting)!
      const [host = '', port = ''] = (this.envValue(container, setting.env) ?? '').split(':')
      expect(host, `${name} ${setting.env}`).toBe(`tf-taskforge-${owner.name}`)
      this.servicePort(host, Number(port), owner.name)
      const served = this.container('Deployment', host, owner.name)
      expect(this.envValue(served, 'GRPC_PORT'), `${name} ${setting.env}`).toBe(port)
    }
    const spec = record(this.get('Deployment', deployment).spec, `${deployment}.spec`)
    const selector = record(record(spec.selector, 'selector').matchLabels, 'matchLabels')
    const labels = record(record(record(spec.template, 'template').metadata, 'metadata').labels, 'labels')
    expect(labels, name).toMatchObject(selector)
    expect(selector['app.kubernetes.io/component'], name).toBe(name)
  }
}
