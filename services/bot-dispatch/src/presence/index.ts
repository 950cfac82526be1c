export * from './heartbeat-listener.js'
export * from './presence-policy.js'
