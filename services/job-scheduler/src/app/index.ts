export * from './heartbeat-leases.js'
export * from './job-command-handler.js'
export * from './lease-sweeper.js'
