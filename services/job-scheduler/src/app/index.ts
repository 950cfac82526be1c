export * from './heartbeat-leases.js'
export * from './job-command-batches.js'
export * from './job-command-handler.js'
export * from './lease-sweeper.js'
