import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseGrpcAuth } from '@taskforge/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KubernetesSecrets, natsAuthSecretNames, writeNatsAuthSecrets } from './kubernetes-secrets.js'
import { parseNatsOperatorSetup } from './operator.js'

interface StoredSecret {
  metadata: { name: string; labels?: Record<string, string> }
  data: Record<string, string>
}

/** The Secrets part of a Kubernetes API server, in memory, for one namespace and one token. */
function fakeApiServer(namespace: string, token: string) {
  const secrets = new Map<string, StoredSecret>()
  const requests: string[] = []
  const body = async (request: IncomingMessage) => {
    let text = ''
    for await (const chunk of request) text += String(chunk)
    return JSON.parse(text) as StoredSecret
  }
  const server = createServer(async (request, response) => {
    const send = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(value))
    }
    requests.push(`${request.method} ${request.url}`)
    if (request.headers.authorization !== `Bearer ${token}`) return send(401, { reason: 'Unauthorized' })
    const match = new RegExp(`^/api/v1/namespaces/${namespace}/secrets(?:/([^/]+))?$`).exec(request.url ?? '')
    if (match === null) return send(404, { reason: 'NotFound' })
    const name = match[1]
    if (request.method === 'GET' && name !== undefined) {
      const found = secrets.get(name)
      return found === undefined ? send(404, { reason: 'NotFound' }) : send(200, found)
    }
    if (request.method === 'POST' && name === undefined) {
      const secret = await body(request)
      if (secrets.has(secret.metadata.name)) return send(409, { reason: 'AlreadyExists' })
      secrets.set(secret.metadata.name, secret)
      return send(201, secret)
    }
    if (request.method === 'PUT' && name !== undefined) {
      if (!secrets.has(name)) return send(404, { reason: 'NotFound' })
      const secret = await body(request)
      secrets.set(name, secret)
      return send(200, secret)
    }
    return send(405, { reason: 'MethodNotAllowed' })
  })
  return { server, secrets, requests }
}

function decoded(secret: StoredSecret | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secret?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
  )
}

describe('writeNatsAuthSecrets through the Kubernetes API', () => {
  const api = fakeApiServer('taskforge', 'token-1')
  let server: Server
  let store: KubernetesSecrets
  const names = natsAuthSecretNames('tf-taskforge')

  beforeAll(async () => {
    server = api.server
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    store = new KubernetesSecrets({
      baseUrl: `http://127.0.0.1:${port}`,
      namespace: 'taskforge',
      token: 'token-1',
    })
  })

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  it('creates the operator Secret once and the auth Secret with every service’s creds and the issuer', async () => {
    expect(await writeNatsAuthSecrets(store, 'tf-taskforge', ['gateway', 'bot-dispatch'])).toEqual({
      createdOperator: true,
    })
    const setup = parseNatsOperatorSetup(decoded(api.secrets.get(names.operator))['nats-operator.json']!)
    const auth = decoded(api.secrets.get(names.auth))
    expect(Object.keys(auth).sort()).toEqual([
      'NATS_ACCOUNT',
      'NATS_ACCOUNT_JWT',
      'NATS_ACCOUNT_SIGNING_SEED',
      'NATS_OPERATOR_SIGNING_SEED',
      'NATS_SYSTEM_USER_JWT',
      'NATS_SYSTEM_USER_SEED',
      'bot-dispatch.creds',
      'bot-dispatch.grpc-auth.json',
      'gateway.creds',
      'gateway.grpc-auth.json',
      'nats-server-auth.conf',
    ])
    const gateway = parseGrpcAuth(auth['gateway.grpc-auth.json']!, 'gateway')
    expect(gateway.service).toBe('gateway')
    expect(parseGrpcAuth(auth['bot-dispatch.grpc-auth.json']!, 'bot-dispatch').peers).toEqual(gateway.peers)
    expect(auth.NATS_ACCOUNT).toBe(setup.account.publicKey)
    expect(auth.NATS_ACCOUNT_SIGNING_SEED).toBe(setup.signingKey.seed)
    expect(auth['nats-server-auth.conf']).toContain(setup.operator.jwt)
    expect(auth['gateway.creds']).toContain('-----BEGIN NATS USER JWT-----')
    expect(api.secrets.get(names.auth)?.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'nats-auth-init',
    })
  })

  it('keeps the operator and the gRPC identities on a later run and replaces the service users', async () => {
    const operator = api.secrets.get(names.operator)
    const before = decoded(api.secrets.get(names.auth))
    api.requests.length = 0
    expect(await writeNatsAuthSecrets(store, 'tf-taskforge', ['gateway', 'bot-dispatch'])).toEqual({
      createdOperator: false,
    })
    expect(api.secrets.get(names.operator)).toEqual(operator)
    const after = decoded(api.secrets.get(names.auth))
    expect(after['nats-server-auth.conf']).toBe(before['nats-server-auth.conf'])
    expect(after.NATS_ACCOUNT_SIGNING_SEED).toBe(before.NATS_ACCOUNT_SIGNING_SEED)
    expect(after['gateway.creds']).not.toBe(before['gateway.creds'])
    expect(after['gateway.grpc-auth.json']).toBe(before['gateway.grpc-auth.json'])
    expect(after['bot-dispatch.grpc-auth.json']).toBe(before['bot-dispatch.grpc-auth.json'])
    expect(api.requests).toEqual([
      `GET /api/v1/namespaces/taskforge/secrets/${names.operator}`,
      `GET /api/v1/namespaces/taskforge/secrets/${names.auth}`,
      `PUT /api/v1/namespaces/taskforge/secrets/${names.auth}`,
    ])
  })

  it('fails with the API’s answer when it refuses', async () => {
    const { port } = server.address() as AddressInfo
    const refused = new KubernetesSecrets({
      baseUrl: `http://127.0.0.1:${port}`,
      namespace: 'taskforge',
      token: 'wrong',
    })
    await expect(writeNatsAuthSecrets(refused, 'other')).rejects.toThrow(/HTTP 401/)
  })
})
