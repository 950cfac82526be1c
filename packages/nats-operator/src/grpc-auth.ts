import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  ConfigError,
  formatGrpcAuth,
  type GrpcAuth,
  grpcAuthOf,
  newServiceCredential,
  parseGrpcAuth,
} from '@taskforge/core'

/** Where a directory of service authentication keeps each service's gRPC identity (its GRPC_AUTH_FILE). */
export function grpcAuthFile(dir: string, service: string): string {
  return join(dir, 'grpc-auth', `${service}.json`)
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * Writes each service's gRPC identity (decision 17) into `<dir>/grpc-auth/<service>.json`: a service
 * whose file is there keeps its credential, so that running it again changes nothing a running
 * service relies on; a service without one gets a new credential, and every file learns its hash.
 * Answers each service's file.
 */
export async function writeGrpcAuth(
  dir: string,
  services: readonly string[],
): Promise<{ auth: Record<string, GrpcAuth>; files: Record<string, string> }> {
  await mkdir(join(dir, 'grpc-auth'), { recursive: true, mode: 0o700 })
  const credentials: Record<string, string> = {}
  for (const service of services) {
    const file = grpcAuthFile(dir, service)
    const saved = await readIfPresent(file)
    if (saved === undefined) {
      credentials[service] = newServiceCredential(service)
      continue
    }
    try {
      credentials[service] = parseGrpcAuth(saved, file).credential
    } catch (error) {
      throw new ConfigError(`${(error as Error).message}; fix or delete it`)
    }
  }
  const auth = grpcAuthOf(credentials)
  const files: Record<string, string> = {}
  for (const service of services) {
    const file = grpcAuthFile(dir, service)
    const tmp = `${file}.${process.pid}.tmp`
    await writeFile(tmp, formatGrpcAuth(auth[service]!), { mode: 0o600 })
    await chmod(tmp, 0o600)
    await rename(tmp, file)
    files[service] = file
  }
  return { auth, files }
}
