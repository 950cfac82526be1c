import {
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ClientOptions,
  type ClientUnaryCall,
  credentials as grpcCredentials,
  Metadata,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js'
import { injectHeaders, SpanKind, withSpan } from '@taskforge/telemetry'
import { clientChannelOptions } from './channel-options.js'
import { fromServiceError } from './error-mapping.js'
import { describeMethod } from './method.js'
import { presentCredential, SERVICE_CREDENTIAL_KEY } from './service-auth.js'

/** Per-call options of a promise client. */
export interface RpcCallOptions {
  /** Milliseconds before the call fails with TIMEOUT (default: the client's, 10s). */
  deadlineMs?: number
}

type PromiseMethod<F> = F extends (
  request: infer Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: infer Res) => void,
) => ClientUnaryCall
  ? (request: Req, options?: RpcCallOptions) => Promise<Res>
  : never

/** Every unary method of a generated grpc-js client as `(request, options?) => Promise<response>`. */
export type PromiseClient<C> = {
  [K in Exclude<keyof C, keyof Client> as PromiseMethod<C[K]> extends never ? never : K]: PromiseMethod<C[K]>
}

/** What {@link createClient} answers. */
export type RpcClient<C> = PromiseClient<C> & { close(): void }

/** A generated client class (`JobSchedulerServiceClient` and the like). */
export interface ClientConstructor<C extends Client> {
  new (address: string, credentials: ChannelCredentials, options?: Partial<ClientOptions>): C
  service: ServiceDefinition
}

export interface CreateClientOptions {
  /** The calling service's credential (the `credential` of its gRPC identity), presented on every call. */
  credential: string
  /** Deadline of calls that do not set one (default 10s). */
  deadlineMs?: number
  credentials?: ChannelCredentials
  channelOptions?: Partial<ClientOptions>
}

type UnaryFn = (
  request: unknown,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: unknown) => void,
) => ClientUnaryCall

/** Accepts `host:port` as well as URLs such as `http://host:port` in configuration. */
function target(address: string): string {
  return address.replace(/^(https?|grpc):\/\//, '').replace(/\/+$/, '')
}

/**
 * A promise client over a generated grpc-js client. Each call presents the calling service's
 * credential, runs in a client span whose context goes in the metadata, has a deadline, and fails
 * with an AppError: the server's (same code) or UNAVAILABLE when the server cannot be reached,
 * TIMEOUT when the deadline passes.
 *
 * @example
 * const scheduler = createClient(JobSchedulerServiceClient, config.schedulerGrpcUrl, { credential: auth.credential })
 * const { job } = await scheduler.getJob({ customer, jobId }, { deadlineMs: 2_000 })
 * scheduler.close()
 */
export function createClient<C extends Client>(
  ClientCtor: ClientConstructor<C>,
  address: string,
  options: CreateClientOptions,
): RpcClient<C> {
  const credential = presentCredential(options.credential)
  const client = new ClientCtor(target(address), options.credentials ?? grpcCredentials.createInsecure(), {
    ...clientChannelOptions,
    ...options.channelOptions,
  })
  const defaultDeadlineMs = options.deadlineMs ?? 10_000
  const methods: Record<string, (request: unknown, callOptions?: RpcCallOptions) => Promise<unknown>> = {}
  for (const [name, definition] of Object.entries(ClientCtor.service)) {
    if (definition.requestStream || definition.responseStream) continue
    const unary = (client as unknown as Record<string, UnaryFn>)[name]
    if (typeof unary !== 'function') continue
    const { service, rpcMethod, spanName } = describeMethod(definition.path)
    methods[name] = (request, callOptions = {}) =>
      withSpan(
        spanName,
        {
          kind: SpanKind.CLIENT,
          attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': rpcMethod },
        },
        (span) =>
          new Promise((resolve, reject) => {
            const metadata = new Metadata()
            metadata.set(SERVICE_CREDENTIAL_KEY, credential)
            injectHeaders((key, value) => metadata.set(key, value))
            const deadline = new Date(Date.now() + (callOptions.deadlineMs ?? defaultDeadlineMs))
            unary.call(client, request, metadata, { deadline }, (error, response) => {
              span.setAttribute('rpc.grpc.status_code', error ? error.code : 0)
              if (error) reject(fromServiceError(error, `${service}/${rpcMethod}`))
              else resolve(response)
            })
          }),
      )
  }
  return Object.assign(methods, { close: () => client.close() }) as unknown as PromiseClient<C> & {
    close(): void
  }
}
