import { existsSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { debugLog } from './debug.js'

type Testcontainers = typeof import('testcontainers')

type Endpoint = { path: string } | { host: string; port: number }

function candidateEndpoints(): Endpoint[] {
  const endpoints: Endpoint[] = []
  const dockerHost = process.env.DOCKER_HOST
  if (dockerHost?.startsWith('unix://')) endpoints.push({ path: dockerHost.slice('unix://'.length) })
  else if (dockerHost?.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'))
    endpoints.push({ host: url.hostname, port: Number(url.port || 2375) })
  }
  const runtimeDir = process.env.XDG_RUNTIME_DIR
  const sockets = [
    '/var/run/docker.sock',
    join(homedir(), '.docker/run/docker.sock'),
    join(homedir(), '.docker/desktop/docker.sock'),
    ...(runtimeDir === undefined
      ? []
      : [join(runtimeDir, 'docker.sock'), join(runtimeDir, 'podman/podman.sock')]),
  ]
  for (const path of sockets) if (existsSync(path)) endpoints.push({ path })
  return endpoints
}

/** Answers whether a Docker-compatible engine replies to `/_ping` on `endpoint` within `timeoutMs`. */
function ping(endpoint: Endpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = ''
    const socket: Socket = 'path' in endpoint ? connect(endpoint.path) : connect(endpoint.port, endpoint.host)
    const done = (ok: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.setEncoding('utf8')
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n'))
    socket.on('data', (chunk: string) => {
      answer += chunk
      if (answer.includes('\r\n')) done(/^HTTP\/1\.[01] 200/.test(answer))
    })
    socket.once('end', () => done(/^HTTP\/1\.[01] 200/.test(answer)))
  })
}

let testcontainers: Promise<Testcontainers | undefined> | undefined

async function loadTestcontainers(): Promise<Testcontainers | undefined> {
  const setting = process.env.TESTKIT_DOCKER?.toLowerCase()
  if (setting === '0' || setting === 'false' || setting === 'never') return undefined
  // Probing the usual sockets first keeps the common "no Docker here" case to a few stat calls,
  // instead of loading testcontainers and letting it try every strategy it knows.
  const endpoints = candidateEndpoints()
  const reachable =
    endpoints.length > 0 && (await Promise.all(endpoints.map((e) => ping(e, 1_000)))).some(Boolean)
  if (!reachable && !process.env.DOCKER_HOST?.startsWith('ssh://')) return undefined
  try {
    const module: Testcontainers = await import('testcontainers')
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer from the container runtime')), 10_000)
    })
    await Promise.race([module.getContainerRuntimeClient(), timeout]).finally(() => clearTimeout(timer))
    return module
  } catch (error) {
    debugLog('docker', `testcontainers unusable, falling back to local servers: ${String(error)}`)
    return undefined
  }
}

/**
 * The testcontainers module when a container engine is reachable, else `undefined` (checked once per process).
 * `TESTKIT_DOCKER=0` forces local servers.
 */
export function containerRuntime(): Promise<Testcontainers | undefined> {
  testcontainers ??= loadTestcontainers()
  return testcontainers
}
