export {
  botIssuerEnvironment,
  ensureNatsOperator,
  natsAuthFiles,
  PLATFORM_SERVICES,
  serviceCredentialsFile,
  writeNatsAuth,
} from './auth-dir.js'
export { NATS_AUTH_INIT_USAGE, natsAuthInit } from './cli.js'
export { grpcAuthFile, writeGrpcAuth } from './grpc-auth.js'
export {
  grpcAuthSecretKey,
  KubernetesSecrets,
  natsAuthSecretNames,
  type SecretData,
  type SecretStore,
  writeNatsAuthSecrets,
} from './kubernetes-secrets.js'
export {
  accountClaimsUpdateSubject,
  createNatsOperator,
  issueNatsUser,
  issueSystemUser,
  type NatsKey,
  type NatsOperatorSetup,
  type NatsUserCredentials,
  type NatsUserPermissions,
  natsOperatorConfig,
  parseNatsOperatorSetup,
  withOperatorSigningKey,
} from './operator.js'
