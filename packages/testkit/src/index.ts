export { freePort } from './free-port.js'
export { type NatsOptions, type NatsServer, startNats } from './nats-server.js'
export {
  type PostgresOptions,
  type PostgresServer,
  type ServerSource,
  startPostgres,
} from './postgres-server.js'
export { testDatabase } from './test-database.js'
export { waitUntil } from './wait-until.js'
