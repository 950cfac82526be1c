import {
  type handleUnaryCall,
  Server,
  ServerCredentials,
  type ServerOptions,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedHandleCall,
} from '@grpc/grpc-js'
import { type GrpcAuth, isAppError, str } from '@taskforge/core'
import {
  createLogger,
  extractContext,
  type Logger,
  recordError,
  SpanKind,
  withSpan,
} from '@taskforge/telemetry'
import { serverChannelOptions } from './channel-options.js'
import { isServerFault, toErrorResponse } from './error-mapping.js'
import { describeMethod, metadataValue } from './method.js'
import { serviceAuthInterceptor } from './service-auth.js'

/**
 * The async implementation of a generated service definition: each unary method as
 * `(request, call) => Promise<response>`, typed from the definition's (de)serializers.
 */
export type AsyncImpl<D> = {
  [K in keyof D]: D[K] extends {
    requestDeserialize: (bytes: Buffer) => infer Req
    responseSerialize: (value: infer Res) => Buffer
  }
    ? (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>
    : never
}

export interface AddServiceOptions {
  logger?: Logger
}

export interface GrpcServerOptions {
  /** The server's identity: the credentials of the platform's services it checks callers against. */
  auth: GrpcAuth
  /** The services this server takes calls from; every other call is refused before its handler. */
  callers: readonly string[]
  /** Where refused calls are logged. */
  logger?: Logger
  channelOptions?: ServerOptions
}

/**
 * A grpc-js server with the platform's message size and keepalive settings that serves only the
 * services named in `callers`, each proving who it is with its service credential (decision 17).
 *
 * @example
 * const server = createGrpcServer({ auth: readGrpcAuth(config.grpcAuthFile, 'job-scheduler'), callers: ['gateway'] })
 */
export function createGrpcServer(options: GrpcServerOptions): Server {
  return new Server({
    ...serverChannelOptions,
    ...options.channelOptions,
    interceptors: [serviceAuthInterceptor(options.auth, options.callers, options.logger)],
  })
}

/**
 * Adds a service whose unary handlers are plain async functions. Each call runs in a server span that
 * continues the caller's trace (W3C headers in the metadata). A thrown AppError becomes its gRPC status
 * with trailing metadata `taskforge-error` = JSON {code, message, details}; anything else becomes
 * INTERNAL, its stack logged here and never sent.
 *
 * @example
 * const server = createGrpcServer()
 * addService(server, JobSchedulerServiceService, {
 *   async getJob(request) { return { job: await jobs.get(request.customer, request.jobId) } },
 *   ...
 * })
 */
export function addService<D extends ServiceDefinition>(
  server: Server,
  definition: D,
  impl: AsyncImpl<D>,
  options: AddServiceOptions = {},
): void {
  const logger = options.logger ?? createLogger('rpc')
  const handlers: Record<string, UntypedHandleCall> = {}
  for (const [name, method] of Object.entries(definition)) {
    if (method.requestStream || method.responseStream) {
      throw new Error(`${method.path}: only unary methods are supported`)
    }
    const fn = (
      impl as Record<string, (request: unknown, call: ServerUnaryCall<unknown, unknown>) => Promise<unknown>>
    )[name]
    if (typeof fn !== 'function') throw new Error(`${method.path}: no implementation`)
    const { service, rpcMethod, spanName } = describeMethod(method.path)
    const handler: handleUnaryCall<unknown, unknown> = (call, callback) => {
      const parent = extractContext((key) => metadataValue(call.metadata, key))
      void withSpan(
        spanName,
        {
          kind: SpanKind.SERVER,
          parent,
          attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': rpcMethod },
        },
        async (span) => {
          try {
            const response = await fn.call(impl, call.request, call)
            span.setAttribute('rpc.grpc.status_code', 0)
            callback(null, response)
          } catch (error) {
            const response = toErrorResponse(error)
            span.setAttribute('rpc.grpc.status_code', response.code)
            if (isServerFault(response.code) || !isAppError(error)) {
              recordError(span, error)
              logger.error({ err: error, method: method.path }, 'rpc failed')
            } else {
              logger.debug({ code: error.code, message: error.message, method: method.path }, 'rpc rejected')
            }
            callback(response)
          }
        },
      )
    }
    handlers[name] = handler
  }
  server.addService(definition, handlers)
}

/**
 * Where a gRPC server listens: loopback unless a deployment says otherwise (a container's server must
 * listen on every interface to be reached from the next one; its network policy says who may).
 */
export const grpcHostSetting = str(
  'GRPC_HOST',
  'Address the gRPC server binds to: 0.0.0.0 (every interface) in a container, loopback on a shared machine',
  '127.0.0.1',
)

/**
 * Binds the server without TLS (callers prove who they are with their service credential, see
 * `service-auth.ts`) and answers the bound port (0 picks one). The host defaults to loopback.
 */
export function startGrpcServer(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, boundPort) => {
      if (error) reject(error)
      else resolve(boundPort)
    })
  })
}

/** Lets running calls finish for up to `graceMs` (default 10s), then cancels what is left. */
export function stopGrpcServer(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown()
      resolve()
    }, graceMs)
    server.tryShutdown(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}
