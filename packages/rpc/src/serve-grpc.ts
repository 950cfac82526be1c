import type { Server } from '@grpc/grpc-js'
import { QuarantineServiceService } from '@taskforge/proto/ops/v1/quarantine_service'
import type { Logger } from '@taskforge/telemetry'
import { type QuarantineSource, quarantineService } from './quarantine-service.js'
import {
  addService,
  createGrpcServer,
  type GrpcServerOptions,
  startGrpcServer,
  stopGrpcServer,
} from './server.js'

export interface ServeGrpcOptions extends GrpcServerOptions {
  /** What the log calls the server once it listens ("JobSchedulerService"). */
  name: string
  port: number
  host: string
  logger: Logger
  /** The service's quarantine, served beside its own API for the gateway's operators' routes. */
  quarantine: QuarantineSource
  /** Takes the server's stop into the service's lifecycle (a service context's `onStop`). */
  onStop(stop: () => Promise<void>): void
  /** More of what the log says once it listens. */
  logFields?: Record<string, unknown>
}

/**
 * A service's gRPC server, as every service runs one: created for its callers, its own services
 * added by `register`, its quarantine beside them, bound, stopped with the service, and logged.
 * Answers the bound port (0 picks one).
 *
 * @example
 * const grpcPort = await serveGrpc({ ...options, name: 'task catalog' }, (server) =>
 *   addService(server, TaskCatalogServiceService, catalogService(deps), { logger }),
 * )
 */
export async function serveGrpc(
  options: ServeGrpcOptions,
  register: (server: Server) => void,
): Promise<number> {
  const { logger } = options
  const server = createGrpcServer(options)
  register(server)
  addService(server, QuarantineServiceService, quarantineService(options.quarantine), { logger })
  const grpcPort = await startGrpcServer(server, options.port, options.host)
  options.onStop(() => stopGrpcServer(server))
  logger.info({ ...options.logFields, grpcPort }, `${options.name} listening`)
  return grpcPort
}
