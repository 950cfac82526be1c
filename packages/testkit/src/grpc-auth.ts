import { rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GrpcAuth } from '@taskforge/core'
import { PLATFORM_SERVICES, writeGrpcAuth } from '@taskforge/nats-operator'

/** Every platform service's gRPC identity, as files (GRPC_AUTH_FILE) and in memory. */
export interface TestGrpcAuth {
  /** The directory holding the files (removed when the process exits). */
  dir: string
  /** A service's GRPC_AUTH_FILE. */
  file(service: string): string
  /** A service's identity: what a server or a client of that service is given. */
  of(service: string): GrpcAuth
}

const dirs: string[] = []
let cleanupInstalled = false

/**
 * Writes a fresh gRPC identity for every platform service, as nats-auth-init does, for tests that
 * start services or call them.
 *
 * @example
 * const auth = await testGrpcAuth()
 * const catalog = await startCatalog({ ...config, grpcAuthFile: auth.file('task-catalog') })
 * const client = createClient(TaskCatalogServiceClient, address, { credential: auth.of('gateway').credential })
 */
export async function testGrpcAuth(): Promise<TestGrpcAuth> {
  const dir = await mkdtemp(join(tmpdir(), 'taskforge-grpc-auth-'))
  dirs.push(dir)
  if (!cleanupInstalled) {
    cleanupInstalled = true
    process.once('exit', () => {
      for (const path of dirs) rmSync(path, { recursive: true, force: true })
    })
  }
  const { auth, files } = await writeGrpcAuth(dir, PLATFORM_SERVICES)
  const known = (service: string) => {
    if (!Object.hasOwn(auth, service)) throw new Error(`no platform service ${service}`)
    return service
  }
  return {
    dir,
    file: (service) => files[known(service)]!,
    of: (service) => auth[known(service)]!,
  }
}
