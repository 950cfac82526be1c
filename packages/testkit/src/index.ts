export {
  createNatsOperator,
  issueNatsUser,
  type NatsKey,
  type NatsOperatorSetup,
  type NatsUserCredentials,
  type NatsUserPermissions,
  natsOperatorConfig,
  parseNatsOperatorSetup,
} from '@taskforge/nats-operator'
export { freePort } from './free-port.js'
export { type TestGrpcAuth, testGrpcAuth } from './grpc-auth.js'
export { connectNats, type NatsClientOptions, type NatsConnection } from './nats-client.js'
export { type NatsCluster, type NatsClusterOptions, startNatsCluster } from './nats-cluster.js'
export { type NatsOptions, type NatsServer, startNats } from './nats-server.js'
export {
  type PostgresOptions,
  type PostgresServer,
  type ServerExit,
  type ServerSource,
  startPostgres,
} from './postgres-server.js'
export { testDatabase } from './test-database.js'
export { waitUntil } from './wait-until.js'
