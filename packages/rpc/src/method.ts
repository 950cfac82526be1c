import type { Metadata } from '@grpc/grpc-js'

/** Names of a method path such as `/taskforge.jobs.v1.JobSchedulerService/RunTask`. */
export function describeMethod(path: string): { service: string; rpcMethod: string; spanName: string } {
  const trimmed = path.startsWith('/') ? path.slice(1) : path
  const slash = trimmed.lastIndexOf('/')
  const service = slash === -1 ? '' : trimmed.slice(0, slash)
  const rpcMethod = slash === -1 ? trimmed : trimmed.slice(slash + 1)
  return { service, rpcMethod, spanName: `rpc ${trimmed}` }
}

/** The first value of a metadata key as text. */
export function metadataValue(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0]
  return value === undefined ? undefined : value.toString()
}
