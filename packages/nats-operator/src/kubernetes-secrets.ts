import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { natsAuthFiles, PLATFORM_SERVICES, writeNatsAuth } from './auth-dir.js'
import { grpcAuthFile, writeGrpcAuth } from './grpc-auth.js'

/** Secret data by key, decoded. */
export type SecretData = Record<string, string>

/** The few Secret operations the init needs, in one namespace. */
export interface SecretStore {
  read(name: string): Promise<SecretData | undefined>
  /** Creates the Secret; fails when it exists. */
  create(name: string, data: SecretData): Promise<void>
  /** Replaces the Secret's data, creating it when absent. */
  write(name: string, data: SecretData): Promise<void>
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'
const LABELS = { 'app.kubernetes.io/part-of': 'taskforge', 'app.kubernetes.io/managed-by': 'nats-auth-init' }

function encode(data: SecretData): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  )
}

function decode(data: unknown): SecretData {
  const entries = Object.entries((data ?? {}) as Record<string, unknown>)
  return Object.fromEntries(
    entries.map(([key, value]) => [key, Buffer.from(String(value), 'base64').toString('utf8')]),
  )
}

/**
 * Secrets through the Kubernetes REST API. In a pod: the API server from KUBERNETES_SERVICE_HOST and
 * _PORT, the service account's token and namespace; its CA must be trusted through
 * NODE_EXTRA_CA_CERTS (the chart's Job sets it), as `fetch` reads it at start.
 */
export class KubernetesSecrets implements SecretStore {
  constructor(private readonly api: { baseUrl: string; namespace: string; token: string }) {}

  static async inCluster(env: NodeJS.ProcessEnv = process.env): Promise<KubernetesSecrets> {
    const host = env.KUBERNETES_SERVICE_HOST
    if (host === undefined || host === '')
      throw new Error('not in a Kubernetes pod: KUBERNETES_SERVICE_HOST is unset')
    const port = env.KUBERNETES_SERVICE_PORT || '443'
    const [token, namespace] = await Promise.all([
      readFile(join(SERVICE_ACCOUNT_DIR, 'token'), 'utf8'),
      readFile(join(SERVICE_ACCOUNT_DIR, 'namespace'), 'utf8'),
    ])
    const address = host.includes(':') ? `[${host}]` : host
    return new KubernetesSecrets({
      baseUrl: `https://${address}:${port}`,
      namespace: namespace.trim(),
      token: token.trim(),
    })
  }

  #url(name?: string): string {
    const base = `${this.api.baseUrl}/api/v1/namespaces/${encodeURIComponent(this.api.namespace)}/secrets`
    return name === undefined ? base : `${base}/${encodeURIComponent(name)}`
  }

  async #call(method: string, url: string, body?: unknown): Promise<Response> {
    return fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${this.api.token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  }

  async #fail(what: string, response: Response): Promise<never> {
    const detail = await response.text().catch(() => '')
    throw new Error(`${what}: HTTP ${response.status} ${detail.slice(0, 500)}`)
  }

  #object(name: string, data: SecretData) {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: this.api.namespace, labels: LABELS },
      type: 'Opaque',
      data: encode(data),
    }
  }

  async read(name: string): Promise<SecretData | undefined> {
    const response = await this.#call('GET', this.#url(name))
    if (response.status === 404) return undefined
    if (!response.ok) return this.#fail(`reading Secret ${name}`, response)
    return decode(((await response.json()) as { data?: unknown }).data)
  }

  async create(name: string, data: SecretData): Promise<void> {
    const response = await this.#call('POST', this.#url(), this.#object(name, data))
    if (!response.ok) await this.#fail(`creating Secret ${name}`, response)
  }

  async write(name: string, data: SecretData): Promise<void> {
    const response = await this.#call('PUT', this.#url(name), this.#object(name, data))
    if (response.status === 404) return this.create(name, data)
    if (!response.ok) await this.#fail(`replacing Secret ${name}`, response)
  }
}

/** The Secrets the chart reads, named after the release. */
export function natsAuthSecretNames(prefix: string) {
  return {
    /** `nats-operator.json`: the operator setup, created once and never replaced. */
    operator: `${prefix}-nats-operator`,
    /**
     * `nats-server-auth.conf`, `<service>.creds` and `<service>.grpc-auth.json` per service,
     * NATS_ACCOUNT and NATS_ACCOUNT_SIGNING_SEED.
     */
    auth: `${prefix}-nats-auth`,
  }
}

/** The key of a service's gRPC identity in the auth Secret. */
export function grpcAuthSecretKey(service: string): string {
  return `${service}.grpc-auth.json`
}

/**
 * {@link writeNatsAuth} and {@link writeGrpcAuth} with their state kept in Secrets rather than a
 * directory: the saved operator setup is reused (bots registered earlier keep working), a new one is
 * saved before anything uses it, and the auth Secret is replaced with new service users and the
 * services' gRPC identities, each keeping the credential the Secret held.
 */
export async function writeNatsAuthSecrets(
  store: SecretStore,
  prefix: string,
  services: readonly string[] = PLATFORM_SERVICES,
): Promise<{ createdOperator: boolean }> {
  const names = natsAuthSecretNames(prefix)
  const dir = await mkdtemp(join(tmpdir(), 'nats-auth-'))
  try {
    const files = natsAuthFiles(dir)
    const saved = (await store.read(names.operator))?.['nats-operator.json']
    if (saved !== undefined) await writeFile(files.operator, saved, { mode: 0o600 })
    const previous = (await store.read(names.auth)) ?? {}
    await mkdir(join(dir, 'grpc-auth'), { recursive: true, mode: 0o700 })
    for (const service of services) {
      const identity = previous[grpcAuthSecretKey(service)]
      if (identity !== undefined) await writeFile(grpcAuthFile(dir, service), identity, { mode: 0o600 })
    }
    const { credentials } = await writeNatsAuth(dir, services)
    const grpc = await writeGrpcAuth(dir, services)
    if (saved === undefined) {
      await store.create(names.operator, { 'nats-operator.json': await readFile(files.operator, 'utf8') })
    }
    const data: SecretData = { 'nats-server-auth.conf': await readFile(files.serverConfig, 'utf8') }
    for (const [service, file] of Object.entries(credentials)) {
      data[`${service}.creds`] = await readFile(file, 'utf8')
    }
    for (const [service, file] of Object.entries(grpc.files)) {
      data[grpcAuthSecretKey(service)] = await readFile(file, 'utf8')
    }
    for (const line of (await readFile(files.botIssuerEnv, 'utf8')).split('\n')) {
      const at = line.indexOf('=')
      if (at > 0) data[line.slice(0, at)] = line.slice(at + 1)
    }
    await store.write(names.auth, data)
    return { createdOperator: saved === undefined }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
