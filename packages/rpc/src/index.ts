export { clientChannelOptions, MAX_MESSAGE_BYTES, serverChannelOptions } from './channel-options.js'
export {
  type ClientConstructor,
  type CreateClientOptions,
  createClient,
  type PromiseClient,
  type RpcCallOptions,
  type RpcClient,
} from './client.js'
export { ERROR_METADATA_KEY, fromServiceError, toErrorResponse } from './error-mapping.js'
export {
  type QuarantineApi,
  type QuarantinedItemLike,
  type QuarantineSource,
  quarantineService,
} from './quarantine-service.js'
export { type ServeGrpcOptions, serveGrpc } from './serve-grpc.js'
export {
  type AddServiceOptions,
  type AsyncImpl,
  addService,
  createGrpcServer,
  type GrpcServerOptions,
  grpcHostSetting,
  startGrpcServer,
  stopGrpcServer,
} from './server.js'
export {
  type CallerCheck,
  checkCaller,
  grpcAuthSetting,
  presentCredential,
  readGrpcAuth,
  SERVICE_CREDENTIAL_KEY,
  serviceAuthInterceptor,
} from './service-auth.js'
