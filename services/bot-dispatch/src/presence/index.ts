export * from './heartbeat-listener.js'
export * from './offline-sweeper.js'
export * from './presence-changes.js'
export * from './presence-policy.js'
