export { HealthServer, type Phase, type ReadinessCheck, type RouteHandler } from './health-server.js'
export {
  healthHostSetting,
  type RunningService,
  type RunServiceOptions,
  runService,
  type ServiceContext,
} from './run-service.js'
export { openServiceStore, type ServiceStore, type ServiceStoreOptions } from './service-store.js'
export { type HealthConfig, runMain, type StartServiceOptions, startService } from './start-service.js'
